// L-BFGS on the whole training set, step for step as torch.optim.LBFGS: one of our steps is
// one `LBFGS.step(closure)`, which runs up to maxIter quasi-Newton iterations.
//
// Each iteration: the direction d = −H̃∇J from the two-loop recursion over the last
// historySize pairs (s = θ_{k+1} − θ_k, y = ∇J_{k+1} − ∇J_k; a pair is stored only when
// yᵀs > 1e-10 so H̃ stays positive definite), with the initial inverse Hessian γI,
// γ = yᵀs / yᵀy of the newest pair. The step length t is lr (on the very first iteration
// min(1, 1/‖∇J‖₁)·lr), refined by a strong-Wolfe line search unless lineSearch is "none".
// Iterations stop at maxIter, at maxEval evaluations, when max|∇J| ≤ toleranceGrad, or when
// the step or the change in J falls below toleranceChange.
import type { CarriedState, Objective, Optimizer, OptimizerReport } from './optimizer';
import { requireObjective, stepsReport } from './fullBatch';
import { strongWolfe } from './lineSearch';
import { along, assign, dot, flatten, maxAbs, unflatten } from '../secondOrder/vectors';

export interface LbfgsOptions {
  learningRate: number;
  maxIter: number;
  maxEval: number;
  toleranceGrad: number;
  toleranceChange: number;
  historySize: number;
  lineSearch: 'strong-wolfe' | 'none';
}

/** Everything torch keeps in `state` between `.step` calls. */
interface LbfgsState {
  evaluations: number;
  iterations: number;
  direction: Float64Array | null;
  stepLength: number;
  steps: Float64Array[]; // s_i, oldest first
  gradientChanges: Float64Array[]; // y_i
  rho: number[]; // 1 / yᵢᵀsᵢ
  gamma: number; // initial inverse-Hessian scale
  previousGrad: Float64Array | null;
  previousLoss: number;
}

type StopReason = 'gradient below toleranceGrad' | 'maxIter' | 'maxEval' | 'step below toleranceChange' | 'loss change below toleranceChange' | 'not a descent direction';

export class Lbfgs implements Optimizer {
  readonly type = 'lbfgs' as const;
  readonly fullBatch = true;
  private s: LbfgsState = {
    evaluations: 0, iterations: 0, direction: null, stepLength: 0, steps: [], gradientChanges: [], rho: [], gamma: 1,
    previousGrad: null, previousLoss: NaN,
  };

  constructor(
    private readonly options: LbfgsOptions,
    private readonly names: readonly string[],
  ) {}

