import { discoverLaunches, discoveryOptions } from '../config/cloudplowDiscovery.js';
import { loadConfig, loadConfigOnHost, type ConfigFlags } from '../config/load.js';
import type { CloudplowLaunch } from '../config/cloudplowLaunch.js';
import type { ResolvedConfig } from '../config/schema.js';
import { Daemon } from '../daemon/daemon.js';
import { NOTHING_TO_WATCH, nothingToWatch } from '../format/nothingToWatch.js';
import { readHtpasswd } from '../serve/basicAuth.js';
import { startServer } from '../serve/server.js';
import { PublishedFiles } from '../write/publishedFiles.js';
import { untilSignal } from './lifecycle.js';

const say = (line: string) => process.stderr.write(`${line}\n`);

export interface Running {
  url: string;
  daemon: Daemon;
  stop(): Promise<void>;
}

/** The sidecar and the built-in server, started: what `run` and `demo` share. */
export async function startRun(config: ResolvedConfig, opts: { rediscover?: () => CloudplowLaunch[]; demo?: boolean } = {}): Promise<Running> {
  // What the daemon writes, the server answers from memory: a viewer's poll touches no disk.
  const published = new PublishedFiles();
  const daemon = new Daemon(config, { continuous: true, ...opts, published });
  // Listen first: a taken port should fail before anything is written.
  const server = await startServer({ ...serverSettings(config), published });
  try {
    await daemon.start();
  } catch (err) {
    await server.close();
    throw err;
  }
  return {
    url: server.url,
    daemon,
    stop: async () => {
      await daemon.stop();
      await server.close();
    },
  };
}

/** `run`: the sidecar and the built-in server in one process. */
export async function runCommand(flags: ConfigFlags): Promise<number> {
  const config = loadConfigOnHost(flags);
  // Listened for from the start: the data files go out before the pages are built, and a stop
  // asked for in between must still end in an orderly stop that saves the state.
  const signalled = untilSignal();
  const running = await startRun(config, { rediscover: () => discoverLaunches(discoveryOptions()) });
  say(`plowboard: serving ${config.output} at ${running.url}/${loginNote(config)} — polling ${config.rclone.map((r) => r.url).join(', ')}`);
  // Every source has been read once by now: a first start on a machine without cloudplow hears why the page is empty.
  if (nothingToWatch(running.daemon.sourceHealth())) say(`plowboard: ${NOTHING_TO_WATCH}`);
  await signalled;
  await running.stop();
  return 0;
}

/** `sidecar`: data files and site only, for nginx or another server. */
export async function sidecarCommand(flags: ConfigFlags): Promise<number> {
  const config = loadConfigOnHost(flags);
  const signalled = untilSignal();
  const daemon = new Daemon(config, { continuous: true, rediscover: () => discoverLaunches(discoveryOptions()) });
  await daemon.start();
  say(`plowboard: writing ${config.output} — polling ${config.rclone.map((r) => r.url).join(', ')}`);
  await signalled;
  await daemon.stop();
  return 0;
}

/** `build`: read every source once, write the data and the site, exit. */
export async function buildCommand(flags: ConfigFlags): Promise<number> {
  const config = loadConfigOnHost(flags);
  const daemon = new Daemon(config, { continuous: false });
  await daemon.prepare();
  const site = daemon.sourceHealth().find((s) => s.kind === 'site');
  await daemon.stop();
  // The data files are written either way; a one-off build whose pages failed is still a failure
  // (a sidecar keeps running instead, with the problem in health.json).
  if (site?.state === 'error') {
    say(`plowboard: wrote the data files in ${config.output}, but not the pages (see the error above)`);
    return 1;
  }
  say(`plowboard: built ${config.output}`);
  return 0;
}

/** `serve`: serve an existing output folder. */
export async function serveCommand(flags: ConfigFlags): Promise<number> {
  const config = loadConfig(flags);
  const server = await startServer(serverSettings(config));
  say(`plowboard: serving ${config.output} at ${server.url}/${loginNote(config)}`);
  await untilSignal();
  await server.close();
  return 0;
}

/** The built-in server's settings. The login file is read here, before anything starts: a bad one is exit 2 with one line. */
function serverSettings(config: ResolvedConfig) {
  const s = config.serve;
  const users = s?.authFile ? readHtpasswd(s.authFile) : null;
  return { root: config.output, host: config.host, port: config.port, allowedHosts: s?.allowedHosts, frameAncestors: s?.frameAncestors, users };
}

const loginNote = (config: ResolvedConfig) => (config.serve?.authFile ? ` (login required: ${config.serve.authFile})` : '');
