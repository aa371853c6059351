import type { Manifest } from '../../sidecar/contract/index.js';

/**
 * `plowboard demo` marks its manifest (and health.json) as a demo: every page then says
 * so, so nobody mistakes the generated installation for their own uploads.
 */
export function showDemoBanner(manifest: Manifest): void {
  const banner = document.getElementById('demo-banner');
  // Set only when it changes: every setting is a style invalidation, every poll.
  if (banner && banner.hidden !== (manifest.demo !== true)) banner.hidden = manifest.demo !== true;
}
