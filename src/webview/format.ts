// How numbers and math look on screen: a short form for reading (4 significant digits, true minus
// signs, compact exponents) and the shortest exact form (String(v), which round-trips) for hover
// titles and data-value attributes, so a reader or a test can always get the engine's number back.
import { setClass, setText, writeAttr } from './dom';

export { sub, sup } from '../engine/notation';

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

/**
 * What markNumber last wrote on each element. It is the only writer of these attributes, so a render
 * compares the number instead of reading the attributes back (hundreds of reads per step otherwise).
 */
const marked = new WeakMap<Element, { value: number | undefined; quantity: string | undefined }>();

/**
 * The screen's contract (README, "Reading the screen"): a number element carries `data-value`,
 * the exact number the host sent (String(v): shortest round trip; "Infinity", "-Infinity", "NaN"),
 * and `data-quantity`, what it is (a StepTrace path such as `layers[0].z[1][2]`, or a documented
 * derived name). Every number the inspector shows is marked here, and only here. Returns whether
 * the mark changed.
 */
export function markNumber(node: Element, value: number | undefined, quantity: string | undefined): boolean {
  const last = marked.get(node);
  const shownQuantity = value === undefined ? undefined : quantity;
  if (last && Object.is(last.value, value) && last.quantity === shownQuantity) return false;
  marked.set(node, { value, quantity: shownQuantity });
  if (!last || !Object.is(last.value, value)) writeAttr(node, 'data-value', value === undefined ? undefined : exact(value));
  if (!last || last.quantity !== shownQuantity) writeAttr(node, 'data-quantity', shownQuantity);
  return true;
}

/** A span showing `value` shortly, marked with its exact value and its quantity, both on hover. */
export function numberSpan(
  value: number | undefined, quantity: string | undefined, options: { id?: string; text?: (value: number) => string } = {},
): HTMLSpanElement {
  const span = document.createElement('span');
  span.className = 'num';
  if (options.id) span.id = options.id;
  setNumber(span, value, quantity, { text: options.text });
  return span;
}

/**
 * Shows `value` in an element made by numberSpan (or any element), in place, marked as `quantity`.
 * A `roundedZero` value (a batch mean 0 up to rounding: traceCodec's roundingBound) shows as 0; its
 * exact value stays in the title and data-value. `text` shows the number otherwise (a percentage, say).
 */
export function setNumber(
  node: HTMLElement, value: number | undefined, quantity: string | undefined,
  options: { digits?: number; roundedZero?: boolean; text?: (value: number) => string } = {},
): void {
  const { digits = 4 } = options;
  const roundedZero = value !== undefined && value !== 0 && options.roundedZero === true;
  setText(node, roundedZero ? '0' : value !== undefined && options.text ? options.text(value) : short(value, digits));
  setClass(node, 'rounded-zero', roundedZero);
  // On hover: what it is in the code (its trace path) and its exact value; it changes with the mark.
  // The title is a function of the mark, so it changes exactly when the mark does.
  if (markNumber(node, value, quantity)) writeAttr(node, 'title', value === undefined ? undefined : quantity ? `${quantity} = ${exact(value)}` : exact(value));
}

export function percent(value: number): string {
  return `${(value * 100).toFixed(1)}%`;
}
