import { byId, setText } from './dom.js';
import type { PageStatus } from './pageStatus.js';
import type { StatusView } from './startPage.js';
import { bannerText, freshnessText, problemWord, type Shown } from './statusWords.js';

export interface HeaderOptions {
  /** The page's name in the tab title ("History — plowboard"); the overview goes without. */
  name: string | null;
  /** How the banner speaks of what the page shows; see statusWords.ts. */
  shown?: Shown;
  /** The page's own state for the tab title while all is well ("▲ 3 in flight"), or null while it has none. */
  title?(status: PageStatus): string | null;
}

/**
 * The base layout's share of the status: the banner under the header, the freshness
 * line in it, and the tab title — what is wrong, else the page's own state, then the
 * page's name.
 */
export function headerStatus(opts: HeaderOptions): StatusView {
  return {
    render(s) {
      const message = bannerText(s, opts.shown ?? 'page');
      const banner = byId('banner');
      if (banner.hidden !== !message) banner.hidden = !message;
      if (banner.textContent !== message) banner.textContent = message;
      setText('freshness', freshnessText(s));
      const title = [problemWord(s) ?? opts.title?.(s) ?? null, opts.name, 'plowboard'].filter(Boolean).join(' — ');
      if (document.title !== title) document.title = title;
    },
  };
}
