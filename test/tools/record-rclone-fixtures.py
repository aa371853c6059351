#!/usr/bin/env python3
"""Record real rclone RC answers as test fixtures.

Usage:
  python3 test/tools/record-rclone-fixtures.py RCLONE_BINARY OUTPUT_FOLDER
      [--keep-existing] [--only idle,move,move-fail,server-side,stall,auth,restart]
      [--stall-max SECONDS] [--stall-poll SECONDS]

Each situation runs against its own fresh `rclone rcd`, started in a temporary folder as
  rclone rcd --rc-addr=127.0.0.1:<free port> --rc-user=<random> --rc-pass=<random>
              --config=<empty file> --log-level=ERROR
(the stall adds --timeout=1h so that rclone's 5 minute idle timeout does not cut the
stalled read; the auth situation starts a second rcd without --rc-user/--rc-pass).
The stall runs on its own rcd in a thread while the other situations run one after the
other, so a whole recording takes about as long as the stall (at most --stall-max).

Every answer is saved pretty-printed with tabs (as rclone itself indents), with the
temporary folder rewritten to /data; the random user name and password are checked not
to appear. The stall polls core/stats every --stall-poll seconds until the in-flight item's eta is
9223372036 (rclone >= 1.62's "unknown", 320 s on 1.75.2) or --stall-max is reached. rclone
before 1.62 never shows it: give it --stall-max of the time the newer one took, so that
both files show the same wait (1.60.1 was recorded with --keep-existing --stall-max 320).

OUTPUT_FOLDER/index.json lists for each file the call, its parameters, the
HTTP status, the content type and the situation. With --keep-existing, files that
already exist are left alone (their index entries too).

Standard library only.
"""

import argparse
import base64
import http.server
import json
import os
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request

ETA_UNKNOWN = 9223372036  # rclone >= 1.62: eta of a transfer whose average speed is ~0
DAY = 86400


def free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


class Recorder:
    """Holds the output folder, the path rewriting and the index."""

    def __init__(self, out, root, keep_existing, secrets_):
        self.out = out
        self.root = root
        self.keep_existing = keep_existing
        self.secrets = secrets_
        self.lock = threading.Lock()
        self.index = {}
        self.written = []
        self.kept = []

    def scrub(self, value):
        if isinstance(value, str):
            v = value.replace(self.root + '/data', '/data').replace(self.root, '/data/_tmp')
            for s in self.secrets:
                if s in v:
                    raise RuntimeError('a secret appears in a recorded value')
            return v
        if isinstance(value, list):
            return [self.scrub(v) for v in value]
        if isinstance(value, dict):
            return {self.scrub(k): self.scrub(v) for k, v in value.items()}
        return value

    def save(self, name, answer, situation, note=None):
        """answer is what Rcd.call returned."""
        path = os.path.join(self.out, name)
        with self.lock:
            if self.keep_existing and os.path.exists(path):
                self.kept.append(name)
                print(f'  kept existing {name}', flush=True)
                return
            if answer['json'] is not None:
                text = json.dumps(self.scrub(answer['json']), indent='\t', ensure_ascii=False) + '\n'
            else:
                text = self.scrub(answer['text'])
            with open(path, 'w', encoding='utf-8') as f:
                f.write(text)
            entry = {
                'call': answer['method'],
                'params': self.scrub(answer['params']),
                'auth': answer['auth'],
                'status': answer['status'],
                'contentType': answer['contentType'],
                'situation': situation,
            }
            if note is not None:
                entry['note'] = self.scrub(note)
            self.index[name] = entry
            self.written.append(name)
            print(f'  wrote {name} ({answer["status"]})', flush=True)

    def write_index(self, rclone_version):
        path = os.path.join(self.out, 'index.json')
        index = {'rclone': rclone_version, 'files': {}}
        if os.path.exists(path):
            with open(path, encoding='utf-8') as f:
                old = json.load(f)
            index['files'].update(old.get('files', {}))
            if old.get('rclone') and old['rclone'] != rclone_version:
                index['rclone'] = old['rclone']
        index['files'].update(self.index)
        index['files'] = dict(sorted(index['files'].items()))
        with open(path, 'w', encoding='utf-8') as f:
            f.write(json.dumps(index, indent='\t', ensure_ascii=False) + '\n')


