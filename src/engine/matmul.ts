// The dense layers' three products (z = X·Wᵀ + b, ∂J/∂W = δᵀ·X, ∂J/∂X = δ·W) as one kernel,
// C = A·Bᵀ with A and B row-major, so its inner loop reads both operands contiguously.
//
// Speed without changing a single bit: every element of C is still one running sum taken in
// index order from its initial value (as the plain triple loop takes it), so results do not
// depend on the blocking. The blocking only lets four columns of C share each load of A and
// gives the CPU four independent addition chains instead of one, which is what bounded the
// plain loop (each += waited for the previous one).

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
    for (let i = 0; i < m; i++) {
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
