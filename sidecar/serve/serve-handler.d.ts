declare module 'serve-handler' {
  import type { IncomingMessage, ServerResponse } from 'node:http';
  interface Header {
    source: string;
    headers: Array<{ key: string; value: string }>;
  }
  interface Options {
    public?: string;
    cleanUrls?: boolean | string[];
    trailingSlash?: boolean;
    directoryListing?: boolean | string[];
    symlinks?: boolean;
    etag?: boolean;
    headers?: Header[];
    unlisted?: string[];
  }
  /** File system calls serve-handler makes, each replaceable. */
  interface Methods {
    createReadStream?: (path: string, options?: { start?: number; end?: number }) => import('node:fs').ReadStream;
  }
  export default function handler(req: IncomingMessage, res: ServerResponse, options?: Options, methods?: Methods): Promise<void>;
}
