import type { ChildProcess } from 'node:child_process';
import { pythonProcess } from '../test/helpers/cloudplow.js';

/**
 * cloudplow's log during an upload, written through Python's logging as cloudplow writes it:
 * the opening lines (when `account` is given: an upload starting, which wakes a resting
 * sidecar) and then one of rclone's Copied lines every `everySeconds`.
 */
export function uploadLog(log: string, opts: { everySeconds: number; account?: string }): ChildProcess & { output: () => string } {
  return pythonProcess(
    `import time
logger(sys.argv[1])
if sys.argv[3]:
    logging.getLogger('cloudplow').info('Starting upload')
    logging.getLogger('cloudplow').info("Uploading '/mnt/local/Media' to remote: google")
    logging.getLogger('uploader').info('Using service account: ' + sys.argv[3])
l = logging.getLogger('process')
i = 0
while True:
    i += 1
    l.info(f'2026/11/23 10:00:00 INFO  : Movies/Extra {i}/extra{i}.mkv: Copied (new)')
    time.sleep(float(sys.argv[2]))`,
    [log, String(opts.everySeconds), opts.account ?? ''],
  );
}
