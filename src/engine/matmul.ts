// The dense layers' three products (z = X·Wᵀ + b, ∂J/∂W = δᵀ·X, ∂J/∂X = δ·W) as one kernel,
// C = A·Bᵀ with A and B row-major, so its inner loop reads both operands contiguously.
//
// Speed without changing a single bit: every element of C is still one running sum taken in
// index order from its initial value (as the plain triple loop takes it), so results do not
// depend on the blocking. The blocking (2 rows × 4 columns of C at a time) only shares loads
// between sums and gives the CPU eight independent addition chains instead of one, which is
// what bounded the plain loop (each += waited for the previous one).

/**
 * out[i][j] = init[j] + Σ_p a[i][p]·b[j][p] for a: m × k, b: n × k, out: m × n (p ascending;
 * init omitted means 0). Returns `out`.
 */
export function multiplyTransposed(
  a: Float64Array, b: Float64Array, m: number, n: number, k: number,
  out: Float64Array, init?: Float64Array,
): Float64Array {
  let j = 0;
  for (; j + 4 <= n; j += 4) {
    const b0 = j * k;
    const b1 = b0 + k;
    const b2 = b1 + k;
    const b3 = b2 + k;
    const c0 = init ? init[j] : 0;
    const c1 = init ? init[j + 1] : 0;
    const c2 = init ? init[j + 2] : 0;
    const c3 = init ? init[j + 3] : 0;
    let i = 0;
    // Two rows of A at a time: each load of B then serves two sums, each load of A four.
    for (; i + 2 <= m; i += 2) {
      const a0 = i * k;
      const a1 = a0 + k;
      let s00 = c0;
      let s01 = c1;
      let s02 = c2;
      let s03 = c3;
      let s10 = c0;
      let s11 = c1;
      let s12 = c2;
      let s13 = c3;
      for (let p = 0; p < k; p++) {
        const x0 = a[a0 + p];
        const x1 = a[a1 + p];
        const y0 = b[b0 + p];
        const y1 = b[b1 + p];
        const y2 = b[b2 + p];
        const y3 = b[b3 + p];
        s00 += x0 * y0;
        s01 += x0 * y1;
        s02 += x0 * y2;
        s03 += x0 * y3;
        s10 += x1 * y0;
        s11 += x1 * y1;
        s12 += x1 * y2;
        s13 += x1 * y3;
      }
      const o0 = i * n + j;
      const o1 = o0 + n;
      out[o0] = s00;
      out[o0 + 1] = s01;
      out[o0 + 2] = s02;
      out[o0 + 3] = s03;
      out[o1] = s10;
      out[o1 + 1] = s11;
      out[o1 + 2] = s12;
      out[o1 + 3] = s13;
    }
    if (i < m) {
      const aRow = i * k;
      let s0 = c0;
      let s1 = c1;
      let s2 = c2;
      let s3 = c3;
      for (let p = 0; p < k; p++) {
        const x = a[aRow + p];
        s0 += x * b[b0 + p];
        s1 += x * b[b1 + p];
        s2 += x * b[b2 + p];
        s3 += x * b[b3 + p];
      }
      const o = i * n + j;
      out[o] = s0;
      out[o + 1] = s1;
      out[o + 2] = s2;
      out[o + 3] = s3;
    }
  }
  for (; j < n; j++) {
    const bRow = j * k;
    const c = init ? init[j] : 0;
    for (let i = 0; i < m; i++) {
      const aRow = i * k;
      let s = c;
      for (let p = 0; p < k; p++) s += a[aRow + p] * b[bRow + p];
      out[i * n + j] = s;
    }
  }
  return out;
}

/** out = aᵀ for a: rows × cols (out: cols × rows). Returns `out`. */
export function transpose(a: Float64Array, rows: number, cols: number, out: Float64Array): Float64Array {
  for (let r = 0; r < rows; r++) {
    const row = r * cols;
    for (let c = 0; c < cols; c++) out[c * rows + r] = a[row + c];
  }
  return out;
}
