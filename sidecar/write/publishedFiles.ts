import { createHash } from 'node:crypto';
import path from 'node:path';

/** One version of a published file, as the sidecar wrote it. Never changed: a new version is a new object. */
export interface PublishedFile {
  readonly body: Buffer;
  /**
   * Strong, and the one serve-handler gives the same bytes from disk (sha1 of the extension,
   * `-` and the content), so a viewer moving between the two answers still gets its 304.
   */
  readonly etag: string;
  /** When this version was written, as an HTTP date. */
  readonly lastModified: string;
}

/**
 * What the sidecar has published, by path in the output folder: the current version of each
 * data file and nothing older. The writer fills it after each file is on disk; the built-in
 * server running in the same process answers those files from here, without touching the
 * disk (serve/memoryAnswer.ts). A path not here is served from disk.
 */
export class PublishedFiles {
  private readonly files = new Map<string, PublishedFile>();

  set(relPath: string, content: string | Buffer, at = new Date()): void {
    const body = typeof content === 'string' ? Buffer.from(content) : content;
    const sha = createHash('sha1').update(path.posix.extname(relPath)).update('-').update(body).digest('hex');
    this.files.set(relPath, { body, etag: `"${sha}"`, lastModified: at.toUTCString() });
  }

  get(relPath: string): PublishedFile | undefined {
    return this.files.get(relPath);
  }
}
