import type { EffectiveConfig, Health, Manifest } from '../../../sidecar/contract/index.js';
import { byId, el, replaceRows, setText } from '../dom.js';
import { ago, dateTime, duration } from '../format.js';
import { headerStatus } from '../headerStatus.js';
import { siteRoot as root, startPage } from '../startPage.js';
import { sourceWords } from '../sourceWords.js';

// No chart here: this page must not pull in Vega.
let health: Health | null = null;

function renderHealth(h: Health): void {
  setText('health-state', `(${h.state})`);
  setText('sidecar-version', `plowboard ${h.sidecar.version}`);
  const rclone = h.sources.filter((s) => s.kind === 'rclone');
  const versions = [...new Set(rclone.filter((s) => s.version).map((s) => (s.platform ? `${s.version} (${s.platform})` : s.version!)))];
  setText('rclone-version', versions.length ? versions.join(', ') : rclone.length ? 'not known (rclone has not answered yet)' : 'no rclone configured');
  byId('health-sources-empty').hidden = h.sources.length > 0;
  replaceRows(byId('health-sources'), JSON.stringify(h.sources), () =>
    h.sources.map((s) =>
      el(
        'tr',
        { 'data-state': s.state, 'data-source': s.id },
        el('th', { scope: 'row', class: 'file' }, el('span', { text: s.name }), el('span', { class: 'sub block', text: s.kind })),
        el(
          'td',
          { class: `state state-${s.state}` },
          el('strong', { text: s.state.replace('_', ' ') }),
          el('span', { class: 'sub block', text: sourceWords(s) }),
          s.platform ? el('span', { class: 'sub block platform', text: s.platform }) : null,
          // What works only in part: not a failure, so beside the state rather than in the error column.
          s.notes?.length ? el('ul', { class: 'notes' }, ...s.notes.map((n) => el('li', { text: n }))) : null,
        ),
        el('td', { class: 'file' }, el('span', { text: s.target }), s.foundBy ? el('span', { class: 'sub block found-by', text: `found: ${s.foundBy}` }) : null),
        el('td', { class: 'num', text: s.latencyMs == null ? '—' : `${s.latencyMs.toFixed(0)} ms` }),
        el('td', { class: 'num', 'data-at': s.lastOkAt ?? '', title: dateTime(s.lastOkAt), text: ago(s.lastOkAt) }),
        el('td', { class: 'result' }, s.lastError ? el('span', { text: s.lastError.message }) : '—', s.lastError ? el('span', { class: 'sub block', 'data-at': s.lastError.at, title: dateTime(s.lastError.at), text: ago(s.lastError.at) }) : null),
        el('td', { class: 'hint', text: s.hint ?? '' }),
      ),
    ),
  );
}

function renderFiles(m: Manifest): void {
  // index.json itself is not in its own list.
  const files = [{ name: 'index', path: 'data/index.json', schema: 'schema/index.schema.json', changedAt: m.generatedAt, description: 'the manifest: every data file, its schema, when it changed' }, ...m.files];
  replaceRows(byId('data-files'), JSON.stringify(files.map((f) => [f.name, f.path, f.schema])), () =>
    files.map((f) =>
      el(
        'tr',
        { 'data-file': f.name },
        el('th', { scope: 'row' }, el('a', { href: root + f.path, text: f.path })),
        el('td', {}, el('a', { href: root + f.schema, class: 'schema-link', text: f.schema })),
        el('td', { class: 'num changed', 'data-at': f.changedAt ?? '' }),
        el('td', { text: f.description }),
      ),
    ),
  );
}

/** Nested settings as dotted keys, lists by index: every value a line of text. */
function flatten(value: unknown, prefix: string, out: Array<[string, string]>): void {
  if (Array.isArray(value)) {
    if (!value.length) out.push([prefix, '(none)']);
    value.forEach((v, i) => flatten(v, `${prefix}[${i}]`, out));
  } else if (value !== null && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) flatten(v, prefix ? `${prefix}.${k}` : k, out);
  } else out.push([prefix, value === null ? '—' : String(value)]);
}

function renderConfig(c: EffectiveConfig): void {
  const { schemaVersion: _v, generatedAt: _g, ...settings } = c;
  const rows: Array<[string, string]> = [];
  flatten(settings, '', rows);
  byId('config-empty').hidden = true;
  replaceRows(byId('config'), JSON.stringify(rows), () => rows.map(([k, v]) => el('tr', {}, el('th', { scope: 'row', class: 'key', text: k }), el('td', { class: 'file', text: v }))));
}

/** Ages tick: rewritten once a second from the times kept on the cells. */
function tick(): void {
  if (health) setText('sidecar-uptime', `${duration((Date.now() - Date.parse(health.sidecar.startedAt)) / 1000)} (since ${dateTime(health.sidecar.startedAt)})`);
  for (const cell of document.querySelectorAll<HTMLElement>('[data-at]')) {
    const at = cell.dataset.at;
    const text = cell.classList.contains('changed') ? (at ? ago(at) : 'not written') : ago(at || null);
    if (cell.textContent !== text) cell.textContent = text;
    if (at) cell.title = dateTime(at);
  }
}

startPage({
  files: ['health', 'config'],
  status: headerStatus({ name: 'Health' }),
  onManifest: renderFiles,
  onData: (name, data) => {
    if (name === 'health') renderHealth((health = data as Health));
    else if (name === 'config') renderConfig(data as EffectiveConfig);
    tick();
  },
  tick,
});
