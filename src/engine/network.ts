// Dense layers and the network built from them. Weights are stored [out][in] row-major, as
// torch.nn.Linear.weight, so z = W·x + b reads z[r][u] = b[u] + Σᵢ W[u][i]·x[r][i].
// Every operation works on flat row-major Float64Arrays (rows × width) and can be called one
// layer at a time by the step machine, or all at once by lossAndGradients.
import type { ActivationName, LayerRecord, LossName, ModelFile } from './types';
import type { Rng } from './rng';
import {
  BROKEN_DERIVATIVES, type BrokenDerivativeKind, DEFAULT_LEAKY_SLOPE, activate, applyLocalGradient, brokenLocalGradient,
  localGradient, localGradientLength,
} from './activations';
import {
  type LossSpec, REQUIRED_OUTPUT_ACTIVATION, type Regularization, lossUpstream, meanLoss, normalizeRegularization, outputDelta,
  perSampleLoss, regularizationGradient, regularizationLoss,
} from './losses';
import { multiply } from './matmul';
import { type Allocate, freshArray } from './arena';
import { tensorName } from './layerFields';

export interface DenseLayer {
  inputs: number;
  units: number;
  activation: ActivationName;
  slope: number; // leaky-relu's negative slope (kept for every layer, used only by leaky-relu)
  weights: Float64Array; // units × inputs, row-major [out][in] like torch.nn.Linear.weight
  bias: Float64Array; // units
  /**
   * A deliberately wrong f′ for the "break a derivative" exercise (set by breakDerivative):
   * the backward pass's local gradient uses it; the forward pass, the loss and finite
   * differences never do. Absent in every network a model file builds.
   */
  brokenDerivative?: BrokenDerivativeKind;
}

export interface Network {
  inputs: number;
  layers: DenseLayer[];
}

/**
 * Builds the network of a model file. Explicit `weights`/`bias` are copied; missing ones get
 * PyTorch nn.Linear's default distribution U(−1/√in, 1/√in) (kaiming_uniform with a = √5 for
 * weights, the same bound for the bias), drawn from `rng` in this order: layer 0 weights row by
 * row (output unit 0's inputs 0..in−1, then unit 1, ...), layer 0 bias, layer 1 weights, ...
 * Parts given explicitly draw nothing, so adding explicit weights to one layer changes the
 * draws of the layers after it. The model file is assumed validated; shapes are checked again
 * here so a bad call still names the place.
 */
export function createNetwork(model: ModelFile, rng: Rng): Network {
  let inputs = model.inputs;
  const layers: DenseLayer[] = model.layers.map((spec, l) => {
    const bound = 1 / Math.sqrt(inputs);
    const draw = (): number => (2 * rng.uniform() - 1) * bound;
    const weights = new Float64Array(spec.units * inputs);
    if (spec.weights) {
      if (spec.weights.length !== spec.units) {
        throw new Error(`layers[${l}].weights: expected ${spec.units} rows (one per unit), got ${spec.weights.length}`);
      }
      spec.weights.forEach((row, u) => {
        if (row.length !== inputs) {
          throw new Error(`layers[${l}].weights[${u}]: expected ${inputs} numbers (one per input), got ${row.length}`);
        }
        weights.set(row, u * inputs);
      });
    } else {
      for (let i = 0; i < weights.length; i++) weights[i] = draw();
    }
    const bias = new Float64Array(spec.units);
    if (spec.bias) {
      if (spec.bias.length !== spec.units) {
        throw new Error(`layers[${l}].bias: expected ${spec.units} numbers (one per unit), got ${spec.bias.length}`);
      }
      bias.set(spec.bias);
    } else {
      for (let u = 0; u < bias.length; u++) bias[u] = draw();
    }
    const layer: DenseLayer = {
      inputs, units: spec.units, activation: spec.activation, slope: spec.slope ?? DEFAULT_LEAKY_SLOPE, weights, bias,
    };
    inputs = spec.units;
    return layer;
  });
  return { inputs: model.inputs, layers };
}

