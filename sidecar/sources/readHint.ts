/** What to do about a cloudplow file plowboard cannot read, by the error's code. */
export function readHint(code: string | undefined): string {
  if (code === 'EACCES' || code === 'EPERM') return "plowboard's user cannot read it: give it read access (plowboard never writes there).";
  if (code === 'EISDIR') return 'A folder is where the file should be.';
  if (code === 'ELOOP') return 'The path is a symlink loop.';
  return 'plowboard keeps the last good value and tries again.';
}