class Rcd:
    """One `rclone rcd` process and a client for it."""

    def __init__(self, binary, work, name, user, password, auth=True, extra=(), port=None):
        self.binary = binary
        self.name = name
        self.user = user if auth else None
        self.password = password if auth else None
        self.port = port or free_port()
        os.makedirs(work, exist_ok=True)
        self.config = os.path.join(work, 'rclone.conf')
        open(self.config, 'w').close()
        self.log = os.path.join(work, f'rcd-{name}.log')
        self.args = [binary, 'rcd', f'--rc-addr=127.0.0.1:{self.port}']
        if auth:
            self.args += [f'--rc-user={user}', f'--rc-pass={password}']
        self.args += [f'--config={self.config}', '--log-level=ERROR', *extra]
        self.work = work
        self.proc = None

    def start(self):
        env = {k: v for k, v in os.environ.items() if not k.startswith('RCLONE_')}
        env['HOME'] = self.work
        env['XDG_CACHE_HOME'] = os.path.join(self.work, 'cache')
        env['XDG_CONFIG_HOME'] = os.path.join(self.work, 'config')
        self.proc = subprocess.Popen(self.args, cwd=self.work, env=env, stdin=subprocess.DEVNULL,
                                     stdout=open(self.log, 'ab'), stderr=subprocess.STDOUT)
        deadline = time.time() + 20
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f'rcd {self.name} exited: {open(self.log).read()}')
            try:
                # A TCP connect only: an RC call here would itself be a job on newer rclone.
                socket.create_connection(('127.0.0.1', self.port), timeout=0.5).close()
                return self
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(f'rcd {self.name} did not listen')

    def stop(self):
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def call(self, method, params=None, auth=True):
        params = {} if params is None else params
        body = json.dumps(params).encode()
        req = urllib.request.Request(f'http://127.0.0.1:{self.port}/{method}', data=body, method='POST')
        req.add_header('Content-Type', 'application/json')
        if auth and self.user is not None:
            token = base64.b64encode(f'{self.user}:{self.password}'.encode()).decode()
            req.add_header('Authorization', f'Basic {token}')
        try:
            with urllib.request.urlopen(req, timeout=30) as r:
                status, ctype, raw = r.status, r.headers.get('Content-Type', ''), r.read()
        except urllib.error.HTTPError as e:
            status, ctype, raw = e.code, e.headers.get('Content-Type', ''), e.read()
        text = raw.decode('utf-8', 'replace')
        try:
            parsed = json.loads(text)
        except ValueError:
            parsed = None
        return {'method': method, 'params': params, 'auth': bool(auth and self.user is not None),
                'status': status, 'contentType': ctype, 'text': text, 'json': parsed}

    def ok(self, method, params=None):
        a = self.call(method, params)
        if a['status'] != 200:
            raise RuntimeError(f'{method} answered {a["status"]}: {a["text"]}')
        return a

    def wait_job(self, jobid, timeout=120):
        deadline = time.time() + timeout
        while time.time() < deadline:
            a = self.ok('job/status', {'jobid': jobid})
            if a['json'].get('finished'):
                return a
            time.sleep(1)
        raise RuntimeError(f'job {jobid} did not finish')


def write_random(path, size):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, 'wb') as f:
        f.write(os.urandom(size))


# --- situations -------------------------------------------------------------------------

def s_idle(ctx):
    rcd = ctx.rcd('idle')
    try:
        ctx.rec.save('core-stats-idle.json', rcd.ok('core/stats'), 'fresh rcd, nothing run yet')
        ctx.rec.save('core-version.json', rcd.ok('core/version'), 'fresh rcd')
        ctx.rec.save('job-list-idle.json', rcd.ok('job/list'), 'fresh rcd, after core/stats and core/version only')
        ctx.rec.save('core-transferred-idle.json', rcd.ok('core/transferred'), 'fresh rcd, nothing transferred')
    finally:
        rcd.stop()


