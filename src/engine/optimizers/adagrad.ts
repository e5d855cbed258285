// AdaGrad as torch.optim.Adagrad: each coordinate's step shrinks with the square root of its
// running sum of squared gradients.
//   g ← ∇J + weightDecay·θ;  η_t ← lr / (1 + (t − 1)·lrDecay)
//   s ← s + g²;  θ ← θ − η_t · g / (√s + eps)
import type { CarriedState, Objective, Optimizer, OptimizerReport } from './optimizer';
import type { Allocate } from '../arena';
import { deferred } from '../lazyField';
import { assertShapes, cloneAll, reportDerived, reportPerParameter, type ParameterReport } from './perParameter';

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

  step(
    params: Float64Array[], grads: Float64Array[], _objective?: Objective, _allocate?: Allocate,
    recordedGradient: (index: number) => Float64Array = (index) => grads[index],
  ): OptimizerReport {
    const { learningRate, lrDecay, weightDecay, initialAccumulatorValue, eps } = this.options;
    this.sumOfSquares ??= params.map((p) => new Float64Array(p.length).fill(initialAccumulatorValue));
    assertShapes('adagrad', this.sumOfSquares, params);
    this.t += 1;
    const clr = learningRate / (1 + (this.t - 1) * lrDecay);
    // What the step adds, for the report: written during the update, except a large one without
    // weight decay (which would need θ before the update): that follows from the gradient as
    // recorded and the report's copy of the sums, and is computed when read.
    const steps = this.recordState ? params.map((p) => (weightDecay !== 0 || !deferred(p.length) ? new Float64Array(p.length) : undefined)) : undefined;

    for (let i = 0; i < params.length; i++) {
      const theta = params[i];
      const grad = grads[i];
      const sum = this.sumOfSquares[i];
      const step = steps?.[i];
      for (let j = 0; j < theta.length; j++) {
        const g = weightDecay !== 0 ? grad[j] + weightDecay * theta[j] : grad[j];
        sum[j] += g * g;
        const added = addedBy(clr, g, sum[j], eps);
        if (step) step[j] = added;
        theta[j] += added;
      }
    }

    if (!this.recordState) return { state: { t: this.t, learningRate: clr } };
    const sums = this.sumOfSquares;
    return {
      state: {
        t: this.t,
        learningRate: clr, // the decayed η_t used in this step
        ...reportPerParameter(this.names, (i) => {
          const sum = sums[i].slice();
          const entry: ParameterReport = { sumOfSquares: sum };
          const step = steps![i];
          if (step) entry.step = step;
          else {
            reportDerived(entry, 'step', sum.length, () => {
              const grad = recordedGradient(i);
              return sum.map((s, j) => addedBy(clr, grad[j], s, eps));
            });
          }
          return entry;
        }),
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

/** What the update adds to an element: −η_t·g / (√s + eps), with s the sum of squares g² already added. */
function addedBy(clr: number, g: number, sumOfSquares: number, eps: number): number {
  return -clr * (g / (Math.sqrt(sumOfSquares) + eps));
}