/** The live parameter arrays in nn.Sequential.parameters() order: [W0, b0, W1, b1, ...]. */
export function parameters(net: Network): Float64Array[] {
  return net.layers.flatMap((layer) => [layer.weights, layer.bias]);
}

/** Names matching parameters(): "layers[0].weights", "layers[0].bias", ... */
export function parameterNames(net: Network): string[] {
  return net.layers.flatMap((_layer, l) => [tensorName(l, 'weights'), tensorName(l, 'bias')]);
}

export function parameterCount(net: Network): number {
  return net.layers.reduce((sum, layer) => sum + layer.weights.length + layer.bias.length, 0);
}

/** Where each layer's weights start in the flattened parameters() order [W0, b0, W1, b1, ...]. */
export function layerOffsets(net: Network): number[] {
  const offsets: number[] = [];
  let offset = 0;
  for (const layer of net.layers) {
    offsets.push(offset);
    offset += layer.weights.length + layer.bias.length;
  }
  return offsets;
}

/** A deep copy (weights and biases in new arrays). */
export function cloneNetwork(net: Network): Network {
  return {
    inputs: net.inputs,
    layers: net.layers.map((layer) => ({ ...layer, weights: layer.weights.slice(), bias: layer.bias.slice() })),
  };
}

/** Copies `values` (shaped like parameters(net)) into the network's live arrays. */
export function setParameters(net: Network, values: Float64Array[]): void {
  const live = parameters(net);
  if (values.length !== live.length) throw new Error(`setParameters: expected ${live.length} arrays, got ${values.length}`);
  live.forEach((target, p) => {
    if (values[p].length !== target.length) {
      throw new Error(`setParameters: array ${p} should hold ${target.length} numbers, got ${values[p].length}`);
    }
    target.set(values[p]);
  });
}

// ---- one layer at a time

/** What the forward pass of one layer produced, for a batch of `rows` samples. */
export interface LayerForward {
  rows: number;
  input: Float64Array; // rows × inputs (a of the previous layer, or x); not copied
  z: Float64Array; // rows × units, W·input + b
  a: Float64Array; // rows × units, f(z)
}

/** z = input·Wᵀ + b, a = f(z); z and a come from `allocate`. */
export function forwardLayer(
  layer: DenseLayer, input: Float64Array, rows: number, allocate: Allocate = freshArray,
): LayerForward {
  const { inputs, units, weights, bias } = layer;
  const z = multiply(input, weights, rows, units, inputs, allocate(rows * units), bias, 'b');
  const a = activate(layer.activation, layer.slope, z, rows, units, allocate(rows * units));
  return { rows, input, z, a };
}

/** The loss at the output layer, and the two gradients the backward pass starts from. */
export interface OutputLoss {
  loss: number; // dataLoss + regLoss
  dataLoss: number;
  regLoss: number;
  perSample: Float64Array; // ℓᵢ, summed over output units (J_data is their mean)
  upstream: Float64Array; // ∂J/∂a at the output (may be ±Infinity for the cross-entropies)
  delta: Float64Array; // ∂J/∂z at the output, always computed in the stable combined form
}

export function outputLoss(
  net: Network, lossSpec: LossSpec, output: LayerForward, targets: Float64Array, allocate: Allocate = freshArray,
): OutputLoss {
  const last = net.layers[net.layers.length - 1];
  const { rows } = output;
  const { units, activation, slope } = last;
  const perSample = perSampleLoss(lossSpec.loss, activation, output.z, output.a, targets, rows, units, allocate(rows));
  const dataLoss = meanLoss(perSample, rows);
  const regLoss = networkRegularizationLoss(net, normalizeRegularization(lossSpec.regularization));
  const upstream = lossUpstream(lossSpec.loss, output.a, targets, rows, units, allocate(rows * units));
  const delta = last.brokenDerivative
    ? brokenDelta(last, output, upstream, allocate(rows * units))
    : outputDelta(lossSpec.loss, activation, slope, output.z, output.a, targets, upstream, rows, units, allocate(rows * units));
  return { loss: dataLoss + regLoss, dataLoss, regLoss, perSample, upstream, delta };
}

