// What every explorer view gets: translated strings, a way to ask the host for numbers, and
// small DOM helpers. Views build their own controls and draw what the host answers.
import type { ExplorerRequest, ExplorerResult } from '../../protocol/explorers';

export interface ViewContext {
  t(message: string, ...args: Array<string | number>): string;
  request(request: ExplorerRequest): void;
  language: 'en' | 'ko';
}

export interface ExplorerViewModule {
  mount(root: HTMLElement, context: ViewContext): void;
  /** Called when the view is first shown: asks the host for its numbers. */
  activate(): void;
  show(result: ExplorerResult): void;
  showError(message: string, column?: number): void;
}

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K, props: Record<string, string> = {}, ...children: Array<Node | string>
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) element.setAttribute(key, value);
  element.append(...children);
  return element;
}

export function numberInput(value: number, props: Record<string, string> = {}): HTMLInputElement {
  return h('input', { type: 'number', value: String(value), ...props });
}

/** The value typed into a count field, rounded and kept within [min, max]; `fallback` when it is not a number. */
export function countIn(input: HTMLInputElement, fallback: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, Math.round(Number(input.value) || fallback)));
}

/** The button that asks the host for the view's numbers again. */
export function runButton(ctx: ViewContext, send: () => void): HTMLButtonElement {
  const run = h('button', { type: 'button' }, ctx.t('Run'));
  run.addEventListener('click', send);
  return run;
}

export function labelled(label: string, control: HTMLElement): HTMLLabelElement {
  return h('label', { class: 'field' }, h('span', {}, label), control);
}

/** A table of rows of cells; the first row is the header. */
export function table(rows: Array<Array<string>>): HTMLTableElement {
  const [head, ...body] = rows;
  return h('table', {},
    h('thead', {}, h('tr', {}, ...head.map((c) => h('th', {}, c)))),
    h('tbody', {}, ...body.map((row) => h('tr', {}, ...row.map((c) => h('td', {}, c))))),
  );
}

export function errorBox(message: string): HTMLElement {
  return h('p', { class: 'error', role: 'alert' }, message);
}
