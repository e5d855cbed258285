// Information theory behind the cross-entropy loss: self-information, entropy, cross-entropy
// and KL divergence of discrete distributions. `base` picks the unit: e gives nats (the
// engine's losses use natural logs), 2 gives bits (the lecture's "number of bits").
// Conventions: 0·log 0 = 0; a q(x) = 0 where p(x) > 0 makes cross-entropy and KL +∞.

const NATS = Math.E;
const SUM_TOLERANCE = 1e-9;

function logIn(base: number): (x: number) => number {
  const scale = Math.log(base);
  return (x) => Math.log(x) / scale;
}

/** I(x) = −log p(x): how surprising an event of probability p is. */
export function selfInformation(p: number, base = NATS): number {
  if (!(p >= 0 && p <= 1)) throw new RangeError(`a probability must be between 0 and 1, got ${p}`);
  return 0 - logIn(base)(p); // a sure event carries 0, not −0
}

/** Why `p` is not a probability distribution (naming the entry), or undefined when it is one. */
export function distributionProblem(p: readonly number[], name = 'p'): string | undefined {
  if (p.length === 0) return `${name} is empty; give at least one probability`;
  for (let i = 0; i < p.length; i++) {
    if (!Number.isFinite(p[i]) || p[i] < 0 || p[i] > 1) return `${name}[${i}] = ${p[i]} is not a probability between 0 and 1`;
  }
  const sum = p.reduce((s, v) => s + v, 0);
  // 12 digits: 0.3 + 0.3 + 0.3 is 0.8999999999999999 in binary and should read as 0.9.
  if (Math.abs(sum - 1) > SUM_TOLERANCE) return `${name} sums to ${Number(sum.toPrecision(12))}, not 1`;
  return undefined;
}

function assertDistribution(p: readonly number[], name: string): void {
  const problem = distributionProblem(p, name);
  if (problem) throw new RangeError(problem);
}

function assertSameLength(p: readonly number[], q: readonly number[]): void {
  if (p.length !== q.length) throw new RangeError(`p has ${p.length} outcomes but q has ${q.length}; they must match`);
}

/**
 * Σ over the outcomes with p(x) > 0 of term(p(x), q(x)) for two checked distributions of the same
 * length: outcomes p never produces contribute nothing (0·log 0 = 0), as in the lecture.
 */
function sumWhereP(
  p: readonly number[], q: readonly number[], base: number,
  term: (pi: number, qi: number, log: (x: number) => number) => number,
): number {
  assertDistribution(p, 'p');
  assertDistribution(q, 'q');
  assertSameLength(p, q);
  const log = logIn(base);
  let sum = 0;
  for (let i = 0; i < p.length; i++) if (p[i] > 0) sum += term(p[i], q[i], log);
  return sum;
}

/** H(p, q) = −Σ p(x) log q(x): the expected surprise of q's predictions when outcomes follow p. */
export function crossEntropy(p: readonly number[], q: readonly number[], base = NATS): number {
  return sumWhereP(p, q, base, (pi, qi, log) => -pi * log(qi));
}

/** H(p) = −Σ p(x) log p(x) = H(p, p): how uncertain p is. */
export function entropy(p: readonly number[], base = NATS): number {
  return crossEntropy(p, p, base);
}

/** D_KL(p ‖ q) = Σ p(x) log(p(x)/q(x)) ≥ 0; cross-entropy = entropy + KL. */
export function klDivergence(p: readonly number[], q: readonly number[], base = NATS): number {
  return sumWhereP(p, q, base, (pi, qi, log) => pi * (log(pi) - log(qi)));
}

/** Entropy of a coin that shows heads with probability `heads`: the lecture's curve, peaking at ½. */
export function coinFlipEntropy(heads: number, base = NATS): number {
  return entropy([heads, 1 - heads], base);
}

/** The coin-flip curve sampled at `points` evenly spaced probabilities from 0 to 1. */
export function coinFlipEntropyCurve(points: number, base = NATS): { heads: number[]; entropy: number[] } {
  if (!Number.isInteger(points) || points < 2) throw new RangeError(`the curve needs at least 2 points, got ${points}`);
  const heads = Array.from({ length: points }, (_, i) => i / (points - 1));
  return { heads, entropy: heads.map((h) => coinFlipEntropy(h, base)) };
}
