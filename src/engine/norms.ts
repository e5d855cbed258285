// p-norms and the distances the lecture sets beside them.
// ‖x‖_p = (Σ|xᵢ|^p)^(1/p) for p ≥ 1; p = Infinity gives max|xᵢ| (Chebyshev).

function assertOrder(p: number): void {
  if (!(p >= 1)) throw new RangeError(`p must be at least 1 (a "norm" with p < 1 breaks the triangle inequality), got ${p}`);
}

function assertSameLength(a: readonly number[], b: readonly number[]): void {
  if (a.length !== b.length) throw new RangeError(`the vectors have ${a.length} and ${b.length} entries; they must match`);
}

/** ‖x‖_p. Entries are divided by max|xᵢ| first, so |xᵢ|^p cannot overflow for large p. */
export function pNorm(x: readonly number[], p: number): number {
  assertOrder(p);
  let largest = 0;
  for (const v of x) largest = Math.max(largest, Math.abs(v));
  if (p === Infinity || largest === 0 || !Number.isFinite(largest)) return largest;
  let sum = 0;
  for (const v of x) sum += (Math.abs(v) / largest) ** p;
  return largest * sum ** (1 / p);
}

/** ‖a − b‖_p: Manhattan (p = 1), Euclidean (2), Minkowski (p), Chebyshev (∞). */
export function pDistance(a: readonly number[], b: readonly number[], p: number): number {
  assertSameLength(a, b);
  return pNorm(a.map((v, i) => v - b[i]), p);
}

/**
 * `points` points on the boundary of the 2-D unit ball {x : ‖x‖_p = 1}, counter-clockwise from
 * (1, 0): each direction (cos θ, sin θ) scaled by 1/‖(cos θ, sin θ)‖_p.
 */
export function unitBallBoundary(p: number, points: number): Array<[number, number]> {
  assertOrder(p);
  if (!Number.isInteger(points) || points < 4) throw new RangeError(`the boundary needs at least 4 points, got ${points}`);
  return Array.from({ length: points }, (_, i) => {
    const theta = (2 * Math.PI * i) / points;
    const direction = [Math.cos(theta), Math.sin(theta)];
    const length = pNorm(direction, p);
    return [direction[0] / length, direction[1] / length];
  });
}

/** cos∠(a, b) = a·b / (‖a‖₂‖b‖₂), in [−1, 1]; undefined (RangeError) for a zero vector. */
export function cosineSimilarity(a: readonly number[], b: readonly number[]): number {
  assertSameLength(a, b);
  const lengths = pNorm(a, 2) * pNorm(b, 2);
  if (lengths === 0) throw new RangeError('cosine similarity needs two non-zero vectors');
  let dot = 0;
  for (let i = 0; i < a.length; i++) dot += a[i] * b[i];
  return Math.max(-1, Math.min(1, dot / lengths));
}

/** The number of positions where a and b differ (numbers, letters, bits). */
export function hammingDistance<T>(a: ArrayLike<T>, b: ArrayLike<T>): number {
  if (a.length !== b.length) throw new RangeError(`Hamming distance needs equal lengths, got ${a.length} and ${b.length}`);
  let count = 0;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) count++;
  return count;
}
