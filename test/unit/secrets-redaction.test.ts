import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { findCloudplowConfig } from '../../sidecar/config/cloudplow.js';
import { ConfigError } from '../../sidecar/config/configError.js';
import { loadConfig } from '../../sidecar/config/load.js';
import { eventOf, parseLogLine } from '../../sidecar/normalize/cloudplowLog.js';
import { cloudplowConfigSecrets } from '../../sidecar/normalize/configSecrets.js';
import { jsonErrorAt, jsonSyntaxMessage } from '../../sidecar/normalize/jsonSyntax.js';
import { normalizeTransferred } from '../../sidecar/normalize/rcloneTransferred.js';
import { normalizeStats } from '../../sidecar/normalize/rcloneStats.js';
import { REDACTED, Redactor, redactor } from '../../sidecar/normalize/secrets.js';
import { parseLenientJson } from '../../sidecar/sources/lenientJson.js';
import { SourceStatus } from '../../sidecar/sources/sourceStatus.js';

const r = new Redactor();
afterEach(() => {
  r.forget();
  redactor.forget();
});

/** Each line holds one canary in one shape; what must survive is checked beside it. */
const SHAPES: Array<[name: string, line: string, canary: string, kept: string[]]> = [
  ['--rc-pass=value (cloudplow upstream, shell)', 'Using: rclone move /a gdrive:x --rc --rc-pass=CAN1pw --transfers=4', 'CAN1pw', ['--rc-pass=', '--transfers=4', '--rc ']],
  ['--rc-user=value', 'Using: rclone move /a gdrive:x --rc-user=CAN2user --rc-pass=x', 'CAN2user', ['--rc-user=']],
  ["--flag='quoted value'", "Using: rclone move /a b: --drive-client-secret='CAN3 with space' --checkers=4", 'CAN3', ['--checkers=4']],
  ['--flag "double quoted"', 'Using: rclone move /a b: --drive-token "CAN4{\\"x\\":1}" -v', 'CAN4', [' -v']],
  ['--flag value', 'rclone copy a b --s3-secret-access-key CAN5key --fast-list', 'CAN5key', ['--fast-list']],
  ['shlex-quoted quote', `--rc-pass='it'"'"'sCAN6' --x=1`, 'CAN6', ['--x=1']],
  ["Python list: '--rc-pass', 'value'", "Using: ['rclone', 'move', '/a', 'g:', '--rc-user', 'CAN7u', '--rc-pass', 'CAN7p', '--transfers', '4']", 'CAN7', ["'--transfers', '4'", "'--rc-pass'"]],
  ["Python list element '--flag=value'", `Using: ['rclone', '--drive-token={"access_token":"CAN8tok"}', '--checkers=8']`, 'CAN8', ["'--checkers=8'"]],
  ['user:pass@ in a URL', 'Connecting to https://nzbuser:CAN9pass@nzbget.example:6789/jsonrpc', 'CAN9', ['@nzbget.example:6789/jsonrpc', 'nzbget.example']],
  ['Authorization header', 'Request headers: Authorization: Basic CAN10b64xyz=', 'CAN10', ['Authorization:']],
  ['Authorization in a dict', "headers={'Authorization': 'Bearer CAN11tok', 'Accept': 'application/json'}", 'CAN11', ["'Accept': 'application/json'"]],
  ['bare bearer token', 'retrying with bearer CAN12abcdefgh', 'CAN12', ['retrying with bearer']],
  ['X-Plex-Token query', 'GET http://plex:32400/status/sessions?X-Plex-Token=CAN13plex&foo=bar', 'CAN13', ['&foo=bar', 'X-Plex-Token=']],
  ['token= query', 'https://example/api?format=json&token=CAN14t', 'CAN14', ['format=json']],
  ['apikey= and api_key=', 'sabnzbd: http://sab/api?mode=queue&apikey=CAN15a&output=json then api_key=CAN15b', 'CAN15', ['mode=queue', 'output=json']],
  ['password= query', 'login?user=bob&password=CAN16pw', 'CAN16', ['user=bob']],
  ['X-Plex-Token header', 'X-Plex-Token: CAN17hdr', 'CAN17', ['X-Plex-Token:']],
  [
    "environment dict repr: {'RCLONE_CONFIG_PASS': …}",
    "{'PATH': '/usr/bin', 'RCLONE_CONFIG_PASS': 'CAN18cfg', 'RCLONE_CONFIG_GDRIVE_SERVICE_ACCOUNT_FILE': '/sa/1.json', 'HOME': \"/root/CAN18home\"}",
    'CAN18',
    ["'RCLONE_CONFIG_PASS': ", "'PATH': ", "'HOME': "],
  ],
  ['KEY=value environment list', 'env: HOME=/root RCLONE_CONFIG_PASS=CAN19env RCLONE_CONFIG_GD_TOKEN=CAN19tok LANG=C.UTF-8', 'CAN19', ['HOME=/root', 'LANG=C.UTF-8', 'RCLONE_CONFIG_PASS=']],
  ['JSON "apikey": number', '{"sabnzbd": {"apikey": 81423425111, "url": "https://sab"}}', '81423425111', ['"url": "https://sab"']],
  ["rclone's connection-string remote", 'Failed to create file system for ":s3,access_key_id=AK,secret_access_key=CAN21sk:bucket"', 'CAN21', ['Failed to create file system for', 'access_key_id=']],
];

