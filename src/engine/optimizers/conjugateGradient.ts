// Nonlinear conjugate gradient (Polak–Ribière+) on the whole training set, one iteration per step:
//   β = max(0, gₖᵀ(gₖ − gₖ₋₁) / gₖ₋₁ᵀgₖ₋₁),   dₖ = −gₖ + β·dₖ₋₁
// restarted with dₖ = −gₖ every P iterations (P = parameter count) and whenever dₖ is not a
// descent direction; the step length comes from a strong-Wolfe line search with c2 = 0.1 (the
// tighter curvature condition CG needs, Nocedal & Wright §5.2). On a quadratic the cubic
// interpolation lands on the exact minimizer along d, so CG finishes in about P iterations.
import type { Objective, Optimizer, OptimizerReport } from './optimizer';
import { requireObjective, stepsReport } from './fullBatch';
import { strongWolfe, TORCH_WOLFE } from './lineSearch';
import { along, assign, dot, flatten, maxAbs, norm, unflatten } from '../secondOrder/vectors';

export interface ConjugateGradientOptions {
  learningRate: number; // first trial step of the first line search, as torch's LBFGS: min(1, 1/‖g‖₁)·lr
  toleranceGrad: number; // no step when max|∇J| is at or below this
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
    const s = this.s;
    const before = params.map((p) => p.slice());
    const evaluateAt = (x: Float64Array) => {
      const { loss, grads } = problem.evaluate(unflatten(x, params));
      return { loss, grad: flatten(grads) };
    };
    const x = flatten(params);
    const { loss, grad } = evaluateAt(x);
    const P = x.length;
    if (maxAbs(grad) <= this.options.toleranceGrad) {
      return { state: { loss, converged: true, gradientNorm: norm(grad), stepLength: 0, ...stepsReport(this.names, before, params) } };
    }

    let beta = 0;
    let restart: string | null = null;
    let d: Float64Array;
    if (!s.previousGrad || !s.previousDirection) {
      restart = 'first iteration';
      d = grad.map((g) => -g);
    } else if (s.sinceRestart >= P) {
      restart = `every ${P} iterations`;
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
    const found = strongWolfe((t) => evaluateAt(along(x, t, d)), d, { t: 0, loss, grad, slope }, trial, CG_WOLFE);
    assign(params, along(x, found.t, d));

    s.previousGrad = grad;
    s.previousDirection = d;
    s.previousSlope = slope;
    s.previousStep = found.t;
    s.sinceRestart += 1;

    return {
      state: {
        loss,
        lossAfter: found.loss,
        beta,
        restart,
        stepLength: found.t * norm(d),
        lineStep: found.t,
        lineSearchEvaluations: found.evaluations,
        gradientNorm: norm(grad),
        ...stepsReport(this.names, before, params),
      },
    };
  }

  snapshot(): CgState {
    return copyState(this.s);
  }

  restore(snapshot: unknown): void {
    this.s = copyState(snapshot as CgState);
  }
}

function copyState(s: CgState): CgState {
  return { ...s, previousGrad: s.previousGrad && s.previousGrad.slice(), previousDirection: s.previousDirection && s.previousDirection.slice() };
}
