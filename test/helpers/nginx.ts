import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { repoRoot } from './sidecarProcess.js';
import { freePort, waitFor } from './ports.js';

/** Debian's nginx with the project's own deploy/nginx.conf, pointed at a test folder. */
export class Nginx {
  port = 0;

  constructor(
    readonly dir: string,
    readonly root: string,
    /** A change a user would make to the file, such as turning on its auth_basic lines. */
    readonly edit: (conf: string) => string = (conf) => conf,
  ) {}

  async start(): Promise<void> {
    this.port = await freePort();
    mkdirSync(path.join(this.dir, 'tmp'), { recursive: true });
    const site = this.edit(readFileSync(path.join(repoRoot, 'deploy', 'nginx.conf'), 'utf8'))
      // Every server block (the site and the default one that refuses other Host names) on the test port.
      .replace(/^(\s*)listen\s+\d+(\s[^;]*)?;/gm, `$1listen 127.0.0.1:${this.port}$2;`)
      .replace(/^\s*root\s+[^;]+;/m, `    root ${this.root};`);
    const t = path.join(this.dir, 'tmp');
    writeFileSync(
      path.join(this.dir, 'nginx.conf'),
      `# The test runs as root with folders only root can read.
user root;
daemon on;
pid ${this.dir}/nginx.pid;
error_log ${this.dir}/error.log warn;
events { worker_connections 512; }
http {
  include /etc/nginx/mime.types;
  access_log off;
  client_body_temp_path ${t}/body; proxy_temp_path ${t}/proxy; fastcgi_temp_path ${t}/fastcgi; uwsgi_temp_path ${t}/uwsgi; scgi_temp_path ${t}/scgi;
  ${site}
}
`,
    );
    const test = spawnSync('nginx', ['-t', '-c', path.join(this.dir, 'nginx.conf')], { encoding: 'utf8' });
    if (test.status !== 0) throw new Error(`nginx -t: ${test.stderr}`);
    const run = spawnSync('nginx', ['-c', path.join(this.dir, 'nginx.conf')], { encoding: 'utf8' });
    if (run.status !== 0) throw new Error(`nginx: ${run.stderr}`);
    await waitFor('nginx', async () => (await fetch(`http://127.0.0.1:${this.port}/404.html`).catch(() => null)) !== null, 10_000);
  }

  stop(): void {
    spawnSync('nginx', ['-s', 'quit', '-c', path.join(this.dir, 'nginx.conf')]);
  }
}