describe('the redactor: shapes that say a secret follows', () => {
  for (const [name, line, canary, kept] of SHAPES) {
    it(`removes ${name}`, () => {
      expect(line).toContain(canary);
      const out = r.redact(line);
      expect(out).not.toContain(canary);
      expect(out).toContain(REDACTED);
      for (const k of kept) expect(out).toContain(k);
    });
  }

  it('leaves lines without secrets exactly as they were', () => {
    for (const line of [
      "Uploading '/mnt/local/Media' to remote: google",
      'Using service account: /opt/sa/monkey-key-3.json',
      '2026/12/02 10:00:00 ERROR : Show/S01E01.mkv: Failed to copy: googleapi: Error 403: User rate limit exceeded., userRateLimitExceeded',
      'Using: rclone move /a gdrive:Media --config=/x/rclone.conf --rc --rc-no-auth --rc-addr=127.0.0.1:5572 --drive-stop-on-upload-limit --user-agent=Mozilla/5.0 --exclude=\'**partial~\'',
      'Using ENV setting CLOUDPLOW_CONFIG=/opt/cloudplow/config.json',
      'basic authentication failed',
      'Tracked trigger: Failed to copy: googleapi: Error 403 has occurred 1/2 times',
    ]) {
      expect(r.redact(line)).toBe(line);
    }
  });

  it('takes one pass over a hostile 64 KiB line, not seconds of backtracking', () => {
    // A file name is written into cloudplow's log by rclone: its shape is anyone's.
    for (const line of [
      ` --${'pass-'.repeat(13000)}`,
      '--pass'.repeat(10000),
      `'${'token'.repeat(13000)}`,
      ` ${'key.'.repeat(16000)}`,
      `--${'a-'.repeat(30000)}`,
      'a://'.repeat(16000),
    ]) {
      const started = performance.now();
      r.redact(line);
      // Measured at 1-11 ms; a regex that backtracks took 1-4 s on each of these.
      expect(performance.now() - started, line.slice(0, 20)).toBeLessThan(300);
    }
  });

  it('removes literal secrets wherever they appear, URL-encoded too, and ignores short ones', () => {
    r.remember(['CANlit/42+x', 'pw']);
    expect(r.redact('posting to https://hooks.example/CANlit/42+x now')).toBe(`posting to https://hooks.example/${REDACTED} now`);
    expect(r.redact(`q=${encodeURIComponent('CANlit/42+x')}`)).not.toContain('CANlit');
    // Two characters would shred every line: only the shapes above catch those.
    expect(r.redact('password is pw')).toBe('password is pw');
  });
});

