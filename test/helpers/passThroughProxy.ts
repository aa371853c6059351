import http from 'node:http';

/**
 * A pass-through HTTP proxy in front of a real server (rclone's RC), telling `onRequest` of
 * every request it forwards: how tests count what the sidecar asks of rclone.
 */
export async function passThroughProxy(target: string, onRequest: (url: string) => void): Promise<http.Server> {
  const proxy = http.createServer((req, res) => {
    onRequest(req.url!);
    const upstream = http.request(`${target}${req.url}`, { method: req.method, headers: req.headers }, (r) => {
      res.writeHead(r.statusCode!, r.headers);
      r.pipe(res);
    });
    req.pipe(upstream);
  });
  await new Promise<void>((r) => proxy.listen(0, '127.0.0.1', r));
  return proxy;
}
