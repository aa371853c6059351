import { connect } from 'node:net';

/**
 * Sends request bytes exactly as given (an HTTP/1.0 request with no Host, for one) and
 * returns the status and body once the server closes. node:http always adds a Host.
 */
export function rawHttp(port: number, request: string, host = '127.0.0.1'): Promise<{ status: number; head: string; body: string }> {
  return new Promise((resolve, reject) => {
    // write, not end: a half-closed socket may be taken as a client gone; HTTP/1.0 closes after the answer.
    const socket = connect(port, host, () => socket.write(request));
    const chunks: Buffer[] = [];
    socket.on('data', (d: Buffer) => chunks.push(d));
    socket.on('error', reject);
    socket.on('close', () => {
      const text = Buffer.concat(chunks).toString();
      const split = text.indexOf('\r\n\r\n');
      const head = split < 0 ? text : text.slice(0, split);
      resolve({ status: Number(/^HTTP\/1\.[01] (\d{3})/.exec(head)?.[1] ?? 0), head, body: split < 0 ? '' : text.slice(split + 4) });
    });
  });
}
