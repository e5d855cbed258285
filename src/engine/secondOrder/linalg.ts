// Dense symmetric linear algebra for the P×P systems of Newton and Levenberg–Marquardt.

/**
 * Cholesky factor L (row-major, lower triangle) of the symmetric matrix A + shift·I, or null when
 * that matrix is not positive definite (a pivot ≤ 0): the test Newton uses to decide on damping.
 */
export function cholesky(A: Float64Array, n: number, shift = 0): Float64Array | null {
  const L = new Float64Array(n * n);
  for (let j = 0; j < n; j++) {
    let pivot = A[j * n + j] + shift;
    for (let k = 0; k < j; k++) pivot -= L[j * n + k] * L[j * n + k];
    if (!(pivot > 0)) return null;
    const ljj = Math.sqrt(pivot);
    L[j * n + j] = ljj;
    for (let i = j + 1; i < n; i++) {
      let sum = A[i * n + j];
      const rowI = i * n;
      const rowJ = j * n;
      for (let k = 0; k < j; k++) sum -= L[rowI + k] * L[rowJ + k];
      L[rowI + j] = sum / ljj;
    }
  }
  return L;
}

/** Solves L Lᵀ x = b. */
export function choleskySolve(L: Float64Array, n: number, b: Float64Array): Float64Array {
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let sum = b[i];
    for (let k = 0; k < i; k++) sum -= L[i * n + k] * y[k];
    y[i] = sum / L[i * n + i];
  }
  const x = new Float64Array(n);
  for (let i = n - 1; i >= 0; i--) {
    let sum = y[i];
    for (let k = i + 1; k < n; k++) sum -= L[k * n + i] * x[k];
    x[i] = sum / L[i * n + i];
  }
  return x;
}

/** (A + Aᵀ)/2 in place: removes the rounding asymmetry before factorizing. */
export function symmetrize(A: Float64Array, n: number): Float64Array {
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < i; j++) {
      const mean = (A[i * n + j] + A[j * n + i]) / 2;
      A[i * n + j] = mean;
      A[j * n + i] = mean;
    }
  }
  return A;
}

export interface ExtremeEigenvalues {
  min: number;
  max: number;
  /** True when the Krylov space spans the whole matrix (iterations = n), so both values are exact. */
  exact: boolean;
  iterations: number;
}

/** Count of eigenvalues of the symmetric tridiagonal (alpha, beta) below x (Sturm sequence). */
function eigenvaluesBelow(alpha: number[], beta: number[], x: number): number {
  let count = 0;
  let q = 1;
  for (let i = 0; i < alpha.length; i++) {
    const b2 = i > 0 ? beta[i - 1] * beta[i - 1] : 0;
    q = alpha[i] - x - (i > 0 ? b2 / q : 0);
    if (q === 0) q = -Number.EPSILON * (Math.abs(x) + 1);
    if (q < 0) count++;
  }
  return count;
}

/** The k-th smallest eigenvalue (0-based) of a symmetric tridiagonal matrix, by bisection. */
function tridiagonalEigenvalue(alpha: number[], beta: number[], k: number): number {
  let radius = 0;
  for (let i = 0; i < alpha.length; i++) {
    radius = Math.max(radius, Math.abs(alpha[i]) + (i > 0 ? Math.abs(beta[i - 1]) : 0) + (i < beta.length ? Math.abs(beta[i]) : 0));
  }
  let lo = -radius;
  let hi = radius;
  for (let it = 0; it < 200 && hi - lo > 2 * Number.EPSILON * Math.max(Math.abs(lo), Math.abs(hi), Number.MIN_VALUE); it++) {
    const mid = (lo + hi) / 2;
    if (mid === lo || mid === hi) break;
    if (eigenvaluesBelow(alpha, beta, mid) > k) hi = mid;
    else lo = mid;
  }
  return (lo + hi) / 2;
}

/**
 * The smallest and largest eigenvalue of the symmetric matrix A by Lanczos with full
 * reorthogonalization (O(k·n²) instead of the O(n³) of a full eigendecomposition), then
 * bisection on the tridiagonal matrix. With k = n iterations the values are exact up to
 * rounding; with fewer they are the extreme Ritz values, which converge first.
 */
export function extremeEigenvalues(A: Float64Array, n: number, maxIterations = 120): ExtremeEigenvalues {
  const k = Math.min(n, maxIterations);
  const basis: Float64Array[] = [];
  const alpha: number[] = [];
  const beta: number[] = [];
  // A fixed start vector with every component non-zero and unequal, so no eigenvector is missed by symmetry.
  let q = Float64Array.from({ length: n }, (_v, i) => 1 + 0.5 * Math.sin(1.3 * i + 0.7));
  let qNorm = Math.sqrt(q.reduce((s, v) => s + v * v, 0));
  q = q.map((v) => v / qNorm);
  for (let j = 0; j < k; j++) {
    basis.push(q);
    const w = new Float64Array(n);
    for (let r = 0; r < n; r++) {
      let sum = 0;
      const row = r * n;
      for (let c = 0; c < n; c++) sum += A[row + c] * q[c];
      w[r] = sum;
    }
    let a = 0;
    for (let i = 0; i < n; i++) a += w[i] * q[i];
    alpha.push(a);
    // Full reorthogonalization (twice) against every basis vector keeps the Ritz values honest.
    for (let pass = 0; pass < 2; pass++) {
      for (const v of basis) {
        let proj = 0;
        for (let i = 0; i < n; i++) proj += w[i] * v[i];
        for (let i = 0; i < n; i++) w[i] -= proj * v[i];
      }
    }
    qNorm = Math.sqrt(w.reduce((s, v) => s + v * v, 0));
    if (j === k - 1) break;
    if (qNorm <= 1e-13 * Math.max(1, Math.abs(a))) {
      // An invariant subspace: its eigenvalues are exact eigenvalues of A.
      return finish(alpha, beta, alpha.length === n);
    }
    beta.push(qNorm);
    q = w.map((v) => v / qNorm);
  }
  return finish(alpha, beta, k === n);
}

function finish(alpha: number[], beta: number[], exact: boolean): ExtremeEigenvalues {
  return {
    min: tridiagonalEigenvalue(alpha, beta, 0),
    max: tridiagonalEigenvalue(alpha, beta, alpha.length - 1),
    exact,
    iterations: alpha.length,
  };
}
