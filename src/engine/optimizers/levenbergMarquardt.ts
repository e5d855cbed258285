// Levenberg–Marquardt for mse on the whole training set. With residuals r (J = Σr², see
// secondOrder/jacobian.ts) and their Jacobian Jr, each trial solves
//   (Jrᵀ Jr + λI) δ = −Jrᵀ r
// (Levenberg's identity damping: Gauss–Newton for small λ, a short gradient step for large λ).
// A trial is accepted only if it lowers J; then λ ← λ/dampingFactor. Otherwise λ ← λ·dampingFactor
// and the step is retried from the same θ. If none of MAX_TRIALS trials lowers J, θ stays where
// it was. `maxIter` accepted-or-failed iterations make one step.
import type { CarriedState, Objective, Optimizer, OptimizerReport } from './optimizer';
import { innerIterations, requireObjective } from './fullBatch';
import { cholesky, choleskySolve, gram, transpose } from '../secondOrder/linalg';
import { along, assign, flatten, norm, unflatten } from '../secondOrder/vectors';

export interface LevenbergMarquardtOptions {
  damping: number; // λ before the first step
  dampingFactor: number; // > 1
  maxIter: number; // LM iterations per step
}

/** Trials per iteration: with factor 10, from λ = 1e-15 up to 1e15. */
export const MAX_TRIALS = 30;

/** Jr is R×P in memory; beyond this many entries the step would need hundreds of megabytes. */
export const JACOBIAN_ENTRY_LIMIT = 20_000_000;
const SMALLEST_DAMPING = 1e-15;

interface Trial {
  damping: number;
  loss: number; // J at the trial point (NaN when the damped system could not be factorized)
}

export class LevenbergMarquardt implements Optimizer {
  readonly type = 'levenberg-marquardt' as const;
  readonly fullBatch = true;
  private lambda: number;

  constructor(
    private readonly options: LevenbergMarquardtOptions,
    private readonly names: readonly string[],
  ) {
    this.lambda = options.damping;
  }

  step(params: Float64Array[], _grads: Float64Array[], objective?: Objective): OptimizerReport {
    const problem = requireObjective(this.type, objective);
    return innerIterations(this.names, params, this.options.maxIter, () => this.iterate(params, problem));
  }

  private iterate(params: Float64Array[], problem: Objective): Record<string, unknown> {
    if (!problem.residuals) throw new Error('levenberg-marquardt: needs loss "mse" without l1 regularization (a sum of squares)');
    const theta = flatten(params);
    const P = theta.length;
    const { residuals: r, jacobian: Jr } = problem.residuals(params);
    const R = r.length;
    if (R * P > JACOBIAN_ENTRY_LIMIT) {
      throw new Error(
        `levenberg-marquardt: the residual Jacobian would be ${R} residuals × ${P} parameters = ${R * P} entries ` +
          `(limit ${JACOBIAN_ENTRY_LIMIT}); use fewer training samples or a smaller network`,
      );
    }
    const loss = r.reduce((s, v) => s + v * v, 0);

    // ∇J = 2 Jrᵀ r. With fewer residuals than parameters the step solves the R×R system
    // (Jr Jrᵀ + λI) α = r and takes δ = −Jrᵀ α, the same δ as the P×P system (push-through
    // identity Jrᵀ(Jr Jrᵀ + λI)⁻¹ = (Jrᵀ Jr + λI)⁻¹ Jrᵀ) at a fraction of the cost.
    const b = new Float64Array(P);
    for (let k = 0; k < R; k++) {
      const row = k * P;
      const rk = r[k];
      for (let i = 0; i < P; i++) b[i] += Jr[row + i] * rk;
    }
    const dual = R < P;
    const n = dual ? R : P;
    const system = dual ? gram(Jr, R, P) : gram(transpose(Jr, R, P), P, R);
    const rightSide = dual ? r : b;
    const stepFor = (damping: number): Float64Array | null => {
      const factorization = cholesky(system, n, damping);
      if (!factorization) return null;
      const solution = choleskySolve(factorization, n, rightSide);
      if (!dual) return solution.map((v) => -v);
      const delta = new Float64Array(P);
      for (let k = 0; k < R; k++) {
        const row = k * P;
        const ak = solution[k];
        for (let i = 0; i < P; i++) delta[i] -= Jr[row + i] * ak;
      }
      return delta;
    };

    const factor = this.options.dampingFactor;
    const trials: Trial[] = [];
    let accepted: { theta: Float64Array; loss: number; damping: number; length: number } | null = null;
    for (let attempt = 0; attempt < MAX_TRIALS && !accepted; attempt++) {
      const damping = this.lambda;
      const delta = stepFor(damping);
      if (delta) {
        const candidate = along(theta, 1, delta);
        const trialLoss = problem.evaluate(unflatten(candidate, params)).loss;
        trials.push({ damping, loss: trialLoss });
        if (trialLoss < loss) {
          accepted = { theta: candidate, loss: trialLoss, damping, length: norm(delta) };
          this.lambda = Math.max(damping / factor, SMALLEST_DAMPING);
          break;
        }
      } else {
        trials.push({ damping, loss: NaN });
      }
      this.lambda = Math.max(damping, SMALLEST_DAMPING) * factor;
    }
    if (accepted) assign(params, accepted.theta);

    return {
      loss,
      lossAfter: accepted ? accepted.loss : loss,
      accepted: accepted !== null,
      damping: accepted ? accepted.damping : this.lambda,
      nextDamping: this.lambda,
      trials,
      gradientNorm: 2 * norm(b),
      stepLength: accepted ? accepted.length : 0,
    };
  }

  carriedState(): CarriedState[] {
    return [{ name: 'damping', scalar: this.lambda }];
  }

  snapshot(): { lambda: number } {
    return { lambda: this.lambda };
  }

  restore(snapshot: unknown): void {
    this.lambda = (snapshot as { lambda: number }).lambda;
  }
}