  step(params: Float64Array[], _grads: Float64Array[], objective?: Objective): OptimizerReport {
    const problem = requireObjective(this.type, objective);
    const { learningRate: lr, maxIter, maxEval, toleranceGrad, toleranceChange, historySize, lineSearch } = this.options;
    const s = this.s;
    const before = params.map((p) => p.slice());
    const evaluateAt = (x: Float64Array) => {
      const { loss, grads } = problem.evaluate(unflatten(x, params));
      return { loss, grad: flatten(grads) };
    };

    let x = flatten(params);
    let { loss, grad } = evaluateAt(x);
    const initialLoss = loss;
    let evaluations = 1;
    s.evaluations += 1;
    let stop: StopReason = 'gradient below toleranceGrad';
    let iterations = 0;
    let lineSearchEvaluations = 0;

    if (maxAbs(grad) > toleranceGrad) {
      stop = 'maxIter';
      while (iterations < maxIter) {
        iterations++;
        s.iterations++;
        let d: Float64Array;
        if (s.iterations === 1) {
          d = grad.map((g) => -g);
          s.steps = [];
          s.gradientChanges = [];
          s.rho = [];
          s.gamma = 1;
        } else {
          this.remember(grad, historySize);
          d = this.twoLoop(grad);
        }
        s.direction = d;
        s.previousGrad = grad.slice();
        s.previousLoss = loss;

        let t = s.iterations === 1 ? Math.min(1, 1 / grad.reduce((sum, g) => sum + Math.abs(g), 0)) * lr : lr;
        s.stepLength = t;
        const slope = dot(grad, d);
        if (slope > -toleranceChange) {
          stop = 'not a descent direction';
          break;
        }

        let gradientSmall = false;
        let used = 0;
        if (lineSearch === 'strong-wolfe') {
          const found = strongWolfe((step) => evaluateAt(along(x, step, d)), d, { t: 0, loss, grad, slope }, t);
          ({ loss, grad, t } = found);
          x = along(x, t, d);
          gradientSmall = maxAbs(grad) <= toleranceGrad;
          used = found.evaluations;
          lineSearchEvaluations += used;
        } else {
          x = along(x, t, d);
          // As torch: no evaluation after the last iteration (the next step starts with one).
          if (iterations !== maxIter) {
            ({ loss, grad } = evaluateAt(x));
            gradientSmall = maxAbs(grad) <= toleranceGrad;
            used = 1;
          }
        }
        s.stepLength = t;
        evaluations += used;
        s.evaluations += used;

        if (iterations === maxIter) break;
        if (evaluations >= maxEval) {
          stop = 'maxEval';
          break;
        }
        if (gradientSmall) {
          stop = 'gradient below toleranceGrad';
          break;
        }
        if (maxAbs(d) * Math.abs(t) <= toleranceChange) {
          stop = 'step below toleranceChange';
          break;
        }
        if (Math.abs(loss - s.previousLoss) < toleranceChange) {
          stop = 'loss change below toleranceChange';
          break;
        }
      }
      assign(params, x);
    }

    return {
      state: {
        loss: initialLoss,
        iterations,
        evaluations,
        lineSearchEvaluations,
        stepLength: s.stepLength,
        historyLength: s.steps.length,
        gamma: s.gamma,
        gradientMaxAbs: maxAbs(grad),
        stop,
        ...stepsReport(this.names, before, params),
      },
    };
  }

  /** Stores the pair (s, y) of the last iteration when its curvature yᵀs is positive enough. */
  private remember(grad: Float64Array, historySize: number): void {
    const st = this.s;
    const y = grad.map((g, i) => g - st.previousGrad![i]);
    const step = st.direction!.map((di) => di * st.stepLength);
    const ys = dot(y, step);
    if (ys > 1e-10) {
      if (st.steps.length === historySize) {
        st.steps.shift();
        st.gradientChanges.shift();
        st.rho.shift();
      }
      st.steps.push(step);
      st.gradientChanges.push(y);
      st.rho.push(1 / ys);
      st.gamma = ys / dot(y, y);
    }
  }

  /** −H̃∇J by the two-loop recursion. */
  private twoLoop(grad: Float64Array): Float64Array {
    const { steps, gradientChanges: ys, rho, gamma } = this.s;
    const alphas = new Array<number>(steps.length);
    const q = grad.map((g) => -g);
    for (let i = steps.length - 1; i >= 0; i--) {
      alphas[i] = dot(steps[i], q) * rho[i];
      for (let j = 0; j < q.length; j++) q[j] += -alphas[i] * ys[i][j];
    }
    const r = q.map((v) => v * gamma);
    for (let i = 0; i < steps.length; i++) {
      const beta = dot(ys[i], r) * rho[i];
      for (let j = 0; j < r.length; j++) r[j] += (alphas[i] - beta) * steps[i][j];
    }
    return r;
  }

  carriedState(): CarriedState[] {
    const carried: CarriedState[] = [{ name: 'stepLength', scalar: this.s.stepLength }];
    if (this.s.direction) carried.push({ name: 'direction', flat: this.s.direction });
    this.s.steps.forEach((s, i) => carried.push({ name: `steps[${i}]`, flat: s }));
    this.s.gradientChanges.forEach((y, i) => carried.push({ name: `gradientChanges[${i}]`, flat: y }));
    return carried;
  }

  snapshot(): LbfgsState {
    return copyState(this.s);
  }

  restore(snapshot: unknown): void {
    this.s = copyState(snapshot as LbfgsState);
  }
}

function copyState(s: LbfgsState): LbfgsState {
  return {
    ...s,
    direction: s.direction && s.direction.slice(),
    steps: s.steps.map((v) => v.slice()),
    gradientChanges: s.gradientChanges.map((v) => v.slice()),
    rho: [...s.rho],
    previousGrad: s.previousGrad && s.previousGrad.slice(),
  };
}
