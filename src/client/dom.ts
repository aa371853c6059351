/**
 * Builds elements from untrusted text. Everything from a data file goes through
 * textContent, never innerHTML: a file named <img onerror=…> stays a file name.
 */
export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Record<string, string | number | boolean | null | undefined> = {},
  ...children: Array<Node | string | null | undefined | false>
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === null || v === undefined || v === false) continue;
    if (k === 'class') node.className = String(v);
    else if (k === 'text') node.textContent = String(v);
    else node.setAttribute(k, v === true ? '' : String(v));
  }
  for (const c of children) if (c !== null && c !== undefined && c !== false) node.append(c);
  return node;
}

export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const node = document.getElementById(id);
  if (!node) throw new Error(`#${id} is missing from the page`);
  return node as T;
}

export function setText(id: string, text: string): void {
  const node = byId(id);
  if (node.textContent !== text) node.textContent = text;
}

/** Replaces a container's children only when the rows actually differ, so nothing flickers. */
export function replaceRows(container: HTMLElement, key: string, rows: () => Node[]): void {
  if (container.dataset.key === key) return;
  container.dataset.key = key;
  container.replaceChildren(...rows());
}