describe("secrets in cloudplow's config", () => {
  const config = {
    plex: { url: 'http://plex:32400', token: 'CANplexTOKEN1', rclone: { url: 'http://localhost:7949' } },
    nzbget: { enabled: true, url: 'https://nzb:CANnzbPASS2@nzbget.example' },
    sabnzbd: { url: 'https://sab.example', apikey: 'CANsabKEY3' },
    notifications: {
      discord: { service: 'apprise', url: 'discord://123456789012/CANwebhook4TOKEN' },
      push: { service: 'pushover', app_token: 'CANpushAPP5', user_token: 'CANpushUSER6', priority: 0 },
      slack: { service: 'slack', webhook_url: 'https://hooks.slack.com/services/T000/B000/CANslack7XXXXXX' },
    },
    remotes: { google: { upload_folder: '/mnt/local/Media', rclone_extras: { '--drive-token': 'CANdrive8', '--rc-pass': 'CANrcpass9', '--rc-user': 'cloudplow', '--transfers': 8 } } },
    uploader: { google: { service_account_path: '/opt/sa' } },
  };

  it('finds every secret and no ordinary setting', () => {
    const secrets = cloudplowConfigSecrets(config);
    for (const c of ['CANplexTOKEN1', 'CANnzbPASS2', 'CANsabKEY3', 'CANwebhook4TOKEN', 'CANpushAPP5', 'CANpushUSER6', 'CANslack7XXXXXX', 'CANdrive8', 'CANrcpass9']) {
      expect(secrets, c).toContainEqual(expect.stringContaining(c));
    }
    for (const plain of ['/mnt/local/Media', '/opt/sa', 'http://plex:32400', 'cloudplow', 'apprise', 'hooks.slack.com', 'services']) expect(secrets).not.toContain(plain);
  });

  it("removes them in the shapes libraries print them: apprise's Discord URL is not the configured one", () => {
    r.remember(cloudplowConfigSecrets(config));
    const out = r.redact('Discord POST URL: https://discord.com/api/webhooks/123456789012/CANwebhook4TOKEN (cert_verify=True)');
    expect(out).not.toContain('CANwebhook4');
    expect(out).toContain('https://discord.com/api/webhooks/');
    expect(r.redact('Plex said no to CANplexTOKEN1')).toBe(`Plex said no to ${REDACTED}`);
  });
});

describe('where text enters', () => {
  const debugLine = (message: string) => `2026-12-02 07:37:32,541 - DEBUG      - rclone               - upload                         - ${message}`;

  it("a cloudplow log line: redacted before it is cut, and still recognized", () => {
    redactor.remember(['CANliteralPW12345']);
    const line = parseLogLine(debugLine('Using: rclone move /a g: --rc-pass=CANflagpw --bwlimit=8M --other CANliteralPW12345'));
    expect(line.level).toBe('DEBUG');
    expect(line.message).toBe('Using: rclone move /a g: --rc-pass=[redacted] --bwlimit=8M --other [redacted]');
    // A known password cut in half at the length limit would no longer be recognized: the cut comes after.
    const edge = parseLogLine(debugLine(`${'y'.repeat(1994)} CANliteralPW12345`));
    expect(edge.message).not.toContain('CAN');
    expect(edge.message.startsWith('y'.repeat(1994))).toBe(true);

    const info = parseLogLine('2026-12-02 07:37:32,438 - INFO       - uploader             - set_service_account            - Using service account: /opt/sa/3.json');
    expect(eventOf(info)).toMatchObject({ kind: 'sa_chosen', account: '3.json' });
    const copied = parseLogLine('2026-12-02 07:37:32,868 - INFO       - process              - execute                        - 2026/12/02 07:37:32 INFO  : Show/a.mkv: Copied (new)');
    expect(eventOf(copied)).toMatchObject({ kind: 'file_copied', detail: 'Show/a.mkv' });
  });

  it("rclone's transfer errors, remotes and lastError", () => {
    const [t] = normalizeTransferred(
      {
        transferred: [
          {
            name: 'a.mkv',
            size: 10,
            bytes: 0,
            error: 'Post "https://u:CANrcloneERR@host/x?token=CANq": dial tcp',
            started_at: '2026-12-02T10:00:00Z',
            completed_at: '2026-12-02T10:00:01Z',
            srcFs: ':s3,secret_access_key=CANsrcfs:bucket',
            dstFs: 'gdrive:',
          },
        ],
      },
      'default',
    );
    expect(JSON.stringify(t)).not.toMatch(/CANrcloneERR|CANq|CANsrcfs/);
    expect(t!.error).toContain('dial tcp');
    const stats = normalizeStats({ lastError: 'failed: Authorization: Bearer CANlastERR1234', errors: 1 }, 'default');
    expect(stats?.lastError).not.toContain('CANlastERR');
  });

  it("every source's message and hint on its way to health.json", () => {
    redactor.remember(['CANownRclonePW']);
    const s = new SourceStatus('rclone:default', 'rclone', 'default', 'http://127.0.0.1:5572');
    s.fail('error', 'HTTP 500 from core/stats: bad ?apikey=CANhealth1 CANownRclonePW', { hint: 'check https://u:CANhint2@h' });
    s.note('x', 'note with --rc-pass=CANnote3');
    expect(JSON.stringify(s.health())).not.toMatch(/CANhealth1|CANownRclonePW|CANhint2|CANnote3/);
  });
});

