// How training values look in the Variables view, the debug console and hovers: numbers with six
// significant digits (full precision through evaluateName, the console and hovers), tensors as a
// shape and a preview that expand lazily by row.
import type { Tensor, Value } from './expressions';

/** Six significant digits, without trailing zeros; integers and non-finite values as they are. */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value) || Number.isInteger(value)) return String(value);
  return String(Number(value.toPrecision(6)));
}

/** Every digit JavaScript needs to give back the same float64 (the shortest round trip). */
export function fullPrecision(value: number): string {
  return String(value);
}

const PREVIEW_CHARS = 80;

/** `2×3 [[0, 0.1], …]`: the shape, then as many leading values as fit. */
export function describeTensor(tensor: Tensor): string {
  const shape = tensor.shape.join('×');
  let preview = '';
  const render = (offset: number, dims: number[]): string => {
    if (dims.length === 0) return formatNumber(tensor.data[offset]);
    const [n, ...rest] = dims;
    const size = rest.reduce((p, s) => p * s, 1);
    const parts: string[] = [];
    for (let i = 0; i < n; i++) {
      parts.push(render(offset + i * size, rest));
      if (parts.join(', ').length > PREVIEW_CHARS) {
        parts.push('…');
        break;
      }
    }
    return `[${parts.join(', ')}]`;
  };
  preview = render(0, tensor.shape);
  if (preview.length > PREVIEW_CHARS) preview = `${preview.slice(0, PREVIEW_CHARS)}…`;
  return `${shape} ${preview}`;
}

/** The row (or element) `i` of a tensor. */
export function tensorRow(tensor: Tensor, i: number): Tensor | number {
  const inner = tensor.shape.slice(1);
  if (inner.length === 0) return tensor.data[i];
  const size = inner.reduce((p, s) => p * s, 1);
  return { kind: 'tensor', shape: inner, data: tensor.data.subarray(i * size, (i + 1) * size) };
}

/** What an expression's value reads as in the debug console (numbers in full precision). */
export function describeResult(value: Value): string {
  if (typeof value === 'number') return fullPrecision(value);
  if (typeof value === 'boolean') return String(value);
  if (value.kind === 'tensor') return describeTensor(value);
  return `${value.name} of layers 1 to ${value.count}: say which, e.g. ${value.name}[1]`;
}
