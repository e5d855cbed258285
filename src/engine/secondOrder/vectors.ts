// Flat views of the parameter list: the second-order methods work on one vector θ ∈ ℝᴾ in the
// order [W0, b0, W1, b1, ...], the network on one array per tensor.

export function flatten(arrays: readonly Float64Array[]): Float64Array {
  const out = new Float64Array(arrays.reduce((n, a) => n + a.length, 0));
  let offset = 0;
  for (const a of arrays) {
    out.set(a, offset);
    offset += a.length;
  }
  return out;
}

/** Copies flat into arrays shaped like `like` (new arrays). */
export function unflatten(flat: Float64Array, like: readonly Float64Array[]): Float64Array[] {
  let offset = 0;
  return like.map((a) => {
    const part = flat.slice(offset, offset + a.length);
    offset += a.length;
    return part;
  });
}

/** Writes flat into the live arrays `into`. */
export function assign(into: Float64Array[], flat: Float64Array): void {
  let offset = 0;
  for (const a of into) {
    a.set(flat.subarray(offset, offset + a.length));
    offset += a.length;
  }
}

export function dot(a: Float64Array, b: Float64Array): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += a[i] * b[i];
  return sum;
}

export function norm(a: Float64Array): number {
  return Math.sqrt(dot(a, a));
}

export function maxAbs(a: Float64Array): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]));
  return m;
}

/** x + t·d as a new vector. */
export function along(x: Float64Array, t: number, d: Float64Array): Float64Array {
  const out = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) out[i] = x[i] + t * d[i];
  return out;
}
