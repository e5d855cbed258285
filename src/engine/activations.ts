// Activation functions, each written with its derivatives beside it.
// Elementwise activations give f(z), f′(z) and f″(z) per unit; softmax couples the units of a
// row, so its first derivative is the per-sample Jacobian diag(p) − p pᵀ and its second
// derivative a per-sample third-order tensor (softmaxSecondDerivative).
//
// Kinks follow DESIGN.md §4: ReLU′(0) = 0, leaky ReLU′(0) = slope, and f″ = 0 at the kinks
// (the distributional delta there is ignored, as autograd does).
import type { ActivationName } from './types';

export const DEFAULT_LEAKY_SLOPE = 0.01;

export type ElementwiseActivationName = Exclude<ActivationName, 'softmax'>;

export interface ElementwiseActivation {
  /** f(z) */
  value(z: number, slope: number): number;
  /** f′(z); `a` = f(z) is passed because sigmoid and tanh are cheapest from it. */
  derivative(z: number, a: number, slope: number): number;
  /** f″(z), for Newton's exact Hessian. */
  secondDerivative(z: number, a: number, slope: number): number;
  /** out[i] = f(z[i]) for i < n. */
  forwardInto(z: Float64Array, out: Float64Array, n: number, slope: number): void;
  /** out[i] = f′(z[i]) for i < n. */
  derivativeInto(z: Float64Array, a: Float64Array, out: Float64Array, n: number, slope: number): void;
}

// Each activation's array loops call its own scalar functions directly, so every loop sees one
// call target, which the JIT inlines: no call and no boxed number per element (a loop over
// `f.value` for whichever f came in is megamorphic, and its results are boxed).

const identity: ElementwiseActivation = {
  value: (z) => z,
  derivative: () => 1,
  secondDerivative: () => 0,
  forwardInto(z, out, n) {
    for (let i = 0; i < n; i++) out[i] = z[i];
  },
  derivativeInto(_z, _a, out, n) {
    out.fill(1, 0, n);
  },
};

// Two branches so exp never overflows: for z < 0 use e^z / (1 + e^z).
function sigmoidValue(z: number): number {
  if (z >= 0) return 1 / (1 + Math.exp(-z));
  const e = Math.exp(z);
  return e / (1 + e);
}
const sigmoidDerivative = (a: number): number => a * (1 - a);

const sigmoid: ElementwiseActivation = {
  value: sigmoidValue,
  derivative: (_z, a) => sigmoidDerivative(a),
  secondDerivative: (_z, a) => a * (1 - a) * (1 - 2 * a),
  forwardInto(z, out, n) {
    for (let i = 0; i < n; i++) out[i] = sigmoidValue(z[i]);
  },
  derivativeInto(_z, a, out, n) {
    for (let i = 0; i < n; i++) out[i] = sigmoidDerivative(a[i]);
  },
};

const tanhDerivative = (a: number): number => 1 - a * a;

const tanh: ElementwiseActivation = {
  value: (z) => Math.tanh(z),
  derivative: (_z, a) => tanhDerivative(a),
  secondDerivative: (_z, a) => -2 * a * (1 - a * a),
  forwardInto(z, out, n) {
    for (let i = 0; i < n; i++) out[i] = Math.tanh(z[i]);
  },
  derivativeInto(_z, a, out, n) {
    for (let i = 0; i < n; i++) out[i] = tanhDerivative(a[i]);
  },
};

const reluValue = (z: number): number => (z > 0 ? z : 0);
const reluDerivative = (z: number): number => (z > 0 ? 1 : 0); // ReLU′(0) = 0, as PyTorch

const relu: ElementwiseActivation = {
  value: reluValue,
  derivative: reluDerivative,
  secondDerivative: () => 0,
  forwardInto(z, out, n) {
    for (let i = 0; i < n; i++) out[i] = reluValue(z[i]);
  },
  derivativeInto(z, _a, out, n) {
    for (let i = 0; i < n; i++) out[i] = reluDerivative(z[i]);
  },
};

const leakyReluValue = (z: number, slope: number): number => (z > 0 ? z : slope * z);
const leakyReluDerivative = (z: number, slope: number): number => (z > 0 ? 1 : slope); // leaky ReLU′(0) = slope, as PyTorch