def s_move(ctx):
    base = os.path.join(ctx.data, 'move')
    src = os.path.join(base, 'local', 'Media')
    sizes = {'Movies/Film One (2019)/Film One (2019).mkv': 2_400_000,
             'Movies/Film Two (2020)/Film Two (2020).mkv': 2_700_000,
             'TV/Show/Season 01/Show S01E01.mkv': 2_950_000}
    for rel, size in sizes.items():
        write_random(os.path.join(src, rel), size)
    rcd = ctx.rcd('move')
    try:
        rcd.ok('core/bwlimit', {'rate': '2M'})
        start = rcd.ok('sync/move', {'srcFs': src, 'dstFs': ':memory:bucket', '_async': True})
        ctx.rec.save('sync-move-async.json', start, 'cloudplow-style move started with _async')
        jobid = start['json']['jobid']
        during = None
        deadline = time.time() + 10
        while time.time() < deadline:
            a = rcd.ok('core/stats')
            tr = a['json'].get('transferring') or []
            if len(tr) == 3 and all(t.get('bytes', 0) > 0 for t in tr):
                during = a
                break
            time.sleep(0.25)
        if during is None:
            raise RuntimeError('never saw 3 transfers in flight')
        ctx.rec.save('core-stats-move-transferring.json', during, 'move with bwlimit 2M: 3 files in flight')
        ctx.rec.save('core-stats-move-group.json', rcd.ok('core/stats', {'group': f'job/{jobid}'}),
                     'the same moment, the move job\'s own group')
        ctx.rec.save('job-list-move-running.json', rcd.ok('job/list'), 'while the move runs')
        fin = rcd.wait_job(jobid)
        ctx.rec.save('job-status-move-finished.json', fin, 'the move job after it finished')
        ctx.rec.save('core-stats-move-after.json', rcd.ok('core/stats'), 'after the move finished')
        ctx.rec.save('core-transferred-move.json', rcd.ok('core/transferred'), 'after the move of 3 files',
                     note={'sizes': sizes})
    finally:
        rcd.stop()


def s_move_fail(ctx):
    base = os.path.join(ctx.data, 'movefail')
    src = os.path.join(base, 'local', 'Media')
    rel = 'Movies/Growing (2021)/Growing (2021).mkv'
    path = os.path.join(src, rel)
    write_random(path, 3_000_000)
    rcd = ctx.rcd('move-fail')
    try:
        rcd.ok('core/bwlimit', {'rate': '1M'})
        start = rcd.ok('sync/move', {'srcFs': src, 'dstFs': ':memory:bucket', '_async': True})
        jobid = start['json']['jobid']
        time.sleep(0.8)
        with open(path, 'ab') as f:
            f.write(os.urandom(500_000))
        fin = rcd.wait_job(jobid)
        ctx.rec.save('job-status-move-failed.json', fin,
                     'move whose source grew by 500000 bytes 0.8 s into the upload (bwlimit 1M)')
        ctx.rec.save('core-transferred-move-failed.json', rcd.ok('core/transferred'),
                     'after that failed move: "source file is being updated"')
        ctx.rec.save('core-stats-move-failed-after.json', rcd.ok('core/stats'), 'after that failed move')
    finally:
        rcd.stop()


def s_server_side(ctx):
    base = os.path.join(ctx.data, 'serverside')
    src = os.path.join(base, 'local')
    dst = os.path.join(base, 'archive')
    for i, name in enumerate(['Episode 1.mkv', 'Episode 2.mkv', 'Episode 3.mkv']):
        write_random(os.path.join(src, 'Show', name), 300_000 + i * 1000)
    # The destination folder already holds a file in the same subfolder: otherwise rclone
    # moves the whole directory with one rename and records nothing per file.
    write_random(os.path.join(dst, 'Show', 'Episode 0.mkv'), 200_000)
    rcd = ctx.rcd('server-side')
    try:
        start = rcd.ok('sync/move', {'srcFs': src, 'dstFs': dst, '_async': True})
        fin = rcd.wait_job(start['json']['jobid'])
        ctx.rec.save('job-status-server-side-move.json', fin, 'local -> local move (server-side) finished')
        ctx.rec.save('core-transferred-server-side-move.json', rcd.ok('core/transferred'),
                     'after a local -> local move of 3 files into an existing folder')
        ctx.rec.save('core-stats-server-side-move.json', rcd.ok('core/stats'), 'after that server-side move')
    finally:
        rcd.stop()


class StallServer:
    """Serves '/' as a directory listing; /stalled.mkv sends 1 MiB of 4 MiB, then sleeps."""
    SIZE = 4 * 1024 * 1024
    SENT = 1024 * 1024
    NAME = 'stalled.mkv'

    def __init__(self):
        stop = self.stop_event = threading.Event()
        payload = os.urandom(self.SENT)
        size, name = self.SIZE, self.NAME
        self.gets = 0
        outer = self

        class H(http.server.BaseHTTPRequestHandler):
            protocol_version = 'HTTP/1.1'

            def log_message(self, *a):
                pass

            def _head(self):
                if self.path in ('/', ''):
                    body = f'<html><body><a href="{name}">{name}</a></body></html>'.encode()
                    self.send_response(200)
                    self.send_header('Content-Type', 'text/html; charset=utf-8')
                    self.send_header('Content-Length', str(len(body)))
                    self.end_headers()
                    return body
                if self.path == '/' + name:
                    self.send_response(200)
                    self.send_header('Content-Type', 'video/x-matroska')
                    self.send_header('Content-Length', str(size))
                    self.send_header('Last-Modified', 'Mon, 02 Nov 2026 10:00:00 GMT')
                    self.end_headers()
                    return b''
                self.send_error(404)
                return None

            def do_HEAD(self):
                self._head()

            def do_GET(self):
                body = self._head()
                if body is None:
                    return
                if body:
                    self.wfile.write(body)
                    return
                outer.gets += 1
                try:
                    self.wfile.write(payload)
                    self.wfile.flush()
                except OSError:
                    return
                stop.wait()  # never send the rest
                self.close_connection = True

        self.server = http.server.ThreadingHTTPServer(('127.0.0.1', 0), H)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.stop_event.set()
        self.server.shutdown()
        self.server.server_close()


