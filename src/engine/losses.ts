// Losses of DESIGN.md §4: each sums over the output units and averages over the N samples of
// the batch. Cross-entropy and binary cross-entropy are evaluated from the output layer's z
// (log-sum-exp and softplus), so a saturated softmax or sigmoid never produces log(0).
//
// Two gradients are offered at the output:
//  - lossUpstream: ∂J/∂a, the "upstream" the trace shows at the output layer;
//  - outputDelta: ∂J/∂z, computed for softmax + cross-entropy and sigmoid + binary
//    cross-entropy in the combined form (p − t)/N, which stays finite even where ∂J/∂a is not:
//    when p underflows to 0 for a target class, the upstream −t/(N·p) is −Infinity, yet δ is
//    (0 − t)/N. The trace then shows the infinite upstream next to the finite delta, truthfully.
import type { ActivationName, LossName } from './types';
import { ELEMENTWISE_ACTIVATIONS, applyLocalGradient, logSumExpRow, softmaxSecondDerivative } from './activations';

export interface Regularization {
  l1: number; // λ1 in λ1‖W‖₁
  l2: number; // λ2 in λ2‖W‖₂²
}

export interface LossSpec {
  loss: LossName;
  regularization?: Partial<Regularization>;
}

/** The output activation a loss is defined with; the others accept any output activation. */
export const REQUIRED_OUTPUT_ACTIVATION: Readonly<Partial<Record<LossName, ActivationName>>> = {
  'cross-entropy': 'softmax',
  'binary-cross-entropy': 'sigmoid',
};

/** Why a loss cannot follow this output activation, or undefined when the pairing is allowed. */
export function lossPairingProblem(loss: LossName, outputActivation: ActivationName): string | undefined {
  const required = REQUIRED_OUTPUT_ACTIVATION[loss];
  if (required && required !== outputActivation) {
    return `loss "${loss}" needs a "${required}" output layer, but the last layer's activation is "${outputActivation}"`;
  }
  return undefined;
}

function assertPairing(loss: LossName, activation: ActivationName): void {
  const problem = lossPairingProblem(loss, activation);
  if (problem) throw new Error(problem);
}

/** softplus(x) = log(1 + e^x) without overflow. */
function softplus(x: number): number {
  return Math.max(x, 0) + Math.log1p(Math.exp(-Math.abs(x)));
}

/** |x|′ with the convention |x|′(0) = 0 (DESIGN.md §4, as torch.sign). */
function sign(x: number): number {
  return x > 0 ? 1 : x < 0 ? -1 : 0;
}

/**
 * Per-sample loss ℓᵢ, summed over the output units (not yet divided by N).
 * z and a are the output layer's pre-activation and activation, t the targets, all rows × units.
 */
export function perSampleLoss(
  loss: LossName, activation: ActivationName, z: Float64Array, a: Float64Array, t: Float64Array,
  rows: number, units: number, out: Float64Array = new Float64Array(rows),
): Float64Array {
  assertPairing(loss, activation);
  for (let r = 0; r < rows; r++) {
    const row = r * units;
    let sum = 0;
    switch (loss) {
      case 'mse':
        for (let k = 0; k < units; k++) {
          const d = a[row + k] - t[row + k];
          sum += d * d;
        }
        break;
      case 'mae':
        for (let k = 0; k < units; k++) sum += Math.abs(a[row + k] - t[row + k]);
        break;
      case 'cross-entropy': {
        // −Σ t_k log p_k with log p_k = z_k − logΣe^z; terms with t_k = 0 are skipped so a
        // −Infinity logit of a non-target class cannot turn 0·∞ into NaN.
        const lse = logSumExpRow(z, row, units);
        for (let k = 0; k < units; k++) if (t[row + k] !== 0) sum += t[row + k] * (lse - z[row + k]);
        break;
      }
      case 'binary-cross-entropy':
        // −[t log σ(z) + (1−t) log(1−σ(z))] = t·softplus(−z) + (1−t)·softplus(z)
        for (let k = 0; k < units; k++) {
          const tk = t[row + k];
          const zk = z[row + k];
          sum += tk * softplus(-zk) + (1 - tk) * softplus(zk);
        }
        break;
      default:
        throw new Error(`unknown loss "${loss as string}"`);
    }
    out[r] = sum;
  }
  return out;
}

/** J_data = (1/N) Σᵢ ℓᵢ. */
export function meanLoss(perSample: Float64Array, rows: number): number {
  let sum = 0;
  for (let r = 0; r < rows; r++) sum += perSample[r];
  return sum / rows;
}

/** ∂J/∂a at the output layer, including the 1/N of the batch mean. May be ±Infinity for cross-entropies (see top). */
export function lossUpstream(
  loss: LossName, a: Float64Array, t: Float64Array, rows: number, units: number,
  out: Float64Array = new Float64Array(rows * units),
): Float64Array {
  const n = rows * units;
  const invN = 1 / rows;
  switch (loss) {
    case 'mse':
      for (let i = 0; i < n; i++) out[i] = 2 * (a[i] - t[i]) * invN;
      break;
    case 'mae':
      for (let i = 0; i < n; i++) out[i] = sign(a[i] - t[i]) * invN;
      break;
    case 'cross-entropy':
      // −t/p; a class with t = 0 contributes nothing, even where p = 0.
      for (let i = 0; i < n; i++) out[i] = t[i] === 0 ? 0 : (-t[i] / a[i]) * invN;
      break;
    case 'binary-cross-entropy':
      // −t/p + (1−t)/(1−p), each term only when its coefficient is non-zero.
      for (let i = 0; i < n; i++) {
        const ti = t[i];
        const pos = ti === 0 ? 0 : -ti / a[i];
        const neg = ti === 1 ? 0 : (1 - ti) / (1 - a[i]);
        out[i] = (pos + neg) * invN;
      }
      break;
    default:
      throw new Error(`unknown loss "${loss as string}"`);
  }
  return out;
}

