// AdaGrad as torch.optim.Adagrad: each coordinate's step shrinks with the square root of its
// running sum of squared gradients.
//   g ← ∇J + weightDecay·θ;  η_t ← lr / (1 + (t − 1)·lrDecay)
//   s ← s + g²;  θ ← θ − η_t · g / (√s + eps)
import type { CarriedState, Optimizer, OptimizerReport } from './optimizer';
import { assertShapes, cloneAll, reportPerParameter } from './perParameter';

export interface AdagradOptions {
  learningRate: number;
  lrDecay: number;
  weightDecay: number;
  initialAccumulatorValue: number;
  eps: number;
}

interface AdagradSnapshot {
  t: number;
  sumOfSquares: Float64Array[] | null;
}

export class Adagrad implements Optimizer {
  readonly type = 'adagrad' as const;
  readonly fullBatch = false;
  private t = 0;
  private sumOfSquares: Float64Array[] | null = null;

  constructor(
    private readonly options: AdagradOptions,
    private readonly names: readonly string[],
    private readonly recordState = true,
  ) {}

  step(params: Float64Array[], grads: Float64Array[]): OptimizerReport {
    const { learningRate, lrDecay, weightDecay, initialAccumulatorValue, eps } = this.options;
    this.sumOfSquares ??= params.map((p) => new Float64Array(p.length).fill(initialAccumulatorValue));
    assertShapes('adagrad', this.sumOfSquares, params);
    this.t += 1;
    const clr = learningRate / (1 + (this.t - 1) * lrDecay);
    const steps = params.map((p) => new Float64Array(p.length));

    for (let i = 0; i < params.length; i++) {
      const theta = params[i];
      const grad = grads[i];
      const sum = this.sumOfSquares[i];
      const step = steps[i];
      for (let j = 0; j < theta.length; j++) {
        const g = weightDecay !== 0 ? grad[j] + weightDecay * theta[j] : grad[j];
        sum[j] += g * g;
        step[j] = -clr * (g / (Math.sqrt(sum[j]) + eps));
        theta[j] += step[j];
      }
    }

    if (!this.recordState) return { state: { t: this.t, learningRate: clr } };
    const sums = this.sumOfSquares;
    return {
      state: {
        t: this.t,
        learningRate: clr, // the decayed η_t used in this step
        ...reportPerParameter(this.names, (i) => ({ sumOfSquares: sums[i].slice(), step: steps[i] })),
      },
    };
  }

  carriedState(): CarriedState[] {
    return this.sumOfSquares ? [{ name: 'sumOfSquares', perParameter: this.sumOfSquares }] : [];
  }

  snapshot(): AdagradSnapshot {
    return { t: this.t, sumOfSquares: this.sumOfSquares && cloneAll(this.sumOfSquares) };
  }

  restore(snapshot: unknown): void {
    const s = snapshot as AdagradSnapshot;
    this.t = s.t;
    this.sumOfSquares = s.sumOfSquares && cloneAll(s.sumOfSquares);
  }
}
