// What every explorer view gets: translated strings, a way to ask the host for numbers, and
// small DOM helpers. Views build their own controls and draw what the host answers.
import type { ExplorerRequest, ExplorerResult } from '../../protocol/explorers';
import { el } from '../dom';
import { markNumber, numberSpan, short } from '../format';

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

export function numberInput(value: number, props: Record<string, string> = {}): HTMLInputElement {
  return el('input', { attrs: { type: 'number', value: String(value), ...props } });
}

/** The value typed into a count field, rounded and kept within [min, max]; `fallback` when it is not a number. */
export function countIn(input: HTMLInputElement, fallback: number, min: number, max: number): number {
  return Math.min(max, Math.max(min, Math.round(Number(input.value) || fallback)));
}

/** The button that asks the host for the view's numbers again. */
export function runButton(ctx: ViewContext, send: () => void): HTMLButtonElement {
  const run = el('button', { attrs: { type: 'button' } }, ctx.t('Run'));
  run.addEventListener('click', send);
  return run;
}

export function labelled(label: string, control: HTMLElement): HTMLLabelElement {
  return el('label', { attrs: { class: 'field' } }, el('span', {}, label), control);
}

/**
 * A number an explorer shows, marked as the inspector's are (README, "Reading the screen"):
 * `data-value` its exact value, `data-quantity` `<view>.<its path in the host's result>`, such as
 * `information.kl` or `norms.balls[2].normA`.
 */
export function explorerNumber(value: number, quantity: string, digits?: number): HTMLSpanElement {
  return numberSpan(value, quantity, digits === undefined ? {} : { text: (v) => short(v, digits) });
}

/** A translated sentence holding one computed number (its place in the words is the language's): the sentence carries the number's mark. */
export function sentenceWithNumber(text: string, value: number, quantity: string): HTMLParagraphElement {
  const sentence = el('p', {}, text);
  markNumber(sentence, value, quantity);
  return sentence;
}

/** A number to put into a translated sentence: shown shortly, marked with its exact value and name. */
export interface MarkedNumber {
  value: number;
  quantity: string;
}

/**
 * A translated sentence whose placeholders {0}, {1}, … are filled with text or with numbers, each
 * number its own marked span (the words around them stay where the language puts them).
 */
export function sentenceParts(ctx: ViewContext, message: string, parts: Array<string | MarkedNumber>): Array<string | Node> {
  const slots = ctx.t(message, ...parts.map((_, i) => `\u0000${i}\u0000`)).split(/\u0000(\d+)\u0000/);
  return slots.map((piece, k) => {
    if (k % 2 === 0) return piece;
    const part = parts[Number(piece)];
    return typeof part === 'string' ? part : explorerNumber(part.value, part.quantity);
  });
}

/** A table of rows of cells (text, or a marked number); the first row is the header. */
/**
 * A formula's "_p" and "_B" drawn as subscripts: the strings keep the notation the CLI and the docs
 * print (‖x‖_p, g_B), the page shows ‖x‖ₚ and g with a subscript B instead of an underscore.
 */
export function withSubscripts(text: string): Array<string | Node> {
  return text.split(/_(\w)/).map((part, i) => (i % 2 === 1 ? el('sub', {}, part) : part)).filter((part) => part !== '');
}

export function table(rows: Array<Array<string | Node>>): HTMLTableElement {
  const [head, ...body] = rows;
  return el('table', {},
    el('thead', {}, el('tr', {}, ...head.map((c) => el('th', {}, c)))),
    el('tbody', {}, ...body.map((row) => el('tr', {}, ...row.map((c) => el('td', {}, c))))),
  );
}

export function errorBox(message: string): HTMLElement {
  return el('p', { attrs: { class: 'error', role: 'alert' } }, message);
}