const leakyRelu: ElementwiseActivation = {
  value: leakyReluValue,
  derivative: (z, _a, slope) => leakyReluDerivative(z, slope),
  secondDerivative: () => 0,
  forwardInto(z, out, n, slope) {
    for (let i = 0; i < n; i++) out[i] = leakyReluValue(z[i], slope);
  },
  derivativeInto(z, _a, out, n, slope) {
    for (let i = 0; i < n; i++) out[i] = leakyReluDerivative(z[i], slope);
  },
};

export const ELEMENTWISE_ACTIVATIONS: Readonly<Record<ElementwiseActivationName, ElementwiseActivation>> = {
  identity,
  sigmoid,
  tanh,
  relu,
  'leaky-relu': leakyRelu,
};

export function isElementwise(name: ActivationName): name is ElementwiseActivationName {
  return name !== 'softmax';
}

function elementwise(name: ActivationName): ElementwiseActivation {
  const fn = ELEMENTWISE_ACTIVATIONS[name as ElementwiseActivationName];
  if (!fn) throw new Error(`unknown activation "${name}"`);
  return fn;
}

// ---- softmax (row-wise): p_j = e^{z_j − max z} / Σ_k e^{z_k − max z}

/** Writes softmax of z[offset .. offset+units) into out[offset ..]; subtracting the max keeps exp finite. */
export function softmaxRow(z: Float64Array, offset: number, units: number, out: Float64Array): void {
  let max = -Infinity;
  for (let j = 0; j < units; j++) if (z[offset + j] > max) max = z[offset + j];
  let sum = 0;
  for (let j = 0; j < units; j++) {
    const e = Math.exp(z[offset + j] - max);
    out[offset + j] = e;
    sum += e;
  }
  for (let j = 0; j < units; j++) out[offset + j] /= sum;
}

/** log Σ_k e^{z_k} of one row, computed stably. */
export function logSumExpRow(z: Float64Array, offset: number, units: number): number {
  let max = -Infinity;
  for (let j = 0; j < units; j++) if (z[offset + j] > max) max = z[offset + j];
  let sum = 0;
  for (let j = 0; j < units; j++) sum += Math.exp(z[offset + j] - max);
  return max + Math.log(sum);
}

/**
 * ∂²p_i / ∂z_j ∂z_k of one softmax row p (at offset): p_i[(δ_ij − p_j)(δ_ik − p_k) − p_j(δ_jk − p_k)].
 * Newton with softmax + cross-entropy does not need it (losses.outputHessianZ gives the combined
 * ∂²J/∂z∂z = diag(p) − p pᵀ); it is here for softmax paired with mse or mae.
 */
export function softmaxSecondDerivative(
  p: Float64Array, offset: number, i: number, j: number, k: number,
): number {
  const pi = p[offset + i];
  const pj = p[offset + j];
  const pk = p[offset + k];
  const dij = i === j ? 1 : 0;
  const dik = i === k ? 1 : 0;
  const djk = j === k ? 1 : 0;
  return pi * ((dij - pj) * (dik - pk) - pj * (djk - pk));
}

// ---- whole-batch operations on row-major rows × units arrays

/** a = f(z). */
export function activate(
  name: ActivationName, slope: number, z: Float64Array, rows: number, units: number,
  out: Float64Array = new Float64Array(rows * units),
): Float64Array {
  if (name === 'softmax') {
    for (let r = 0; r < rows; r++) softmaxRow(z, r * units, units, out);
    return out;
  }
  elementwise(name).forwardInto(z, out, rows * units, slope);
  return out;
}

/** Length of the local-gradient array: rows × units, or rows × units × units for softmax. */
export function localGradientLength(name: ActivationName, rows: number, units: number): number {
  return name === 'softmax' ? rows * units * units : rows * units;
}

/**
 * The local gradient ∂a/∂z: f′(z) per element, or for softmax the per-sample Jacobian
 * J[r][i][j] = ∂p_i/∂z_j = p_i(δ_ij − p_j) (symmetric), laid out rows × units × units.
 */
