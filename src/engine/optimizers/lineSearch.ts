// A line search satisfying the strong Wolfe conditions along direction d from x:
//   sufficient decrease  φ(t) ≤ φ(0) + c1·t·φ′(0)       curvature  |φ′(t)| ≤ c2·|φ′(0)|
// Bracketing then zooming with safeguarded cubic interpolation (Nocedal & Wright, Algorithms
// 3.5 and 3.6), following the same steps, bounds and tolerances as torch.optim.LBFGS's
// "strong_wolfe" (itself from Mark Schmidt's minFunc via torch7's lswolfe.lua) so that our
// L-BFGS steps can be compared with torch's.
import { dot, maxAbs } from '../secondOrder/vectors';

export interface LinePoint {
  t: number;
  loss: number;
  grad: Float64Array;
  slope: number; // φ′(t) = ∇J(x + t·d) · d
}

export interface LineSearchResult extends LinePoint {
  evaluations: number;
}

export interface WolfeOptions {
  c1: number;
  c2: number;
  toleranceChange: number;
  maxEvaluations: number;
}

export const TORCH_WOLFE: WolfeOptions = { c1: 1e-4, c2: 0.9, toleranceChange: 1e-9, maxEvaluations: 25 };

/**
 * Minimizer of the cubic through (t1, f1, g1) and (t2, f2, g2), clamped to `bounds`
 * (default: the interval between the two points); the midpoint when the cubic has no minimum.
 */
export function cubicMinimizer(
  t1: number, f1: number, g1: number, t2: number, f2: number, g2: number, bounds?: [number, number],
): number {
  const [lo, hi] = bounds ?? (t1 <= t2 ? [t1, t2] : [t2, t1]);
  const d1 = g1 + g2 - (3 * (f1 - f2)) / (t1 - t2);
  const d2Square = d1 * d1 - g1 * g2;
  if (d2Square < 0) return (lo + hi) / 2;
  const d2 = Math.sqrt(d2Square);
  const minimum = t1 <= t2
    ? t2 - (t2 - t1) * ((g2 + d2 - d1) / (g2 - g1 + 2 * d2))
    : t1 - (t1 - t2) * ((g1 + d2 - d1) / (g1 - g2 + 2 * d2));
  return Math.min(Math.max(minimum, lo), hi);
}

/**
 * `evaluate(t)` gives J and ∇J at x + t·d. `start` is t = 0 (loss, grad, slope φ′(0) < 0);
 * `t` the first trial step. Returns the accepted point (the lowest one found when the
 * conditions could not be met within the evaluation budget).
 */
export function strongWolfe(
  evaluate: (t: number) => { loss: number; grad: Float64Array },
  d: Float64Array,
  start: LinePoint,
  t: number,
  options: WolfeOptions = TORCH_WOLFE,
): LineSearchResult {
  const { c1, c2, toleranceChange, maxEvaluations } = options;
  const f0 = start.loss;
  const slope0 = start.slope;
  const dScale = maxAbs(d);
  const probe = (step: number): LinePoint => {
    const { loss, grad } = evaluate(step);
    return { t: step, loss, grad, slope: dot(grad, d) };
  };
  const armijoFails = (p: LinePoint): boolean => p.loss > f0 + c1 * p.t * slope0;
  const curvatureHolds = (p: LinePoint): boolean => Math.abs(p.slope) <= -c2 * slope0;

  // Bracketing: grow t until an interval must contain an acceptable point.
  let current = probe(t);
  let evaluations = 1;
  let previous: LinePoint = start;
  let bracket: [LinePoint, LinePoint] | null = null;
  let iterations = 0;
  while (iterations < maxEvaluations) {
    if (armijoFails(current) || (iterations > 1 && current.loss >= previous.loss)) {
      bracket = [previous, current];
      break;
    }
    if (curvatureHolds(current)) return { ...current, evaluations };
    if (current.slope >= 0) {
      bracket = [previous, current];
      break;
    }
    const next = cubicMinimizer(previous.t, previous.loss, previous.slope, current.t, current.loss, current.slope, [
      current.t + 0.01 * (current.t - previous.t),
      current.t * 10,
    ]);
    previous = current;
    current = probe(next);
    evaluations++;
    iterations++;
  }
  if (!bracket) bracket = [start, current];

  // Zoom: shrink the bracket around an acceptable point, keeping `low` the lower-loss end.
  let low = bracket[0].loss <= bracket[1].loss ? 0 : 1;
  let insufficientProgress = false;
  while (iterations < maxEvaluations) {
    const [a, b] = bracket;
    if (Math.abs(b.t - a.t) * dScale < toleranceChange) break;
    let trial = cubicMinimizer(a.t, a.loss, a.slope, b.t, b.loss, b.slope);
    // Keep trials at least 10% of the bracket away from its ends when progress stalls.
    const hi = Math.max(a.t, b.t);
    const lo = Math.min(a.t, b.t);
    const margin = 0.1 * (hi - lo);
    if (Math.min(hi - trial, trial - lo) < margin) {
      if (insufficientProgress || trial >= hi || trial <= lo) {
        trial = Math.abs(trial - hi) < Math.abs(trial - lo) ? hi - margin : lo + margin;
        insufficientProgress = false;
      } else {
        insufficientProgress = true;
      }
    } else {
      insufficientProgress = false;
    }
    const point = probe(trial);
    evaluations++;
    iterations++;
    const high = 1 - low;
    if (armijoFails(point) || point.loss >= bracket[low].loss) {
      bracket[high] = point;
      low = bracket[0].loss <= bracket[1].loss ? 0 : 1;
    } else {
      if (curvatureHolds(point)) return { ...point, evaluations };
      if (point.slope * (bracket[high].t - bracket[low].t) >= 0) bracket[high] = bracket[low];
      bracket[low] = point;
    }
  }
  return { ...bracket[low], evaluations };
}
