import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import type { Health, Logs } from '../../sidecar/contract/index.js';
import { freePort, waitFor } from '../helpers/ports.js';
import { RealCloudplow, cloudplowVendor } from '../helpers/realCloudplow.js';
import { filesContaining } from '../helpers/secrets.js';
import { runCli, sidecarOnCloudplow } from '../helpers/sidecarProcess.js';

/**
 * The real cloudplow at DEBUG, as a user turns it on to find a problem: it logs rclone's
 * whole command line (`Using: rclone move … --rc-pass=…`), the environment it hands rclone
 * (`{'PATH': …}`), the Plex token when Plex cannot be reached, and apprise logs the
 * notifier's webhook. plowboard republishes that log; no canary may reach anything it
 * writes, while the lines themselves are still shown.
 */
const vendor = cloudplowVendor();

const C = {
  plexToken: 'CANplexTok9a1',
  nzbPass: 'CANnzbPass9b2',
  webhookKey: 'CANhookKey9c3',
  extrasToken: 'CANdriveTok9d4',
  envPass: 'CANenvPass9e5',
  envOther: 'CANenvPlain9f6',
};

const work = mkdtempSync(path.join(tmpdir(), 'plowboard-cpsecrets-'));
const cleanups: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Every needle found under every folder, as "needle in file" lines; empty when nothing leaked. */
function leaks(dirs: string[], needles: string[]): string[] {
  return dirs.flatMap((d) => needles.flatMap((n) => filesContaining(d, n).map((f) => `${n} in ${f}`)));
}

