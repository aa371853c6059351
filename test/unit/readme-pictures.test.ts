import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

/** The README's pictures are files in the repository, PNGs of a page's size: `npm run screenshots` keeps them current. */
describe('the README’s pictures', () => {
  const readme = readFileSync('README.md', 'utf8');
  // Pictures of plowboard itself; the snapshot section's example Markdown names files of a snapshot.
  const pictures = [...readme.matchAll(/!\[[^\]]+\]\((docs\/[^)]+)\)/g)].map((m) => m[1]!);

  it('are the five the screenshots script takes', () => {
    expect(pictures.sort()).toEqual(['docs/accounts.png', 'docs/kiosk.png', 'docs/overview.png', 'docs/phone-dark.png', 'docs/transfers.png']);
    const script = readFileSync(path.join('docs', 'screenshots.ts'), 'utf8');
    for (const p of pictures) expect(script).toContain(`'${path.basename(p)}'`);
  });

  it('each is a PNG at least a phone wide', () => {
    for (const p of pictures) {
      const png = readFileSync(p);
      expect(png.subarray(1, 4).toString('latin1'), p).toBe('PNG');
      // The IHDR chunk: width and height, big-endian, at bytes 16 and 20.
      expect(png.readUInt32BE(16), p).toBeGreaterThanOrEqual(390);
      expect(png.readUInt32BE(20), p).toBeGreaterThanOrEqual(600);
    }
  });
});