def s_stall(ctx):
    server = StallServer()
    rcd = ctx.rcd('stall', extra=['--timeout=1h'])
    timeline = []
    try:
        src = f":http,url='http://127.0.0.1:{server.port}/':"
        start = rcd.ok('sync/copy', {'srcFs': src, 'dstFs': ':memory:bucket', '_async': True})
        t0 = time.time()
        stalling = stalled = last = None
        while True:
            time.sleep(ctx.args.stall_poll)
            a = rcd.ok('core/stats')
            elapsed = round(time.time() - t0)
            tr = a['json'].get('transferring') or []
            item = tr[0] if tr else {}
            eta = item.get('eta')
            timeline.append({'s': elapsed, 'eta': eta, 'speedAvg': item.get('speedAvg'),
                             'bytes': item.get('bytes'), 'statsEta': a['json'].get('eta')})
            print(f'  stall {ctx.version}: {elapsed}s eta={eta} speedAvg={item.get("speedAvg")}', flush=True)
            last = (elapsed, a)
            if eta == ETA_UNKNOWN:
                stalled = last
                break
            if isinstance(eta, (int, float)) and eta >= DAY:
                stalling = last
            if elapsed >= ctx.args.stall_max:
                break
        note = {'stallServer': 'sends 1048576 of 4194304 bytes, then nothing', 'pollEverySeconds': ctx.args.stall_poll,
                'timeline': timeline}
        if stalling:
            ctx.rec.save('core-stats-stalling.json', stalling[1],
                         f'http source stalled after 1 MiB of 4 MiB; {stalling[0]} s after the copy started '
                         '(last answer with an eta of a day or more before the sentinel)')
        if stalled:
            ctx.rec.save('core-stats-stalled.json', stalled[1],
                         f'the same stall, first answer with eta {ETA_UNKNOWN} ({stalled[0]} s after start)', note=note)
        else:
            ctx.rec.save('core-stats-stalled.json', last[1],
                         f'the same stall after {last[0]} s (ceiling --stall-max); no eta sentinel appeared', note=note)
        ctx.stall_result = {'stalling': stalling and stalling[0], 'stalled': stalled and stalled[0], 'last': last[0],
                            'gets': server.gets}
        rcd.ok('job/stop', {'jobid': start['json']['jobid']})
    finally:
        rcd.stop()
        server.close()


def s_auth(ctx):
    rcd = ctx.rcd('auth')
    try:
        ctx.rec.save('unauthorized.txt', rcd.call('core/stats', auth=False),
                     'core/stats without credentials on an rcd with --rc-user/--rc-pass')
    finally:
        rcd.stop()
    rcd = ctx.rcd('noauth', auth=False)
    try:
        ctx.rec.save('noauth-core-stats.json', rcd.call('core/stats'),
                     'rcd started without --rc-user/--rc-pass: core/stats')
        for method, params, name in [('job/list', {}, 'job-list'), ('core/bwlimit', {}, 'core-bwlimit')]:
            a = rcd.call(method, params)
            if a['status'] == 403:
                fname = 'error-403-auth-required.json' if method == 'job/list' else f'error-403-auth-required-{name}.json'
            else:
                fname = f'noauth-{name}.json'
            ctx.rec.save(fname, a, f'rcd started without --rc-user/--rc-pass: {method}')
    finally:
        rcd.stop()


