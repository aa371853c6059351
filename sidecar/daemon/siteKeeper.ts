// Owns keeping the pages built: the build at start, a rebuild when what they are built from
// changes (an upgrade in place, an edited template), and a rebuild when the output folder was
// emptied under a running sidecar. Never on a data tick: data reaches the pages as JSON.
import { access } from 'node:fs/promises';
import path from 'node:path';
import { watch, type FSWatcher } from 'chokidar';
import type { ResolvedConfig } from '../config/schema.js';
import { schemaPath } from '../contract/index.js';
import { projectRoot, version } from '../projectRoot.js';
import { buildSiteInChild } from '../site/buildInChild.js';
import { SourceStatus } from '../sources/sourceStatus.js';
import { writeSchemas } from '../write/schemas.js';

export class SiteKeeper {
  readonly status: SourceStatus;
  private watcher: FSWatcher | null = null;
  private rebuild: NodeJS.Timeout | null = null;
  private rebuilding = false;
  private checkedAt = Date.now();

  constructor(
    private readonly config: ResolvedConfig,
    /** false for a one-off build: nothing to keep. */
    private readonly continuous: boolean,
    /** How often a publish may look whether the pages are still there. */
    private readonly checkEveryMs: number,
    private readonly log: (line: string) => void,
  ) {
    this.status = new SourceStatus('site:build', 'site', 'site build', config.output);
  }

  async build(): Promise<void> {
    try {
      const { durationMs } = await buildSiteInChild({
        outputDir: this.config.output,
        site: { version, intervalSeconds: this.config.intervalSeconds, instances: this.config.rclone.map((r) => r.name) },
      });
      this.status.ok(durationMs);
    } catch (err) {
      this.status.fail('error', `site build failed: ${err instanceof Error ? err.message : String(err)}`, {
        hint: 'The data files are still written; the pages may be out of date. Run `plowboard build` to see the full error.',
      });
      this.log(`plowboard: site build failed: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  watch(): void {
    this.watcher = watch([path.join(projectRoot, 'src'), path.join(projectRoot, 'templates'), path.join(projectRoot, '.eleventy.js')], {
      ignoreInitial: true,
    }).on('all', () => {
      if (this.rebuild) clearTimeout(this.rebuild);
      this.rebuild = setTimeout(() => void this.build(), 300);
    });
  }

  async stop(): Promise<void> {
    if (this.rebuild) clearTimeout(this.rebuild);
    await this.watcher?.close();
  }

  /** The pages and schemas are written at start; if someone empties the output folder, they come back. */
  async restoreIfDeleted(): Promise<void> {
    const present = (rel: string) => access(path.join(this.config.output, rel)).then(() => true, () => false);
    if (!this.continuous || this.rebuilding || Date.now() - this.checkedAt < this.checkEveryMs) return;
    this.checkedAt = Date.now();
    if (!(await present('index.html')) || !(await present(schemaPath('index')))) {
      this.rebuilding = true;
      try {
        await writeSchemas(this.config.output).catch(() => undefined);
        await this.build();
      } finally {
        this.rebuilding = false;
      }
    }
  }
}
