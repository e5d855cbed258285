// Tiny DOM helpers shared by the views (no framework). Each view builds its subtree once per
// model or selection and then updates text and attributes in place; the setters below skip writes
// that would change nothing, so an unchanged number costs no style or layout work.
export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K, props: { className?: string; id?: string; text?: string; title?: string; attrs?: Record<string, string> } = {},
  ...children: (Node | string | undefined)[]
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (props.className) node.className = props.className;
  if (props.id) node.id = props.id;
  if (props.text !== undefined) node.textContent = props.text;
  if (props.title) node.title = props.title;
  for (const [k, v] of Object.entries(props.attrs ?? {})) node.setAttribute(k, v);
  for (const child of children) if (child !== undefined) node.append(child);
  return node;
}

const SVG_NS = 'http://www.w3.org/2000/svg';

export function svg<K extends keyof SVGElementTagNameMap>(
  tag: K, attrs: Record<string, string | number> = {}, ...children: (Node | string)[]
): SVGElementTagNameMap[K] {
  const node = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v));
  node.append(...children);
  return node;
}

/** A titled card that a view renders into. */
export function section(id: string, title: string): { root: HTMLElement; heading: HTMLElement; tools: HTMLElement; body: HTMLElement } {
  const heading = el('h2', { text: title });
  const tools = el('div', { className: 'tools' });
  const body = el('div', { className: 'body' });
  const root = el('section', { id, className: 'card', attrs: { 'aria-label': title } }, el('header', {}, heading, tools), body);
  return { root, heading, tools, body };
}

/** Sets a node's text only when it differs. */
export function setText(node: Node, text: string): void {
  const first = node.firstChild;
  // Changing the data of the existing text node is cheaper than replacing it (no new node).
  if (first && first === node.lastChild && first.nodeType === Node.TEXT_NODE) {
    if ((first as Text).data !== text) (first as Text).data = text;
  } else if (node.textContent !== text) node.textContent = text;
}

/** Sets an attribute only when it differs (undefined removes it). */
export function setAttr(node: Element, name: string, value: string | undefined): void {
  if (value === undefined) node.removeAttribute(name);
  else if (node.getAttribute(name) !== value) node.setAttribute(name, value);
}

/**
 * Shows or hides an element, writing `hidden` only on a change: a write of the same value still
 * counts as an attribute change, and `[hidden]` makes the browser recompute the element's style.
 */
export function setHidden(node: HTMLElement, hidden: boolean): void {
  if (node.hidden !== hidden) node.hidden = hidden;
}

/** Adds or removes a class, writing only on a change (a write of the same value restyles the element too). */
export function setClass(node: Element, name: string, on: boolean): void {
  if (node.classList.contains(name) !== on) node.classList.toggle(name, on);
}

/**
 * Sets an attribute (undefined removes it) without reading it first: for writers that remember
 * what they last wrote and call this only on a change (a read back costs a DOM lookup per
 * attribute, hundreds per step, and on an SVG element makes Blink synchronise it).
 */
export function writeAttr(node: Element, name: string, value: string | undefined): void {
  if (value === undefined) node.removeAttribute(name);
  else node.setAttribute(name, value);
}

/**
 * setAttr for an element rewritten on every render whose attributes only this writer sets: it
 * compares with what it last wrote instead of reading the attribute back.
 */
export function attributeWriter(node: Element): (name: string, value: string | undefined) => void {
  const written = new Map<string, string | undefined>();
  return (name, value) => {
    if (written.has(name) && written.get(name) === value) return;
    written.set(name, value);
    writeAttr(node, name, value);
  };
}
