import type { SourceHealth } from '../contract/index.js';

/** What to do about each rclone state, in words a cloudplow user can act on. */
export function rcloneHint(state: SourceHealth['state'], target: string): string | null {
  switch (state) {
    case 'idle':
      return (
        `Normal between uploads. If an upload is running and this stays idle, ` +
        `cloudplow's rclone has no remote control at ${target}: add "--rc": null and "--rc-addr": "${hostPort(target)}" ` +
        `to rclone_extras of the remote in cloudplow's config.json (cloudplow adds them itself only when plex is enabled).`
      );
    case 'unreachable':
      return `No answer from ${target}. Check the host and port, a firewall, and that --rclone-url is right.`;
    case 'auth_failed':
      return (
        `rclone refused the credentials. Set PLOWBOARD_RCLONE_USER and PLOWBOARD_RCLONE_PASS ` +
        `(or --rclone-pass-file) to the --rc-user and --rc-pass rclone was started with.`
      );
    case 'auth_required':
      return (
        `rclone (1.74 or newer) runs this call only when its remote control has a user: add "--rc-user" and "--rc-pass" ` +
        `to rclone_extras in cloudplow's config.json and give plowboard the same (PLOWBOARD_RCLONE_USER, PLOWBOARD_RCLONE_PASS), ` +
        `or add "--rc-no-auth": null. No password was refused.`
      );
    case 'error':
      return `rclone answered with an error. Check that ${target} is rclone's remote control and not another service.`;
    default:
      return null;
  }
}

function hostPort(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}