/**
 * δ = ∂J/∂z at the output layer. For softmax + cross-entropy it is (p_j Σ_k t_k − t_j)/N
 * (= (p − t)/N for one-hot or probability targets), for sigmoid + binary cross-entropy
 * (σ(z) − t)/N; otherwise the chain rule through the activation: f′(z) ⊙ ∂J/∂a (softmax: Jᵀ ∂J/∂a).
 */
export function outputDelta(
  loss: LossName, activation: ActivationName, slope: number,
  z: Float64Array, a: Float64Array, t: Float64Array, upstream: Float64Array,
  rows: number, units: number, out: Float64Array = new Float64Array(rows * units),
): Float64Array {
  assertPairing(loss, activation);
  const invN = 1 / rows;
  if (loss === 'cross-entropy') {
    for (let r = 0; r < rows; r++) {
      const row = r * units;
      let targetSum = 0;
      for (let k = 0; k < units; k++) targetSum += t[row + k];
      for (let k = 0; k < units; k++) out[row + k] = (a[row + k] * targetSum - t[row + k]) * invN;
    }
    return out;
  }
  if (loss === 'binary-cross-entropy') {
    const n = rows * units;
    for (let i = 0; i < n; i++) out[i] = (a[i] - t[i]) * invN;
    return out;
  }
  return applyLocalGradient(activation, slope, z, a, upstream, rows, units, out);
}

/**
 * ∂²J/∂z∂zᵀ of the output layer, one units × units block per sample (rows × units × units),
 * for Newton's exact Hessian: ∂²J/∂z_j∂z_k = Σ_i ∂J/∂a_i ∂²a_i/∂z_j∂z_k + Σ_i ∂a_i/∂z_j ∂²J/∂a_i² ∂a_i/∂z_k.
 * Combined forms for the two pairings: softmax + CE gives (Σt)(diag(p) − p pᵀ)/N, sigmoid + BCE σ(1−σ)/N.
 * mae's second derivative is 0 away from its kink.
 */
export function outputHessianZ(
  loss: LossName, activation: ActivationName, slope: number,
  z: Float64Array, a: Float64Array, t: Float64Array, upstream: Float64Array,
  rows: number, units: number, out: Float64Array = new Float64Array(rows * units * units),
): Float64Array {
  assertPairing(loss, activation);
  const invN = 1 / rows;
  out.fill(0);
  for (let r = 0; r < rows; r++) {
    const row = r * units;
    const base = r * units * units;
    if (loss === 'cross-entropy') {
      let targetSum = 0;
      for (let k = 0; k < units; k++) targetSum += t[row + k];
      for (let j = 0; j < units; j++) {
        for (let k = 0; k < units; k++) {
          const pj = a[row + j];
          out[base + j * units + k] = targetSum * ((j === k ? pj : 0) - pj * a[row + k]) * invN;
        }
      }
      continue;
    }
    if (loss === 'binary-cross-entropy') {
      for (let j = 0; j < units; j++) out[base + j * units + j] = a[row + j] * (1 - a[row + j]) * invN;
      continue;
    }
    // mse or mae: ∂²J/∂a² is diagonal, 2/N or 0.
    const curvature = loss === 'mse' ? 2 * invN : 0;
    if (activation === 'softmax') {
      for (let j = 0; j < units; j++) {
        for (let k = 0; k < units; k++) {
          let sum = 0;
          for (let i = 0; i < units; i++) {
            const dij = ((i === j ? 1 : 0) - a[row + j]) * a[row + i];
            const dik = ((i === k ? 1 : 0) - a[row + k]) * a[row + i];
            sum += upstream[row + i] * softmaxSecondDerivative(a, row, i, j, k) + dij * curvature * dik;
          }
          out[base + j * units + k] = sum;
        }
      }
    } else {
      const f = ELEMENTWISE_ACTIVATIONS[activation];
      for (let j = 0; j < units; j++) {
        const d1 = f.derivative(z[row + j], a[row + j], slope);
        const d2 = f.secondDerivative(z[row + j], a[row + j], slope);
        out[base + j * units + j] = upstream[row + j] * d2 + d1 * curvature * d1;
      }
    }
  }
  return out;
}

// ---- regularization on weights only (never biases)

export function normalizeRegularization(reg: Partial<Regularization> | undefined): Regularization {
  return { l1: reg?.l1 ?? 0, l2: reg?.l2 ?? 0 };
}

/** λ1 Σ|w| + λ2 Σw² over one weight matrix. */
export function regularizationLoss(weights: Float64Array, reg: Regularization): number {
  if (reg.l1 === 0 && reg.l2 === 0) return 0;
  let abs = 0;
  let squares = 0;
  for (let i = 0; i < weights.length; i++) {
    abs += Math.abs(weights[i]);
    squares += weights[i] * weights[i];
  }
  return reg.l1 * abs + reg.l2 * squares;
}

/** The regularization gradient λ1·sign(w) + 2λ2·w (sign(0) = 0), written into `out` or added to it. */
export function regularizationGradient(
  weights: Float64Array, reg: Regularization, out: Float64Array, accumulate: boolean,
): Float64Array {
  for (let i = 0; i < weights.length; i++) {
    const g = reg.l1 * sign(weights[i]) + 2 * reg.l2 * weights[i];
    out[i] = accumulate ? out[i] + g : g;
  }
  return out;
}
