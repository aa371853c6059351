import { Command, CommanderError, Option } from 'commander';
import { ConfigError } from './config/configError.js';
import type { ConfigFlags } from './config/load.js';
import { checkCommand } from './commands/check.js';
import { buildCommand, runCommand, serveCommand, sidecarCommand } from './commands/daemonCommands.js';
import { outputOption, settingOption, withRunningOptions, withServerOptions, withSourceOptions } from './commands/options.js';
import type { SnapshotFlags } from './commands/snapshot.js';
import type { DemoFlags } from './demo/demoCommand.js';
import { version } from './projectRoot.js';

type Action = (flags: ConfigFlags) => Promise<number>;

/** Exit codes: 0 fine, 1 a runtime failure (e.g. the port is taken), 2 a bad configuration or usage. */
export async function main(argv: string[]): Promise<number> {
  let code = 0;
  const act = (action: Action) => async (flags: ConfigFlags) => {
    code = await action(flags);
  };
  const program = new Command('plowboard')
    .description('A read-only dashboard for cloudplow and rclone uploads')
    .version(version)
    .exitOverride()
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({ writeErr: (s) => process.stderr.write(s) });

  const sub = (name: string, description: string) => program.command(name).description(description).exitOverride();

  withRunningOptions(withServerOptions(withSourceOptions(sub('run', 'sidecar and built-in web server (the default)')))).action(act(runCommand));
  withRunningOptions(withSourceOptions(sub('sidecar', 'sidecar only: data files and site, for nginx or another server'))).action(act(sidecarCommand));
  withSourceOptions(sub('build', 'read every source once, write the data and the site, exit')).action(act(buildCommand));
  withServerOptions(sub('serve', 'serve an output folder').addOption(outputOption()).addOption(settingOption('config'))).action(
    act(serveCommand),
  );
  withSourceOptions(sub('snapshot', 'a self-contained copy for a wiki: HTML with charts as SVG, Markdown, and the JSON it was made from'), { output: false })
    .option('--out <dir>', 'folder to write the snapshot into (files are named by the data\'s time)')
    .addOption(
      new Option('--from <dir>', 'make it from this output folder instead of reading the sources once').conflicts([
        'config',
        'cloudplowConfig',
        'rcloneUrl',
        'rcloneUser',
        'rclonePassFile',
        'interval',
        'transfersLimit',
        'saQuota',
      ]),
    )
    .option('--git <repo>', 'also (or instead) commit it to this git repository, a wiki, and push; credentials from git, never in the URL')
    .option('--git-path <dir>', 'folder in the repository for the snapshots and latest.md (default plowboard)')
    .option('--keep <n>', 'snapshots kept in that folder, older ones removed (default 48)')
    .option('--redact-names', 'replace file names with file-N placeholders everywhere, the copied JSON included')
    .action(async (flags: SnapshotFlags) => {
      // Loaded only here: its schema validator would sit in a sidecar's memory for months unused.
      const { snapshotCommand } = await import('./commands/snapshot.js');
      code = await snapshotCommand(flags);
    });
  withSourceOptions(sub('check', 'read every source once and report what works and what does not')).action(act(checkCommand));
  withServerOptions(sub('demo', 'a live dashboard on a generated cloudplow and a real rclone (needs rclone); Ctrl-C stops it and removes it all'))
    .addOption(new Option('--interval <seconds>', 'poll interval (default 1)'))
    .addOption(new Option('--sa-seconds <seconds>', 'how long each SA uploads before the next (PLOWBOARD_DEMO_SA_SECONDS; default 60)'))
    .action(async (flags: DemoFlags) => {
      const { demoCommand } = await import('./demo/demoCommand.js');
      code = await demoCommand(flags);
    });

  try {
    const args = argv.slice(2);
    // `plowboard` alone, or with flags only, means `plowboard run`.
    const first = args[0];
    if (!first || (first.startsWith('-') && !['-h', '--help', '-V', '--version'].includes(first))) args.unshift('run');
    await program.parseAsync(args, { from: 'user' });
    return code;
  } catch (err) {
    if (err instanceof CommanderError) return err.exitCode === 0 ? 0 : 2;
    if (err instanceof ConfigError) {
      for (const problem of err.problems) process.stderr.write(`plowboard: configuration error: ${problem.message}\n`);
      return 2;
    }
    throw err;
  }
}