/** Σ over layers of λ1‖W‖₁ + λ2‖W‖₂² (biases are not regularized). */
export function networkRegularizationLoss(net: Network, reg: Regularization): number {
  let sum = 0;
  for (const layer of net.layers) sum += regularizationLoss(layer.weights, reg);
  return sum;
}

export interface BackwardOptions {
  /** ∂J/∂z already known (the output layer: OutputLoss.delta); otherwise f′ ⊙ upstream. */
  delta?: Float64Array;
  /** Added to ∂J/∂W; omit or zeros for none. */
  regularization?: Regularization;
  /** Record the local gradient (f′, or the softmax Jacobian per sample); the trace needs it, training alone does not. */
  recordLocalGrad?: boolean;
  /** Compute ∂J/∂input for the layer below (not needed for the first layer). */
  downstream?: boolean;
  /** Where the results go (default: fresh arrays). */
  allocate?: Allocate;
  /** Where ∂J/∂W goes, overwritten (default: from `allocate`). */
  gradWeights?: Float64Array;
}

/** What the backward pass of one layer produced. */
export interface LayerBackward {
  localGrad?: Float64Array; // rows × units f′(z), or rows × units × units softmax Jacobian
  upstream: Float64Array; // rows × units ∂J/∂a
  delta: Float64Array; // rows × units ∂J/∂z
  gradWeights: Float64Array; // units × inputs ∂J/∂W, data part + regularization part
  gradBias: Float64Array; // units ∂J/∂b
  downstream?: Float64Array; // rows × inputs ∂J/∂input, the upstream of the layer below
}


/**
 * Backward through one dense layer: δ = ∂J/∂z (f′ ⊙ upstream unless given), ∂J/∂W = δᵀ·input
 * (+ regularization), ∂J/∂b = Σ_rows δ, ∂J/∂input = δ·W.
 */
export function backwardLayer(
  layer: DenseLayer, forward: LayerForward, upstream: Float64Array, options: BackwardOptions = {},
): LayerBackward {
  const { inputs, units, weights, activation, slope } = layer;
  const { rows, input, z, a } = forward;
  const allocate = options.allocate ?? freshArray;
  const delta = options.delta ?? (layer.brokenDerivative
    ? brokenDelta(layer, forward, upstream, allocate(rows * units))
    : applyLocalGradient(activation, slope, z, a, upstream, rows, units, allocate(rows * units)));
  const localGrad = options.recordLocalGrad
    ? layerLocalGradient(layer, z, a, rows, allocate(localGradientLength(activation, rows, units)))
    : undefined;

  const gradWeights = weightGradient(layer, delta, input, weights, rows, options.regularization, options.gradWeights ?? allocate(units * inputs));
  const gradBias = allocate(units);
  for (let u = 0; u < units; u++) {
    let sum = 0;
    for (let r = 0, at = u; r < rows; r++, at += units) sum += delta[at];
    gradBias[u] = sum;
  }

  // ∂J/∂input = δ·W.
  const downstream = options.downstream ? multiply(delta, weights, rows, inputs, units, allocate(rows * inputs)) : undefined;
  return { localGrad, upstream, delta, gradWeights, gradBias, downstream };
}

/**
 * ∂J/∂W of one dense layer into `out`: δᵀ·input, plus the regularization's gradient at `weights`
 * (the weights the step started from). The one formula for it: backward, and a record computing
 * its gradient again when read (operations.ts), run this same code on the same numbers.
 */
export function weightGradient(
  layer: DenseLayer, delta: Float64Array, input: Float64Array, weights: Float64Array, rows: number, reg: Regularization | undefined,
  out: Float64Array = new Float64Array(layer.units * layer.inputs),
): Float64Array {
  // ∂J/∂W[u][i] = Σ_r δ[r][u]·input[r][i] as δᵀ·input: one running sum per weight instead of
  // rewriting the whole gradient once per sample.
  multiply(delta, input, layer.units, layer.inputs, rows, out, undefined, 'a');
  if (reg && (reg.l1 !== 0 || reg.l2 !== 0)) regularizationGradient(weights, reg, out, true);
  return out;
}

