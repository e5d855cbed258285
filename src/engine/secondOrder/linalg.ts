// Dense symmetric linear algebra for the P×P systems of Newton and Levenberg–Marquardt.

/**
 * Cholesky factor L (row-major, lower triangle) of the symmetric matrix A + shift·I, or null when
 * that matrix is not positive definite (a pivot ≤ 0): the test Newton uses to decide on damping.
 * Row by row (L_ij = (A_ij − L_i·L_j)/L_jj over the first j entries), four rows at a time so each
 * earlier row is read from memory once per four rows instead of once per row.
 */
export function cholesky(A: Float64Array, n: number, shift = 0): Float64Array | null {
  const L = new Float64Array(n * n);
  for (let i0 = 0; i0 < n; i0 += 4) {
    if (i0 + 4 <= n) {
      const r0 = i0 * n;
      const r1 = r0 + n;
      const r2 = r1 + n;
      const r3 = r2 + n;
      for (let j = 0; j < i0; j++) {
        const rj = j * n;
        let s0 = A[r0 + j];
        let s1 = A[r1 + j];
        let s2 = A[r2 + j];
        let s3 = A[r3 + j];
        for (let k = 0; k < j; k++) {
          const ljk = L[rj + k];
          s0 -= L[r0 + k] * ljk;
          s1 -= L[r1 + k] * ljk;
          s2 -= L[r2 + k] * ljk;
          s3 -= L[r3 + k] * ljk;
        }
        const ljj = L[rj + j];
        L[r0 + j] = s0 / ljj;
        L[r1 + j] = s1 / ljj;
        L[r2 + j] = s2 / ljj;
        L[r3 + j] = s3 / ljj;
      }
    } else {
      for (let i = i0; i < n; i++) for (let j = 0; j < i0; j++) L[i * n + j] = offDiagonal(A, L, n, i, j);
    }
    // The triangle of the four rows themselves.
    for (let i = i0; i < Math.min(n, i0 + 4); i++) {
      for (let j = i0; j < i; j++) L[i * n + j] = offDiagonal(A, L, n, i, j);
      const ri = i * n;
      let pivot = A[ri + i] + shift;
      for (let k = 0; k < i; k++) pivot -= L[ri + k] * L[ri + k];
      if (!(pivot > 0)) return null;
      L[ri + i] = Math.sqrt(pivot);
    }
  }
  return L;
}

function offDiagonal(A: Float64Array, L: Float64Array, n: number, i: number, j: number): number {
  const ri = i * n;
  const rj = j * n;
  let sum = A[ri + j];
  for (let k = 0; k < j; k++) sum -= L[ri + k] * L[rj + k];
  return sum / L[rj + j];
}

/** Solves L Lᵀ x = b. */
export function choleskySolve(L: Float64Array, n: number, b: Float64Array): Float64Array {
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let sum = b[i];
    const ri = i * n;
    for (let k = 0; k < i; k++) sum -= L[ri + k] * y[k];
    y[i] = sum / L[ri + i];
  }
  // Lᵀ x = y by columns of Lᵀ (rows of L), so the inner loop runs along a row.
  const x = y;
  for (let i = n - 1; i >= 0; i--) {
    const ri = i * n;
    x[i] /= L[ri + i];
    const xi = x[i];
    for (let k = 0; k < i; k++) x[k] -= L[ri + k] * xi;
  }
  return x;
}

/** M·Mᵀ (rows × rows) of the row-major rows × cols matrix M: dot products of contiguous rows. */
export function gram(M: Float64Array, rows: number, cols: number): Float64Array {
  const G = new Float64Array(rows * rows);
  for (let i = 0; i < rows; i++) {
    const ri = i * cols;
    for (let j = 0; j <= i; j++) {
      const rj = j * cols;
      let sum = 0;
      for (let k = 0; k < cols; k++) sum += M[ri + k] * M[rj + k];
      G[i * rows + j] = sum;
      G[j * rows + i] = sum;
    }
  }
  return G;
}

/** Mᵀ of the row-major rows × cols matrix M. */
export function transpose(M: Float64Array, rows: number, cols: number): Float64Array {
  const T = new Float64Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) T[c * rows + r] = M[r * cols + c];
  return T;
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

const CONVERGENCE_CHECK = 10;
const RITZ_TOLERANCE = 1e-12;

/**
 * The smallest and largest eigenvalue of the symmetric matrix A by Lanczos with full
 * reorthogonalization (O(k·n²) instead of the O(n³) of a full eigendecomposition), then
 * bisection on the tridiagonal matrix. With k = n iterations the values are exact up to
 * rounding; with fewer they are the extreme Ritz values, which converge first: every
 * CONVERGENCE_CHECK iterations both are compared with the last check's, and the iteration stops
 * once neither moved by more than RITZ_TOLERANCE of the spectral radius (each matrix-vector
 * product reads all n² entries, so iterations past convergence are the expensive part).
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
  let previous: ExtremeEigenvalues | undefined;
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
    if ((j + 1) % CONVERGENCE_CHECK === 0 && j + 1 < n) {
      const now = finish(alpha, beta, false);
      const scale = Math.max(Math.abs(now.min), Math.abs(now.max), Number.MIN_VALUE);
      if (previous && Math.abs(now.min - previous.min) <= RITZ_TOLERANCE * scale && Math.abs(now.max - previous.max) <= RITZ_TOLERANCE * scale) {
        return now;
      }
      previous = now;
    }
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
