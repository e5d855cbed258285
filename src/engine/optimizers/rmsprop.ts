// RMSProp as torch.optim.RMSprop: divide by a running root-mean-square of the gradient.
//   g ← ∇J + weightDecay·θ;  v ← α·v + (1 − α)·g²
//   centered: ḡ ← α·ḡ + (1 − α)·g,  d ← √(v − ḡ²) + eps;  otherwise d ← √v + eps
//   momentum > 0: b ← momentum·b + g/d, θ ← θ − lr·b;  otherwise θ ← θ − lr·g/d
import type { CarriedState, Optimizer, OptimizerReport } from './optimizer';
import { assertShapes, cloneAll, reportPerParameter, zerosLike, type ParameterReport } from './perParameter';

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

  step(params: Float64Array[], grads: Float64Array[]): OptimizerReport {
    const { learningRate: lr, alpha, eps, weightDecay, momentum, centered } = this.options;
    this.state ??= {
      squareAverage: zerosLike(params),
      gradAverage: centered ? zerosLike(params) : null,
      velocity: momentum > 0 ? zerosLike(params) : null,
    };
    const { squareAverage, gradAverage, velocity } = this.state;
    assertShapes('rmsprop', squareAverage, params);
    const steps = params.map((p) => new Float64Array(p.length));
    const denominators = params.map((p) => new Float64Array(p.length));

    for (let i = 0; i < params.length; i++) {
      const theta = params[i];
      const grad = grads[i];
      const v = squareAverage[i];
      const gBar = gradAverage?.[i];
      const buf = velocity?.[i];
      const d = denominators[i];
      const step = steps[i];
      for (let j = 0; j < theta.length; j++) {
        const g = weightDecay !== 0 ? grad[j] + weightDecay * theta[j] : grad[j];
        v[j] = alpha * v[j] + (1 - alpha) * g * g;
        if (gBar) {
          gBar[j] = alpha * gBar[j] + (1 - alpha) * g;
          d[j] = Math.sqrt(v[j] - gBar[j] * gBar[j]) + eps;
        } else {
          d[j] = Math.sqrt(v[j]) + eps;
        }
        if (buf) {
          buf[j] = momentum * buf[j] + g / d[j];
          step[j] = -lr * buf[j];
        } else {
          step[j] = -lr * (g / d[j]);
        }
        theta[j] += step[j];
      }
    }

    if (!this.recordState) return { state: {} };
    return {
      state: reportPerParameter(this.names, (i) => {
        const entry: ParameterReport = { squareAverage: squareAverage[i].slice(), denominator: denominators[i] };
        if (gradAverage) entry.gradAverage = gradAverage[i].slice();
        if (velocity) entry.velocity = velocity[i].slice();
        entry.step = steps[i];
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