def s_restart(ctx):
    base = os.path.join(ctx.data, 'restart')
    write_random(os.path.join(base, 'local', 'before.mkv'), 200_000)
    write_random(os.path.join(base, 'local2', 'after.mkv'), 200_000)
    port = free_port()
    work = os.path.join(ctx.root, 'rcd-restart')
    rcd = ctx.rcd('restart-1', port=port, work=work)
    try:
        start = rcd.ok('sync/copy', {'srcFs': os.path.join(base, 'local'), 'dstFs': ':memory:bucket', '_async': True})
        rcd.wait_job(start['json']['jobid'])
        ctx.rec.save('core-stats-before-restart.json', rcd.ok('core/stats'), 'after a small copy, before the rcd is restarted')
        ctx.rec.save('job-list-before-restart.json', rcd.ok('job/list'), 'after a small copy, before the rcd is restarted')
    finally:
        rcd.stop()
    rcd = ctx.rcd('restart-2', port=port, work=work)
    try:
        start = rcd.ok('sync/copy', {'srcFs': os.path.join(base, 'local2'), 'dstFs': ':memory:bucket', '_async': True})
        rcd.wait_job(start['json']['jobid'])
        ctx.rec.save('core-stats-after-restart.json', rcd.ok('core/stats'),
                     'new rcd on the same address, after one small copy')
        ctx.rec.save('job-list-after-restart.json', rcd.ok('job/list'), 'new rcd on the same address, after one small copy')
    finally:
        rcd.stop()


SITUATIONS = {'idle': s_idle, 'move': s_move, 'move-fail': s_move_fail, 'server-side': s_server_side,
              'stall': s_stall, 'auth': s_auth, 'restart': s_restart}


class Ctx:
    def __init__(self, args, rec, root, user, password, version):
        self.args, self.rec, self.root = args, rec, root
        self.data = os.path.join(root, 'data')
        self.user, self.password, self.version = user, password, version
        self.stall_result = None
        self.rcds = []

    def rcd(self, name, auth=True, extra=(), port=None, work=None):
        r = Rcd(self.args.rclone, work or os.path.join(self.root, f'rcd-{name}'), name, self.user, self.password,
                auth=auth, extra=extra, port=port)
        self.rcds.append(r)
        return r.start()


def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n')[1])
    p.add_argument('rclone')
    p.add_argument('out')
    p.add_argument('--keep-existing', action='store_true', help='do not overwrite files that exist')
    p.add_argument('--only', default=','.join(SITUATIONS), help='comma-separated: ' + ','.join(SITUATIONS))
    p.add_argument('--stall-max', type=int, default=600, help='ceiling on the stall wait, seconds')
    p.add_argument('--stall-poll', type=int, default=10, help='core/stats every N seconds during the stall')
    args = p.parse_args()
    args.rclone = os.path.abspath(args.rclone)
    os.makedirs(args.out, exist_ok=True)
    version = subprocess.run([args.rclone, 'version'], capture_output=True, text=True, check=True).stdout.split('\n')[0]
    root = os.path.realpath(tempfile.mkdtemp(prefix='rclone-rec-'))
    user, password = 'u' + secrets.token_hex(8), 'p' + secrets.token_hex(16)
    rec = Recorder(args.out, root, args.keep_existing, [user, password])
    ctx = Ctx(args, rec, root, user, password, version)
    names = [n for n in args.only.split(',') if n]
    for n in names:
        if n not in SITUATIONS:
            p.error(f'unknown situation {n}')
    print(f'recording {version} into {args.out}', flush=True)
    failures = []

    def run(n):
        print(f'- {n}', flush=True)
        try:
            SITUATIONS[n](ctx)
        except Exception as e:  # keep the other situations going
            failures.append((n, repr(e)))
            print(f'  FAILED {n}: {e!r}', file=sys.stderr, flush=True)

    stall_thread = None
    if 'stall' in names:
        stall_thread = threading.Thread(target=run, args=('stall',))
        stall_thread.start()
    for n in names:
        if n != 'stall':
            run(n)
    if stall_thread:
        stall_thread.join()
    for r in ctx.rcds:
        r.stop()
    rec.write_index(version)
    # Nothing of the temporary folder, the user name or the password may remain.
    for name in rec.written + ['index.json']:
        text = open(os.path.join(args.out, name), encoding='utf-8').read()
        for bad in (root, user, password, tempfile.gettempdir() + '/'):
            if bad in text:
                failures.append((name, f'contains {bad!r}'))
    if ctx.stall_result:
        print(f'stall: {ctx.stall_result}')
    for n, why in failures:
        print(f'FAILED {n}: {why}', file=sys.stderr)
    if not failures:
        shutil.rmtree(root, ignore_errors=True)
    else:
        print(f'logs kept in {root}', file=sys.stderr)
    return 1 if failures else 0


if __name__ == '__main__':
    sys.exit(main())
