// Newton's method on the whole training set: θ ← θ − lr·(H + μI)⁻¹ ∇J with the exact Hessian.
//
// The system solved is (H + μI) d = −∇J with μ = `damping` (default 0, pure Newton). When that
// matrix is not positive definite the Newton direction need not go downhill, so the step is
// damped Levenberg-style: μ is raised to max(damping, 1e-3·max(1, max|H_ii|)) and multiplied by
// 10 until the Cholesky factorization of H + μI succeeds (values of μ that H's smallest Ritz
// value already rules out are stepped over without factorizing). The report carries μ and H's smallest
// and largest eigenvalue, so a learner sees why. `maxIter` Newton iterations make one step.
import type { CarriedState, Objective, Optimizer, OptimizerReport } from './optimizer';
import { innerIterations, requireObjective } from './fullBatch';
import { cholesky, choleskySolve, extremeEigenvalues, symmetrize } from '../secondOrder/linalg';
import { assign, flatten, maxAbs, norm } from '../secondOrder/vectors';

export interface NewtonOptions {
  learningRate: number;
  damping: number; // μ always added to H
  maxIter: number; // Newton iterations per step
}

/** First raise of μ, relative to max(1, max|H_ii|), when H + damping·I is not positive definite. */
const FIRST_RAISE = 1e-3;

export class Newton implements Optimizer {
  readonly type = 'newton' as const;
  readonly fullBatch = true;

  constructor(
    private readonly options: NewtonOptions,
    private readonly names: readonly string[],
  ) {}

  step(params: Float64Array[], _grads: Float64Array[], objective?: Objective): OptimizerReport {
    const problem = requireObjective(this.type, objective);
    return innerIterations(this.names, params, this.options.maxIter, () => this.iterate(params, problem));
  }

  private iterate(params: Float64Array[], problem: Objective): Record<string, unknown> {
    const hessianOf = problem.hessian;
    if (!hessianOf) throw new Error('newton: the objective offers no Hessian');
    const { loss, grads } = problem.evaluate(params);
    const g = flatten(grads);
    const P = g.length;
    const H = symmetrize(hessianOf(params), P);
    const eigen = extremeEigenvalues(H, P);

    // The smallest Ritz value is ≥ H's smallest eigenvalue, so for μ ≤ −eigen.min H + μI is
    // certainly not positive definite: those μ are skipped without a factorization that would fail.
    const hopeless = (mu: number) => mu <= -eigen.min;
    let damping = this.options.damping;
    let factor = hopeless(damping) ? null : cholesky(H, P, damping);
    const dampingRaised = !factor;
    if (!factor) {
      let largestDiagonal = 1;
      for (let i = 0; i < P; i++) largestDiagonal = Math.max(largestDiagonal, Math.abs(H[i * P + i]));
      damping = Math.max(damping, FIRST_RAISE * largestDiagonal);
      while (hopeless(damping) || !(factor = cholesky(H, P, damping))) {
        damping *= 10;
        if (!Number.isFinite(damping)) throw new Error('newton: no damping makes the Hessian positive definite (non-finite entries?)');
      }
    }
    const direction = choleskySolve(factor, P, g).map((v) => -v);

    const theta = flatten(params);
    for (let i = 0; i < P; i++) theta[i] += this.options.learningRate * direction[i];
    assign(params, theta);

    return {
      loss,
      gradientNorm: norm(g),
      gradientMaxAbs: maxAbs(g),
      stepLength: this.options.learningRate * norm(direction),
      damping,
      dampingRaised, // H + damping·I was not positive definite
      hessianMinEigenvalue: eigen.min,
      hessianMaxEigenvalue: eigen.max,
      eigenvaluesExact: eigen.exact,
      // −gᵀd: the decrease a quadratic model predicts is half of it (the Newton decrement squared).
      newtonDecrementSquared: -g.reduce((s, gi, i) => s + gi * direction[i], 0),
    };
  }

  // Newton keeps no state between steps.
  /** Newton keeps nothing between steps: each one starts from the weights alone. */
  carriedState(): CarriedState[] {
    return [];
  }

  snapshot(): null {
    return null;
  }

  restore(): void {}
}