describe.skipIf(!!vendor.skip)(vendor.skip ? `real cloudplow at DEBUG (skipped: ${vendor.skip})` : 'real cloudplow at DEBUG', () => {
  it("republishes its log without a secret: data files, CSV, metrics, pages, state and snapshots", async () => {
    const plexPort = await freePort();
    const cp = await new RealCloudplow(vendor.dir!, 'upstream', {
      files: [
        ['Show/a.mkv', 150_000],
        ['Show/b.mkv', 150_000],
      ],
      accounts: 1,
      bwlimit: '500k',
      loglevel: 'DEBUG',
      // cloudplow hands its environment to rclone and logs it as a dict.
      env: { RCLONE_CONFIG_PASS: C.envPass, HOMELAB_SETTING: C.envOther },
      editConfig: (config) => {
        // Plex on, at a port where nothing listens: cloudplow logs "Exception validating server token=…".
        config.plex.enabled = true;
        config.plex.url = `http://127.0.0.1:${plexPort}`;
        config.plex.token = C.plexToken;
        config.plex.rclone.url = `http://127.0.0.1:${config.remotes.google.rclone_extras['--rc-addr'].split(':')[1]}`;
        config.uploader.google.can_be_throttled = true;
        config.nzbget = { enabled: true, url: `http://nzbuser:${C.nzbPass}@127.0.0.1:${plexPort}` };
        config.notifications = { discord: { service: 'apprise', url: `discord://4242424242/${C.webhookKey}` } };
        config.remotes.google.rclone_extras['--drive-token'] = C.extrasToken;
      },
    }).prepare();
    cleanups.push(() => cp.cleanup());
    const sidecar = await sidecarOnCloudplow(cp.config, [], { url: cp.rcUrl, user: cp.rcUser, pass: cp.rcPass });
    cleanups.push(sidecar.stop);

    cp.start();
    expect(await cp.finished(), cp.output.slice(-3000)).toBe(0);
    const raw = cp.logText();
    // Not vacuous: cloudplow itself wrote each of these into its log, in its own shapes.
    expect(raw).toMatch(/Using: rclone move .*--rc-pass=rc-secret-pass.*--drive-token=CANdriveTok9d4/);
    expect(raw).toContain(`'RCLONE_CONFIG_PASS': '${C.envPass}'`);
    expect(raw).toContain(`'HOMELAB_SETTING': '${C.envOther}'`);
    expect(raw).toContain(`token=${C.plexToken}`);
    expect(raw).toContain(`webhooks/4242424242/${C.webhookKey}`);
    const logged = Object.values(C).filter((c) => raw.includes(c));
    expect(logged.length).toBeGreaterThanOrEqual(5);

    // Read to the end of the run, then give the writers a moment to write CSV and metrics too.
    const logs = await waitFor('the whole run in logs.json', () => {
      const l = sidecar.data<Logs>('logs');
      return l.lines.some((x) => /Upload completed successfully|Finished upload/.test(x.message)) ? l : null;
    }, 30_000);
    await waitFor('transfers listed', () => sidecar.data('transfers').transfers.length >= 1, 30_000);

    // The lines are there, redacted, not dropped.
    const messages = logs.lines.map((l) => l.message);
    const using = messages.find((m) => m.startsWith('Using: rclone move'));
    expect(using).toContain('--rc-pass=[redacted]');
    expect(using).toContain('--drive-token=[redacted]');
    expect(using).toContain('--rc-user=[redacted]');
    expect(using).toContain('--bwlimit=500k');
    expect(messages.find((m) => m.includes("'RCLONE_CONFIG_PASS'"))).toContain("'RCLONE_CONFIG_PASS': '[redacted]'");
    expect(messages.some((m) => /^Exception validating server token=\[redacted\]/.test(m))).toBe(true);
    // The webhook's id goes too: a long run of digits in a notifier URL is taken for part of its key.
    expect(messages.some((m) => m.startsWith('Discord POST URL: https://discord.com/api/webhooks/[redacted]/[redacted]'))).toBe(true);
    // And still understood: the SA and the copied files come from these same lines.
    expect(logs.events.some((e) => e.kind === 'sa_chosen' && e.account === '1.json')).toBe(true);
    expect(logs.events.filter((e) => e.kind === 'file_copied').length).toBeGreaterThanOrEqual(1);

    // Snapshots: from the sidecar's output folder, and from reading the sources once.
    const fromOutput = path.join(work, 'snap-from');
    const a = await runCli(['snapshot', '--from', sidecar.out, '--out', fromOutput]);
    expect(a.code, a.stderr).toBe(0);
    const direct = path.join(work, 'snap-direct');
    const b = await runCli(['snapshot', '--cloudplow-config', cp.config, '--rclone-url', cp.rcUrl, '--out', direct, '--state-dir', path.join(work, 'snap-state')], {
      PLOWBOARD_RCLONE_USER: cp.rcUser,
      PLOWBOARD_RCLONE_PASS: cp.rcPass,
    });
    expect(b.code, b.stderr).toBe(0);
    // Read from the log itself, not from the sidecar's files: redacted on this path too.
    const directLogs = readdirSync(direct, { recursive: true, encoding: 'utf8' }).find((f) => f.endsWith('logs.json'))!;
    expect(readFileSync(path.join(direct, directLogs), 'utf8')).toContain('--rc-pass=[redacted]');

    // Stopped first: the state folder (finished transfers, history) is saved on the way out.
    await sidecar.proc.stop();
    const state = `${sidecar.out}-state`;
    expect(existsSync(path.join(state, 'transfers.json')), 'the state folder was saved').toBe(true);
    // What the walk covers is there: data files, CSV, metrics, pages.
    for (const f of ['data/logs.json', 'data/health.json', 'data/transfers.json', 'data/transfers.csv', 'metrics.prom', 'index.html', 'logs/index.html']) {
      expect(existsSync(path.join(sidecar.out, f)), f).toBe(true);
    }
    const needles = [...Object.values(C), cp.rcPass];
    expect(leaks([sidecar.out, state, fromOutput, direct], needles)).toEqual([]);
    expect(a.stdout + a.stderr + b.stdout + b.stderr).not.toMatch(new RegExp(needles.join('|')));
  });
});

describe("cloudplow's config.json that does not parse", () => {
  it('is reported in health.json by line and column, and the text beside the error is not', async () => {
    const dir = mkdtempSync(path.join(work, 'broken-'));
    const config = path.join(dir, 'config.json');
    const canary = 'CANbrokenTok7g8';
    // A token pasted without quotes: Node 20's message would quote it ("Unexpected token 'C', ..."token": CANbro"...).
    writeFileSync(config, `{\n  "plex": {\n    "url": "http://plex:32400",\n    "token": ${canary}\n  },\n  "nzbget": {"url": "https://u:${canary}@nzb"}\n}\n`);
    let nodeSays = '';
    try {
      JSON.parse(readFileSync(config, 'utf8'));
    } catch (err) {
      nodeSays = (err as Error).message;
    }
    expect(nodeSays).toContain('CANbro');

    const sidecar = await sidecarOnCloudplow(config);
    cleanups.push(sidecar.stop);
    const source = await waitFor('the config problem in health.json', () => {
      const h = sidecar.data<Health>('health');
      return h.sources.find((s) => s.lastError?.message.includes('config.json')) ?? null;
    }, 30_000);
    expect(source.lastError!.message).toBe(`${config} is not valid JSON at line 4, column 14`);
    expect(leaks([sidecar.out], [canary.slice(0, 6)])).toEqual([]);
  });
});
