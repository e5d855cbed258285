// RMSProp as torch.optim.RMSprop: divide by a running root-mean-square of the gradient.
//   g ← ∇J + weightDecay·θ;  v ← α·v + (1 − α)·g²
//   centered: ḡ ← α·ḡ + (1 − α)·g,  d ← √(v − ḡ²) + eps;  otherwise d ← √v + eps
//   momentum > 0: b ← momentum·b + g/d, θ ← θ − lr·b;  otherwise θ ← θ − lr·g/d
import type { CarriedState, Objective, Optimizer, OptimizerReport } from './optimizer';
import type { Allocate } from '../arena';
import { deferred } from '../lazyField';
import { assertShapes, cloneAll, reportDerived, reportPerParameter, zerosLike, type ParameterReport } from './perParameter';

export interface RmspropOptions {
  learningRate: number;
  alpha: number;
  eps: number;
  weightDecay: number;
  momentum: number;
  centered: boolean;
}

interface RmspropState {
  squareAverage: Float64Array[];
  gradAverage: Float64Array[] | null; // centered only
  velocity: Float64Array[] | null; // momentum > 0 only
}

export class Rmsprop implements Optimizer {
  readonly type = 'rmsprop' as const;
  readonly fullBatch = false;
  private state: RmspropState | null = null;

  constructor(
    private readonly options: RmspropOptions,
    private readonly names: readonly string[],
    private readonly recordState = true,
  ) {}

  step(
    params: Float64Array[], grads: Float64Array[], _objective?: Objective, _allocate?: Allocate,
    recordedGradient: (index: number) => Float64Array = (index) => grads[index],
  ): OptimizerReport {
    const { learningRate: lr, alpha, eps, weightDecay, momentum, centered } = this.options;
    this.state ??= {
      squareAverage: zerosLike(params),
      gradAverage: centered ? zerosLike(params) : null,
      velocity: momentum > 0 ? zerosLike(params) : null,
    };
    const { squareAverage, gradAverage, velocity } = this.state;
    assertShapes('rmsprop', squareAverage, params);
    // What the step adds, for the report: written during the update, except a large one that
    // follows from the report's copies (the velocity; or, without weight decay, which would need
    // θ before the update, the gradient as recorded and the averages), computed when read.
    const steps = this.recordState
      ? params.map((p) => ((momentum === 0 && weightDecay !== 0) || !deferred(p.length) ? new Float64Array(p.length) : undefined))
      : undefined;

    for (let i = 0; i < params.length; i++) {
      const theta = params[i];
      const grad = grads[i];
      const v = squareAverage[i];
      const gBar = gradAverage?.[i];
      const buf = velocity?.[i];
      const step = steps?.[i];
      for (let j = 0; j < theta.length; j++) {
        const g = weightDecay !== 0 ? grad[j] + weightDecay * theta[j] : grad[j];
        v[j] = alpha * v[j] + (1 - alpha) * g * g;
        if (gBar) gBar[j] = alpha * gBar[j] + (1 - alpha) * g;
        const d = denominatorAt(v, gBar, eps, j);
        if (buf) buf[j] = momentum * buf[j] + g / d;
        const added = addedBy(lr, g, d, buf, j);
        if (step) step[j] = added;
        theta[j] += added;
      }
    }

    if (!this.recordState) return { state: {} };
    return {
      state: reportPerParameter(this.names, (i) => {
        const v = squareAverage[i].slice();
        const gBar = gradAverage?.[i].slice();
        const entry: ParameterReport = { squareAverage: v };
        // The denominator from the report's copies of the averages.
        const denominators = () => v.map((_x, j) => denominatorAt(v, gBar, eps, j));
        reportDerived(entry, 'denominator', v.length, denominators);
        if (gBar) entry.gradAverage = gBar;
        const buf = velocity?.[i].slice();
        if (buf) entry.velocity = buf;
        const step = steps![i];
        if (step) entry.step = step;
        else {
          reportDerived(entry, 'step', v.length, () => {
            // With momentum the velocity copy alone; without, the gradient as recorded over the denominator.
            const grad = buf ? undefined : recordedGradient(i);
            const d = buf ? undefined : denominators();
            return v.map((_x, j) => addedBy(lr, grad ? grad[j] : 0, d ? d[j] : 0, buf, j));
          });
        }
        return entry;
      }),
    };
  }

  carriedState(): CarriedState[] {
    const s = this.state;
    if (!s) return [];
    const carried: CarriedState[] = [{ name: 'squareAverage', perParameter: s.squareAverage }];
    if (s.gradAverage) carried.push({ name: 'gradAverage', perParameter: s.gradAverage });
    if (s.velocity) carried.push({ name: 'velocity', perParameter: s.velocity });
    return carried;
  }

  snapshot(): RmspropState | null {
    return this.state && copyState(this.state);
  }

  restore(snapshot: unknown): void {
    const s = snapshot as RmspropState | null;
    this.state = s && copyState(s);
  }
}

function copyState(s: RmspropState): RmspropState {
  return {
    squareAverage: cloneAll(s.squareAverage),
    gradAverage: s.gradAverage && cloneAll(s.gradAverage),
    velocity: s.velocity && cloneAll(s.velocity),
  };
}

/** The step's denominator for element j: √(v − ḡ²) + eps when centered, else √v + eps (v, ḡ already updated). */
function denominatorAt(v: Float64Array, gBar: Float64Array | undefined, eps: number, j: number): number {
  return gBar ? Math.sqrt(v[j] - gBar[j] * gBar[j]) + eps : Math.sqrt(v[j]) + eps;
}

/** What the update adds to element j: −lr·b[j] with the momentum buffer b (already updated), else −lr·g/d. */
function addedBy(lr: number, g: number, d: number, buf: Float64Array | undefined, j: number): number {
  return buf ? -lr * buf[j] : -lr * (g / d);
}
