// Nonlinear conjugate gradient (Polak–Ribière+) on the whole training set, one iteration per step:
//   β = max(0, gₖᵀ(gₖ − gₖ₋₁) / gₖ₋₁ᵀgₖ₋₁),   dₖ = −gₖ + β·dₖ₋₁
// restarted with dₖ = −gₖ every `restart` iterations (default P, the parameter count) and
// whenever dₖ is not a descent direction; the step length comes from a strong-Wolfe line search
// with c2 = 0.1 (the tighter curvature condition CG needs, Nocedal & Wright §5.2), or is
// learningRate with lineSearch "none". On a quadratic the cubic interpolation lands on the exact
// minimizer along d, so CG finishes in about P iterations. `maxIter` iterations make one step.
import type { CarriedState, Objective, Optimizer, OptimizerReport } from './optimizer';
import { innerIterations, requireObjective } from './fullBatch';
import { strongWolfe, TORCH_WOLFE } from './lineSearch';
import { along, assign, dot, flatten, norm, unflatten } from '../secondOrder/vectors';

export interface ConjugateGradientOptions {
  learningRate: number; // the fixed step, or the first line search's first trial, as torch's LBFGS: min(1, 1/‖g‖₁)·lr
  lineSearch: 'strong-wolfe' | 'none';
  maxIter: number; // iterations per step
  restart?: number; // iterations between restarts; default the parameter count
}

interface CgState {
  sinceRestart: number;
  previousGrad: Float64Array | null;
  previousDirection: Float64Array | null;
  previousSlope: number;
  previousStep: number;
}

const CG_WOLFE = { ...TORCH_WOLFE, c2: 0.1 };

export class ConjugateGradient implements Optimizer {
  readonly type = 'conjugate-gradient' as const;
  readonly fullBatch = true;
  private s: CgState = { sinceRestart: 0, previousGrad: null, previousDirection: null, previousSlope: 0, previousStep: 0 };

  constructor(
    private readonly options: ConjugateGradientOptions,
    private readonly names: readonly string[],
  ) {}

  step(params: Float64Array[], _grads: Float64Array[], objective?: Objective): OptimizerReport {
    const problem = requireObjective(this.type, objective);
    return innerIterations(this.names, params, this.options.maxIter, () => this.iterate(params, problem));
  }

  private iterate(params: Float64Array[], problem: Objective): Record<string, unknown> {
    const s = this.s;
    const evaluateAt = (x: Float64Array) => {
      const { loss, grads } = problem.evaluate(unflatten(x, params));
      return { loss, grad: flatten(grads) };
    };
    const x = flatten(params);
    const { loss, grad } = evaluateAt(x);
    const period = this.options.restart ?? x.length;
    if (grad.every((g) => g === 0)) return { loss, lossAfter: loss, converged: true, gradientNorm: 0, stepLength: 0 };

    let beta = 0;
    let restart: string | null = null;
    let d: Float64Array;
    if (!s.previousGrad || !s.previousDirection) {
      restart = 'first iteration';
      d = grad.map((g) => -g);
    } else if (s.sinceRestart >= period) {
      restart = `every ${period} iterations`;
      d = grad.map((g) => -g);
    } else {
      const prev = s.previousGrad;
      beta = Math.max(0, grad.reduce((sum, g, i) => sum + g * (g - prev[i]), 0) / dot(prev, prev));
      const prevD = s.previousDirection;
      d = grad.map((g, i) => -g + beta * prevD[i]);
      if (dot(grad, d) >= 0) {
        restart = 'not a descent direction';
        beta = 0;
        d = grad.map((g) => -g);
      }
    }
    if (restart) s.sinceRestart = 0;
    const slope = dot(grad, d);

    // First trial step: as torch's LBFGS on a fresh start, else the step that would repeat the
    // last iteration's first-order decrease (Nocedal & Wright eq. 3.60).
    // (The fresh guess also after a line search that could not move: t = 0 would stay 0.)
    const repeated = (s.previousStep * s.previousSlope) / slope;
    const trial = !restart && repeated > 0 && Number.isFinite(repeated)
      ? repeated
      : Math.min(1, 1 / grad.reduce((sum, g) => sum + Math.abs(g), 0)) * this.options.learningRate;
    const found = this.options.lineSearch === 'strong-wolfe'
      ? strongWolfe((t) => evaluateAt(along(x, t, d)), d, { t: 0, loss, grad, slope }, trial, CG_WOLFE)
      : fixedStep(this.options.learningRate, (t) => problem.evaluate(unflatten(along(x, t, d), params)).loss);
    assign(params, along(x, found.t, d));

    s.previousGrad = grad;
    s.previousDirection = d;
    s.previousSlope = slope;
    s.previousStep = found.t;
    s.sinceRestart += 1;

    return {
      loss,
      lossAfter: found.loss,
      beta,
      restart,
      stepLength: found.t * norm(d),
      lineStep: found.t,
      lineSearchEvaluations: found.evaluations,
      gradientNorm: norm(grad),
    };
  }

  carriedState(): CarriedState[] {
    const carried: CarriedState[] = [{ name: 'previousSlope', scalar: this.s.previousSlope }, { name: 'previousStep', scalar: this.s.previousStep }];
    if (this.s.previousGrad) carried.push({ name: 'previousGrad', flat: this.s.previousGrad });
    if (this.s.previousDirection) carried.push({ name: 'previousDirection', flat: this.s.previousDirection });
    return carried;
  }

  snapshot(): CgState {
    return copyState(this.s);
  }

  restore(snapshot: unknown): void {
    this.s = copyState(snapshot as CgState);
  }
}

/** A step of fixed length t, with J after it (the report's lossAfter, as a line search would give). */
function fixedStep(t: number, lossAt: (t: number) => number): { t: number; loss: number; evaluations: number } {
  return { t, loss: lossAt(t), evaluations: 1 };
}

function copyState(s: CgState): CgState {
  return { ...s, previousGrad: s.previousGrad && s.previousGrad.slice(), previousDirection: s.previousDirection && s.previousDirection.slice() };
}
