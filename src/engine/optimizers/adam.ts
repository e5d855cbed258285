// Adam and AdamW as torch.optim.Adam / torch.optim.AdamW (single-tensor path).
//   Adam:  g ← ∇J + weightDecay·θ          AdamW: θ ← θ·(1 − lr·weightDecay), g ← ∇J
//   m ← β₁·m + (1 − β₁)·g;  v ← β₂·v + (1 − β₂)·g²;  amsgrad: v̂max ← max(v̂max, v)
//   θ ← θ − (lr / (1 − β₁ᵗ)) · m / (√v / √(1 − β₂ᵗ) + eps)
// Note where eps goes: torch adds it to the bias-corrected √v̂, not to √v before correcting.
import type { CarriedState, Optimizer, OptimizerReport } from './optimizer';
import { assertShapes, cloneAll, reportDerived, reportPerParameter, zerosLike, type ParameterReport } from './perParameter';

export interface AdamOptions {
  learningRate: number;
  betas: [number, number];
  eps: number;
  weightDecay: number;
  amsgrad: boolean;
  /** AdamW: decay the weights directly instead of adding weightDecay·θ to the gradient. */
  decoupledWeightDecay: boolean;
}

interface AdamState {
  t: number;
  m: Float64Array[];
  v: Float64Array[];
  vMax: Float64Array[] | null; // amsgrad only
}

export class Adam implements Optimizer {
  readonly type: 'adam' | 'adamw';
  readonly fullBatch = false;
  private state: AdamState | null = null;

  constructor(
    private readonly options: AdamOptions,
    private readonly names: readonly string[],
    private readonly recordState = true,
  ) {
    this.type = options.decoupledWeightDecay ? 'adamw' : 'adam';
  }

  step(params: Float64Array[], grads: Float64Array[]): OptimizerReport {
    const { learningRate: lr, betas, eps, weightDecay, amsgrad, decoupledWeightDecay } = this.options;
    const [beta1, beta2] = betas;
    this.state ??= { t: 0, m: zerosLike(params), v: zerosLike(params), vMax: amsgrad ? zerosLike(params) : null };
    const s = this.state;
    assertShapes(this.type, s.m, params);
    s.t += 1;
    const biasCorrection1 = 1 - beta1 ** s.t;
    const biasCorrection2 = 1 - beta2 ** s.t;
    const stepSize = lr / biasCorrection1;
    const biasCorrection2Sqrt = Math.sqrt(biasCorrection2);
    const decayFactor = 1 - lr * weightDecay;
    const l2 = decoupledWeightDecay ? 0 : weightDecay;
    // What the step adds, for the report (after − before, which only the step itself sees).
    const steps = this.recordState ? params.map((p) => new Float64Array(p.length)) : undefined;

    for (let i = 0; i < params.length; i++) {
      const theta = params[i];
      const grad = grads[i];
      const m = s.m[i];
      const v = s.v[i];
      const vMax = s.vMax?.[i];
      const step = steps?.[i];
      for (let j = 0; j < theta.length; j++) {
        const before = theta[j];
        if (decoupledWeightDecay) theta[j] *= decayFactor;
        const g = l2 !== 0 ? grad[j] + l2 * theta[j] : grad[j];
        m[j] = beta1 * m[j] + (1 - beta1) * g;
        v[j] = beta2 * v[j] + (1 - beta2) * g * g;
        let second = v[j];
        if (vMax) second = vMax[j] = Math.max(vMax[j], v[j]);
        const denominator = Math.sqrt(second) / biasCorrection2Sqrt + eps;
        theta[j] += -stepSize * (m[j] / denominator);
        if (step) step[j] = theta[j] - before;
      }
    }

    const scalars = { t: s.t, biasCorrection1, biasCorrection2 };
    if (!this.recordState) return { state: scalars };
    return {
      state: {
        ...scalars,
        ...reportPerParameter(this.names, (i) => {
          const m = s.m[i].slice();
          const v = s.v[i].slice();
          const vMax = s.vMax?.[i].slice();
          const entry: ParameterReport = { m, v };
          // The bias-corrected moments, from the report's copies of m and v (or v̂max).
          reportDerived(entry, 'mHat', m.length, () => m.map((x) => x / biasCorrection1));
          reportDerived(entry, 'vHat', m.length, () => (vMax ?? v).map((x) => x / biasCorrection2));
          if (vMax) entry.vMax = vMax;
          entry.step = steps![i];
          return entry;
        }),
      },
    };
  }

  carriedState(): CarriedState[] {
    const s = this.state;
    if (!s) return [];
    const carried: CarriedState[] = [
      { name: 'm', perParameter: s.m },
      { name: 'v', perParameter: s.v },
    ];
    if (s.vMax) carried.push({ name: 'vMax', perParameter: s.vMax });
    return carried;
  }

  snapshot(): AdamState | null {
    const s = this.state;
    return s && { t: s.t, m: cloneAll(s.m), v: cloneAll(s.v), vMax: s.vMax && cloneAll(s.vMax) };
  }

  restore(snapshot: unknown): void {
    const s = snapshot as AdamState | null;
    this.state = s && { t: s.t, m: cloneAll(s.m), v: cloneAll(s.v), vMax: s.vMax && cloneAll(s.vMax) };
  }
}
