import { createHash } from 'node:crypto';
import path from 'node:path';

/** name.ext → name.<10 hex of the content hash>.ext, so an asset can be cached for ever. */
export function hashedName(file: string, content: string | Uint8Array): string {
  const hash = createHash('sha256').update(content).digest('hex').slice(0, 10);
  const ext = path.extname(file);
  return `${path.basename(file, ext)}.${hash}${ext}`;
}