/** The local gradient backward uses for this layer: f′(z) (softmax: the Jacobian), or its broken stand-in. */
export function layerLocalGradient(
  layer: DenseLayer, z: Float64Array, a: Float64Array, rows: number,
  out: Float64Array = new Float64Array(localGradientLength(layer.activation, rows, layer.units)),
): Float64Array {
  return layer.brokenDerivative
    ? brokenLocalGradient(layer.brokenDerivative, layer.slope, z, a, rows, layer.units, out)
    : localGradient(layer.activation, layer.slope, z, a, rows, layer.units, out);
}

/** δ = broken f′ ⊙ upstream. */
function brokenDelta(layer: DenseLayer, forward: LayerForward, upstream: Float64Array, out: Float64Array): Float64Array {
  const fPrime = brokenLocalGradient(layer.brokenDerivative!, layer.slope, forward.z, forward.a, forward.rows, layer.units, out);
  for (let i = 0; i < fPrime.length; i++) fPrime[i] *= upstream[i];
  return fPrime;
}

// ---- the "break a derivative" exercise

/** Which derivative to break: every layer with the rule's activation, or only layer `layer` (0-based). */
export interface BrokenDerivative {
  kind: BrokenDerivativeKind;
  layer?: number;
}

/** True for the output layer of a loss computed together with its activation (∂J/∂z = p − t). */
function lossTakesDerivative(net: Network, loss: LossName, l: number): boolean {
  return l === net.layers.length - 1 && REQUIRED_OUTPUT_ACTIVATION[loss] === net.layers[l].activation;
}

/**
 * Why `broken` cannot apply to this network, or undefined when it can. An output layer whose
 * derivative the loss takes together with it (sigmoid + binary cross-entropy: ∂J/∂z = p − t) has
 * no separate f′ in backward to break.
 */
export function brokenDerivativeProblem(net: Network, loss: LossName, broken: BrokenDerivative): string | undefined {
  const rule = BROKEN_DERIVATIVES[broken.kind];
  if (!rule) return `unknown broken derivative "${broken.kind}"; expected one of ${Object.keys(BROKEN_DERIVATIVES).join(', ')}`;
  const last = net.layers.length - 1;
  const combined = (l: number) => lossTakesDerivative(net, loss, l);
  if (broken.layer !== undefined) {
    const layer = net.layers[broken.layer];
    if (!Number.isInteger(broken.layer) || !layer) return `layer ${broken.layer} does not exist: the network has layers 0..${last}`;
    if (layer.activation !== rule.activation) {
      return `layers[${broken.layer}] uses ${layer.activation}, but "${broken.kind}" (${rule.wrong}) breaks the derivative of ${rule.activation}`;
    }
    if (combined(broken.layer)) {
      return `layers[${broken.layer}] is the ${layer.activation} output of ${loss}, whose ∂J/∂z = p − t has no separate ${rule.activation}′ to break; pick a hidden layer`;
    }
    return undefined;
  }
  if (!net.layers.some((layer, l) => layer.activation === rule.activation && !combined(l))) {
    return `no layer whose ${rule.activation}′ backward uses on its own: "${broken.kind}" (${rule.wrong}) has nothing to break`;
  }
  return undefined;
}

/**
 * Puts a deliberately wrong derivative into the backward pass (or, with undefined, restores the
 * true ones): into layer `broken.layer`, or every layer with the rule's activation except an
 * output layer the loss combines with its activation. Throws with brokenDerivativeProblem's reason.
 */
export function breakDerivative(net: Network, loss: LossName, broken: BrokenDerivative | undefined): void {
  const problem = broken && brokenDerivativeProblem(net, loss, broken);
  if (problem) throw new Error(problem);
  net.layers.forEach((layer, l) => {
    const applies = broken !== undefined && (broken.layer === undefined
      ? layer.activation === BROKEN_DERIVATIVES[broken.kind].activation && !lossTakesDerivative(net, loss, l)
      : broken.layer === l);
    if (applies) layer.brokenDerivative = broken.kind;
    else delete layer.brokenDerivative;
  });
}

