// How numbers and math look on screen: a short form for reading (4 significant digits, true minus
// signs, compact exponents) and the shortest exact form (String(v), which round-trips) for hover
// titles and data-value attributes, so a reader or a test can always get the engine's number back.
import { setText } from './dom';

const SUPERSCRIPT: Record<string, string> = { '0': '⁰', '1': '¹', '2': '²', '3': '³', '4': '⁴', '5': '⁵', '6': '⁶', '7': '⁷', '8': '⁸', '9': '⁹', '-': '⁻' };
const SUBSCRIPT: Record<string, string> = { '0': '₀', '1': '₁', '2': '₂', '3': '₃', '4': '₄', '5': '₅', '6': '₆', '7': '₇', '8': '₈', '9': '₉' };

export const sup = (n: number | string): string => String(n).replace(/[-\d]/g, (c) => SUPERSCRIPT[c]);
export const sub = (n: number | string): string => String(n).replace(/\d/g, (c) => SUBSCRIPT[c]);

/** Short display form: 0.1235, −2.5e−4, 1.2e6, NaN, +∞, −∞; "–" for no number. */
export function short(value: number | undefined, digits = 4): string {
  // Anything but a number (a null that crossed JSON, say) is no number: never a guessed −∞.
  if (typeof value !== 'number') return '–';
  if (Number.isNaN(value)) return 'NaN';
  if (!Number.isFinite(value)) return value > 0 ? '+∞' : '−∞';
  if (value === 0) return '0';
  const magnitude = Math.abs(value);
  const text = magnitude >= 1e4 || magnitude < 1e-3
    ? value.toExponential(digits - 2).replace(/\.?0+e/, 'e').replace('e+', 'e')
    : String(Number(value.toPrecision(digits)));
  return text.replace(/-/g, '−');
}

/** The exact value, for titles and data-value attributes. */
export const exact = (value: number): string => String(value);

/** A span showing `value` shortly, with the exact value on hover and in data-value. */
export function numberSpan(value: number | undefined, id?: string): HTMLSpanElement {
  const span = document.createElement('span');
  span.className = 'num';
  if (id) span.id = id;
  setNumber(span, value);
  return span;
}

/**
 * How far from 0 a mean of `count` numbers, none larger than `largest` in magnitude, can land by
 * rounding alone: float64 addition of `count` terms is off by at most about count·ε·largest
 * (ε = 2⁻⁵²). A mean within this bound of 0 is 0 up to rounding (README, "Numbers on screen").
 */
export function roundingBound(count: number, largest: number): number {
  return count * Number.EPSILON * largest;
}

/**
 * Shows `value` in an element made by numberSpan (or any element), in place. A value within
 * `zeroBelow` of 0 (a roundingBound) shows as 0; its exact value stays in the title and data-value.
 */
export function setNumber(node: HTMLElement, value: number | undefined, digits = 4, zeroBelow = 0): void {
  const roundedZero = value !== undefined && value !== 0 && Math.abs(value) <= zeroBelow;
  setText(node, roundedZero ? '0' : short(value, digits));
  if (node.classList.contains('rounded-zero') !== roundedZero) node.classList.toggle('rounded-zero', roundedZero);
  const precise = value === undefined ? undefined : exact(value);
  if (node.dataset.value !== precise) {
    if (precise === undefined) {
      delete node.dataset.value;
      node.removeAttribute('title');
    } else {
      node.dataset.value = precise;
      node.title = precise;
    }
  }
}

export function percent(value: number | undefined): string {
  return value === undefined ? '–' : `${(value * 100).toFixed(1)}%`;
}
