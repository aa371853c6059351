import path from 'node:path';

/** The one key for an account, whether cloudplow wrote a full path or a base name. */
export function accountName(saPathOrName: string): string {
  return path.basename(saPathOrName.replace(/\\/g, '/'));
}