// ---- filling the step record

/**
 * A fresh record for layer `index`, holding its weights and bias before the update: `before`
 * when given (arrays equal to them that nothing will write again), else copies.
 */
export function newLayerRecord(
  layer: DenseLayer, index: number, rows: number,
  before: { weights: Float64Array; bias: Float64Array } = { weights: layer.weights.slice(), bias: layer.bias.slice() },
): LayerRecord {
  return { index, units: layer.units, inputs: layer.inputs, activation: layer.activation, rows, weights: before.weights, bias: before.bias };
}

export function recordForward(record: LayerRecord, forward: LayerForward): void {
  record.input = forward.input;
  record.z = forward.z;
  record.a = forward.a;
}

/** Records what backward produced; the local gradient only when it was computed (the trainer may define it to be computed when read). */
export function recordBackward(record: LayerRecord, backward: LayerBackward): void {
  if (backward.localGrad) record.localGrad = backward.localGrad;
  record.upstream = backward.upstream;
  record.delta = backward.delta;
  record.gradWeights = backward.gradWeights;
  record.gradBias = backward.gradBias;
}

// ---- the whole batch at once

/** Forward through every layer; element l is layer l's forward (its input is x or layer l−1's a). */
export function forward(net: Network, x: Float64Array, rows: number, allocate: Allocate = freshArray): LayerForward[] {
  const passes: LayerForward[] = [];
  let input = x;
  for (const layer of net.layers) {
    const pass = forwardLayer(layer, input, rows, allocate);
    passes.push(pass);
    input = pass.a;
  }
  return passes;
}

/** The network's output a_L for `rows` samples of x (rows × inputs). */
export function predict(net: Network, x: Float64Array, rows: number): Float64Array {
  const passes = forward(net, x, rows);
  return passes[passes.length - 1].a;
}

export interface LossAndGradients {
  loss: number;
  dataLoss: number;
  regLoss: number;
  grads: Float64Array[]; // same order as parameters(net)
}

/** J and ∂J/∂θ on one batch (x: rows × inputs, y: rows × outputs), untraced. */
export function lossAndGradients(
  net: Network, lossSpec: LossSpec, x: Float64Array, y: Float64Array, rows: number,
): LossAndGradients {
  const passes = forward(net, x, rows);
  const out = outputLoss(net, lossSpec, passes[passes.length - 1], y);
  const regularization = normalizeRegularization(lossSpec.regularization);
  const grads: Float64Array[] = new Array(net.layers.length * 2);
  let upstream = out.upstream;
  let delta: Float64Array | undefined = out.delta;
  for (let l = net.layers.length - 1; l >= 0; l--) {
    const back = backwardLayer(net.layers[l], passes[l], upstream, { delta, regularization, downstream: l > 0 });
    grads[2 * l] = back.gradWeights;
    grads[2 * l + 1] = back.gradBias;
    if (back.downstream) upstream = back.downstream;
    delta = undefined;
  }
  return { loss: out.loss, dataLoss: out.dataLoss, regLoss: out.regLoss, grads };
}

/** J on one batch without gradients (finite differences, line searches, lossAfter); its tensors come from `allocate`. */
export function batchLoss(
  net: Network, lossSpec: LossSpec, x: Float64Array, y: Float64Array, rows: number, allocate: Allocate = freshArray,
): number {
  const passes = forward(net, x, rows, allocate);
  const last = net.layers[net.layers.length - 1];
  const output = passes[passes.length - 1];
  const dataLoss = meanLoss(perSampleLoss(lossSpec.loss, last.activation, output.z, output.a, y, rows, last.units, allocate(rows)), rows);
  return dataLoss + networkRegularizationLoss(net, normalizeRegularization(lossSpec.regularization));
}