export function localGradient(
  name: ActivationName, slope: number, z: Float64Array, a: Float64Array, rows: number, units: number,
  out: Float64Array = new Float64Array(localGradientLength(name, rows, units)),
): Float64Array {
  if (name === 'softmax') {
    for (let r = 0; r < rows; r++) {
      const row = r * units;
      const base = r * units * units;
      for (let i = 0; i < units; i++) {
        const pi = a[row + i];
        for (let j = 0; j < units; j++) out[base + i * units + j] = (i === j ? pi : 0) - pi * a[row + j];
      }
    }
    return out;
  }
  elementwise(name).derivativeInto(z, a, out, rows * units, slope);
  return out;
}

/**
 * δ = ∂J/∂z from the upstream ∂J/∂a: f′(z) ⊙ upstream, or for softmax Jᵀ·upstream,
 * which is p_j (u_j − Σ_k p_k u_k) and needs no Jacobian in memory. `out` must not be `upstream`.
 */
export function applyLocalGradient(
  name: ActivationName, slope: number, z: Float64Array, a: Float64Array, upstream: Float64Array,
  rows: number, units: number, out: Float64Array = new Float64Array(rows * units),
): Float64Array {
  if (name === 'softmax') {
    for (let r = 0; r < rows; r++) {
      const row = r * units;
      let dot = 0;
      for (let k = 0; k < units; k++) dot += a[row + k] * upstream[row + k];
      for (let j = 0; j < units; j++) out[row + j] = a[row + j] * (upstream[row + j] - dot);
    }
    return out;
  }
  const n = rows * units;
  elementwise(name).derivativeInto(z, a, out, n, slope);
  for (let i = 0; i < n; i++) out[i] *= upstream[i];
  return out;
}

/** f″(z) per element (elementwise activations only; softmax: see softmaxSecondDerivative). */
export function secondDerivative(
  name: ActivationName, slope: number, z: Float64Array, a: Float64Array, rows: number, units: number,
  out: Float64Array = new Float64Array(rows * units),
): Float64Array {
  if (name === 'softmax') {
    throw new Error('softmax has no elementwise second derivative; use softmaxSecondDerivative or losses.outputHessianZ');
  }
  const f = elementwise(name);
  const n = rows * units;
  for (let i = 0; i < n; i++) out[i] = f.secondDerivative(z[i], a[i], slope);
  return out;
}

// ---- deliberately wrong derivatives: the "break a derivative" exercise (lesson 6)
//
// Each rule replaces the derivative of one activation with a plausible mistake a learner might
// write. Only the backward pass's local gradient uses it (network.ts, DenseLayer.brokenDerivative):
// the forward pass and every finite-difference check still use f itself, so the gradient check
// exposes the mistake.

export type BrokenDerivativeKind = 'sigmoid-as-value' | 'tanh-without-square' | 'relu-always-one';

export interface BrokenDerivativeRule {
  /** The activation whose derivative this mistake replaces. */
  activation: ElementwiseActivationName;
  /** The wrong f′(z), given z, a = f(z) and the leaky slope like ElementwiseActivation.derivative. */
  derivative(z: number, a: number, slope: number): number;
  /** The mistake and the true formula, for messages: "σ′ = σ", "σ′ = σ(1 − σ)". */
  wrong: string;
  right: string;
}

export const BROKEN_DERIVATIVES: Readonly<Record<BrokenDerivativeKind, BrokenDerivativeRule>> = {
  'sigmoid-as-value': { activation: 'sigmoid', derivative: (_z, a) => a, wrong: 'σ′ = σ', right: 'σ′ = σ(1 − σ)' },
  'tanh-without-square': { activation: 'tanh', derivative: (_z, a) => 1 - a, wrong: 'tanh′ = 1 − tanh', right: 'tanh′ = 1 − tanh²' },
  'relu-always-one': { activation: 'relu', derivative: () => 1, wrong: 'ReLU′ = 1', right: 'ReLU′ = 1 if z > 0, else 0' },
};

/** The broken rule's f′(z) per element of a rows × units array. */
export function brokenLocalGradient(
  kind: BrokenDerivativeKind, slope: number, z: Float64Array, a: Float64Array, rows: number, units: number,
  out: Float64Array = new Float64Array(rows * units),
): Float64Array {
  const rule = BROKEN_DERIVATIVES[kind];
  const n = rows * units;
  for (let i = 0; i < n; i++) out[i] = rule.derivative(z[i], a[i], slope);
  return out;
}
