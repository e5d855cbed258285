// Newton's method on the whole training set: θ ← θ − lr·(H + μI)⁻¹ ∇J with the exact Hessian.
//
// When H is not positive definite the Newton direction need not go downhill, so the step is
// damped Levenberg-style: μ starts at `damping`·max(1, max|H_ii|) and is multiplied by 10 until
// the Cholesky factorization of H + μI succeeds (μ = 0 when H itself is positive definite). The
// report carries μ and H's smallest and largest eigenvalue, so a learner sees why.
import type { Objective, Optimizer, OptimizerReport } from './optimizer';
import { requireObjective, stepsReport } from './fullBatch';
import { cholesky, choleskySolve, extremeEigenvalues, symmetrize } from '../secondOrder/linalg';
import { assign, flatten, maxAbs, norm } from '../secondOrder/vectors';

export interface NewtonOptions {
  learningRate: number;
  damping: number; // first μ tried, relative to max(1, max|H_ii|), when H is not positive definite
}

export class Newton implements Optimizer {
  readonly type = 'newton' as const;
  readonly fullBatch = true;

  constructor(
    private readonly options: NewtonOptions,
    private readonly names: readonly string[],
  ) {}

  step(params: Float64Array[], _grads: Float64Array[], objective?: Objective): OptimizerReport {
    const problem = requireObjective(this.type, objective);
    const hessianOf = problem.hessian;
    if (!hessianOf) throw new Error('newton: the objective offers no Hessian');
    const { loss, grads } = problem.evaluate(params);
    const g = flatten(grads);
    const P = g.length;
    const H = symmetrize(hessianOf(params), P);
    const eigen = extremeEigenvalues(H, P);

    let damping = 0;
    let factor = cholesky(H, P);
    if (!factor) {
      let largestDiagonal = 1;
      for (let i = 0; i < P; i++) largestDiagonal = Math.max(largestDiagonal, Math.abs(H[i * P + i]));
      damping = this.options.damping * largestDiagonal;
      while (!(factor = cholesky(H, P, damping))) {
        damping *= 10;
        if (!Number.isFinite(damping)) throw new Error('newton: no damping makes the Hessian positive definite (non-finite entries?)');
      }
    }
    const direction = choleskySolve(factor, P, g).map((v) => -v);

    const before = params.map((p) => p.slice());
    const theta = flatten(params);
    for (let i = 0; i < P; i++) theta[i] += this.options.learningRate * direction[i];
    assign(params, theta);

    return {
      state: {
        loss,
        gradientNorm: norm(g),
        gradientMaxAbs: maxAbs(g),
        stepLength: this.options.learningRate * norm(direction),
        damping,
        positiveDefinite: damping === 0,
        hessianMinEigenvalue: eigen.min,
        hessianMaxEigenvalue: eigen.max,
        eigenvaluesExact: eigen.exact,
        // −gᵀd: the decrease a quadratic model predicts is half of it (the Newton decrement squared).
        newtonDecrementSquared: -g.reduce((s, gi, i) => s + gi * direction[i], 0),
        ...stepsReport(this.names, before, params),
      },
    };
  }

  // Newton keeps no state between steps.
  snapshot(): null {
    return null;
  }

  restore(): void {}
}
