// Stochastic gradient descent with momentum, dampening, Nesterov and weight decay, exactly as
// torch.optim.SGD (single-tensor path):
//   g ← ∇J + weightDecay·θ
//   b ← g on the first step, else momentum·b + (1 − dampening)·g
//   d ← g + momentum·b (nesterov) or b (classic momentum) or g (momentum = 0)
//   θ ← θ − lr·d
import type { CarriedState, Objective, Optimizer, OptimizerReport } from './optimizer';
import { type Allocate, copyWith, freshArray } from '../arena';
import { assertShapes, cloneAll, reportPerParameter, zerosLike, type ParameterReport } from './perParameter';
import { defineLazy, deferred } from '../lazyField';

export interface SgdOptions {
  learningRate: number;
  momentum: number;
  dampening: number;
  nesterov: boolean;
  weightDecay: number;
}

interface SgdSnapshot {
  velocity: Float64Array[] | null;
}

export class Sgd implements Optimizer {
  readonly type = 'sgd' as const;
  readonly fullBatch = false;
  /** torch's momentum_buffer; null until the first step, when it becomes a copy of g. */
  private velocity: Float64Array[] | null = null;

  constructor(
    private readonly options: SgdOptions,
    private readonly names: readonly string[],
    private readonly recordState = true,
  ) {}

  step(
    params: Float64Array[], grads: Float64Array[], _objective?: Objective, allocate: Allocate = freshArray,
    recordedGradient: (index: number) => Float64Array = (index) => grads[index],
  ): OptimizerReport {
    const { learningRate: lr, momentum, dampening, nesterov, weightDecay } = this.options;
    const firstStep = this.velocity === null;
    if (momentum !== 0 && firstStep) this.velocity = zerosLike(params);
    if (this.velocity) assertShapes('sgd', this.velocity, params);
    // What the step adds to each parameter, for the report: written during the update, except a
    // large one without weight decay (which would need θ before the update, kept nowhere): that
    // follows from the gradient and the velocity the report keeps and is computed when read.
    const steps = this.recordState
      ? params.map((p) => (weightDecay !== 0 || !deferred(p.length) ? allocate(p.length) : undefined))
      : undefined;

    for (let i = 0; i < params.length; i++) {
      const theta = params[i];
      const grad = grads[i];
      const buf = this.velocity?.[i];
      const step = steps?.[i];
      for (let j = 0; j < theta.length; j++) {
        let g = grad[j];
        if (weightDecay !== 0) g += weightDecay * theta[j];
        if (buf) buf[j] = firstStep ? g : momentum * buf[j] + (1 - dampening) * g;
        const added = addedBy(lr, momentum, nesterov, g, buf, j);
        if (step) step[j] = added;
        theta[j] += added;
      }
    }

    if (!this.recordState) return { state: {} };
    const velocity = this.velocity;
    return {
      state: reportPerParameter(this.names, (i): ParameterReport => {
        const entry: ParameterReport = velocity ? { velocity: copyWith(allocate, velocity[i]) } : {};
        const step = steps![i];
        if (step) entry.step = step;
        else {
          // From the step's gradient as recorded and the velocity copy.
          const buf = entry.velocity as Float64Array | undefined;
          defineLazy(entry, 'step', () => {
            const grad = recordedGradient(i);
            const out = new Float64Array(grad.length);
            for (let j = 0; j < out.length; j++) out[j] = addedBy(lr, momentum, nesterov, grad[j], buf, j);
            return out;
          });
        }
        return entry;
      }),
    };
  }

  carriedState(): CarriedState[] {
    return this.velocity ? [{ name: 'velocity', perParameter: this.velocity }] : [];
  }

  snapshot(): SgdSnapshot {
    return { velocity: this.velocity && cloneAll(this.velocity) };
  }

  restore(snapshot: unknown): void {
    const { velocity } = snapshot as SgdSnapshot;
    this.velocity = velocity && cloneAll(velocity);
  }
}

/**
 * What the update adds to parameter element j: −lr·d, where d is g + momentum·b[j] (Nesterov) or
 * b[j] (classic momentum) with the momentum buffer b already updated, or g without a buffer.
 */
function addedBy(lr: number, momentum: number, nesterov: boolean, g: number, buf: Float64Array | undefined, j: number): number {
  const direction = buf ? (nesterov ? g + momentum * buf[j] : buf[j]) : g;
  return -lr * direction;
}