describe('files that do not parse: line and column, never their text', () => {
  const work = () => mkdtempSync(path.join(tmpdir(), 'plowboard-redact-'));
  const broken = '{\n  "plex": {\n    "token": CANparseTOKEN\n  }\n}\n';

  it('locates the first error as Node would, and passes valid JSON', () => {
    expect(jsonErrorAt(broken)).toEqual({ line: 3, column: 14 });
    expect(jsonErrorAt('{"a": [1, 2.5e3, true, null, "\\u00e9"]}')).toBeNull();
    expect(jsonErrorAt('{"a": 1,}')).toEqual({ line: 1, column: 9 });
    expect(jsonErrorAt('{"a": "x"')).toEqual({ line: 1, column: 10 });
    expect(jsonErrorAt('[1] x')).toEqual({ line: 1, column: 5 });
    for (const text of [broken, '{"a": 1,}', '{"a": "x"', '[01]', '{"a": "\u0001"}', '{"a" 1}', 'nul']) {
      expect(() => JSON.parse(text)).toThrow();
      expect(jsonErrorAt(text), text).not.toBeNull();
    }
    expect(jsonSyntaxMessage(broken)).toBe('not valid JSON at line 3, column 14');
  });

  it("Node's own message would have leaked it (so the test means something)", () => {
    let message = '';
    try {
      JSON.parse('{"token": CANnodeQUOTES}');
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toContain('CANnode');
  });

  it("cloudplow's config.json", () => {
    const dir = work();
    const file = path.join(dir, 'config.json');
    writeFileSync(file, broken);
    const read = findCloudplowConfig({ path: file, from: '--cloudplow-config' }, dir);
    expect(read.problem).toBe(`${file} is not valid JSON at line 3, column 14`);
    writeFileSync(file, '{"token": CANquoted}');
    expect(findCloudplowConfig({ path: file, from: 'x' }, dir).problem).not.toContain('CANquoted');
  });

  it("plowboard's own config file", () => {
    const dir = work();
    const file = path.join(dir, 'plowboard.json');
    writeFileSync(file, '{"rclone": [{"url": "http://127.0.0.1:1", "pass": CANownPASS}]}');
    let err: unknown;
    try {
      loadConfig({ config: file }, {}, dir);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toBe(`${file}: not valid JSON at line 1, column 51`);
  });

  it("the fork's JSON files, strict and lenient", () => {
    for (const text of ['{"a": CANstrict}', '{"a": Infinity, "b": CANlenient}']) {
      let message = '';
      try {
        parseLenientJson(text);
      } catch (err) {
        message = (err as Error).message;
      }
      expect(message).toMatch(/^not valid JSON at line 1, column \d+$/);
    }
  });
});
