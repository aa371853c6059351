import { Command, Option } from 'commander';

const collect = (value: string, previous: string[] = []) => [...previous, value];

/** The flags every command that reads sources shares. Each also has a PLOWBOARD_* variable. */
export function withSourceOptions(cmd: Command, opts: { output?: boolean } = {}): Command {
  cmd
    .addOption(new Option('--config <file>', "plowboard's own JSON config file (PLOWBOARD_CONFIG)"))
    .addOption(new Option('--cloudplow-config <file>', "cloudplow's config.json (PLOWBOARD_CLOUDPLOW_CONFIG, else CLOUDPLOW_CONFIG, else discovered)"))
    .addOption(
      new Option('--rclone-url <url>', 'rclone RC URL, repeatable; name=URL names it (PLOWBOARD_RCLONE_URL, comma-separated); never with a password in it: use PLOWBOARD_RCLONE_PASS or --rclone-pass-file').argParser(collect),
    )
    .addOption(new Option('--rclone-user <user>', 'RC user for the first instance (PLOWBOARD_RCLONE_USER)'))
    .addOption(
      new Option('--rclone-pass-file <file>', 'file holding the RC password (PLOWBOARD_RCLONE_PASS_FILE; or PLOWBOARD_RCLONE_PASS)'),
    )
    .addOption(new Option('--interval <seconds>', 'poll interval while rclone answers (PLOWBOARD_INTERVAL; default 2)'))
    .addOption(new Option('--transfers-limit <n>', 'completed transfers kept (PLOWBOARD_TRANSFERS_LIMIT; default 1000)'))
    .addOption(new Option('--log-lines <n>', "lines of cloudplow's log kept in logs.json (PLOWBOARD_LOG_LINES; default 500)"))
    .addOption(new Option('--sa-quota <amount>', 'daily quota per service account, e.g. 750GiB or 750GB (PLOWBOARD_SA_QUOTA; default 750GiB)'))
    .addOption(new Option('--state-dir <dir>', 'where history and finished transfers are kept between runs (PLOWBOARD_STATE_DIR; default ./state)'));
  return opts.output === false ? cmd : cmd.addOption(outputOption());
}

export function withServerOptions(cmd: Command): Command {
  return cmd
    .addOption(new Option('--host <host>', 'address to listen on (PLOWBOARD_HOST; default 127.0.0.1)'))
    .addOption(new Option('--port <port>', 'port to listen on (PLOWBOARD_PORT; default 47949)'))
    .addOption(
      new Option('--allowed-host <name>', 'a Host name to answer besides localhost and this address, repeatable or comma-separated; * for any, behind a proxy (PLOWBOARD_ALLOWED_HOST)').argParser(collect),
    )
    .addOption(new Option('--frame-ancestors <sources>', "CSP frame-ancestors: who may embed the pages (PLOWBOARD_FRAME_ANCESTORS; default 'self')"))
    .addOption(new Option('--auth-file <file>', 'htpasswd file with bcrypt entries: a login for every page and file (PLOWBOARD_AUTH_FILE)'));
}

export function outputOption(): Option {
  return new Option('--output <dir>', 'output folder (PLOWBOARD_OUTPUT; default ./output)');
}
