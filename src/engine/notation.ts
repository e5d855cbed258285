// The lecture's notation for parameters, the one spelling of it on every screen (the chain rule,
// layer detail, the network diagram, the optimizer view, the CLI's explain): indices from 1,
// the layer as a superscript, and a weight's subscripts input n then unit m — w¹ₙₘ connects input
// n to unit m of layer 1 and is stored [out][in] as `layers[0].weights[m−1][n−1]`.
// No imports: the webview bundle uses this file too.

const SUPERSCRIPT: Record<string, string> = { '0': '⁰', '1': '¹', '2': '²', '3': '³', '4': '⁴', '5': '⁵', '6': '⁶', '7': '⁷', '8': '⁸', '9': '⁹', '-': '⁻' };
const SUBSCRIPT: Record<string, string> = { '0': '₀', '1': '₁', '2': '₂', '3': '₃', '4': '₄', '5': '₅', '6': '₆', '7': '₇', '8': '₈', '9': '₉' };
/** Superscript digits (and a minus sign, for exponents such as 10⁻³). */
export const sup = (n: number | string): string => String(n).replace(/[-\d]/g, (c) => SUPERSCRIPT[c]);
export const sub = (n: number | string): string => String(n).replace(/\d/g, (c) => SUBSCRIPT[c]);

/** The weights into unit m of layer l as one row of W: w¹ₙ₂ for layers[0].weights[1] (n runs over the inputs). */
export function weightRowSymbol(layer: number, out: number): string {
  return `w${sup(layer + 1)}ₙ${sub(out + 1)}`;
}

/** A weight or bias by its 0-based place in the trace: W[layer][out][in] or b[layer][out]. */
export type ParameterPlace = { layer: number; kind: 'weight'; out: number; in: number } | { layer: number; kind: 'bias'; out: number };

/** The lecture's symbol of a parameter, in Unicode and TeX: w¹₂₃ for layers[0].weights[2][1], b²₁ for layers[1].bias[0]. */
export function parameterSymbol(p: ParameterPlace): { text: string; tex: string } {
  const l = p.layer + 1;
  const m = p.out + 1;
  if (p.kind === 'bias') return { text: `b${sup(l)}${sub(m)}`, tex: `b^{(${l})}_{${m}}` };
  const n = p.in + 1;
  return { text: `w${sup(l)}${sub(n)}${sub(m)}`, tex: `w^{(${l})}_{${n}${m}}` };
}
