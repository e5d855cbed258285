// The chain rule for one parameter, factor by factor, as the lecture writes it:
//   ∂J/∂w = ∂J/∂y · ∂y/∂n · ∂n/∂h_m · ∂h_m/∂n_m · ∂n_m/∂w      (2-layer net, one output)
// and in general through the delta recursion δˡ_m = f′(zˡ_m) · Σ_k W⁽ˡ⁺¹⁾_km δ⁽ˡ⁺¹⁾_k.
//
// Conventions of the returned values:
//  - Per-sample values are derivatives of the batch loss J = (1/N) Σᵢ ℓᵢ, as the trace's upstream
//    and delta are (README, "Reading the screen"): ∂J/∂aᵢ and δᵢ = ∂J/∂zᵢ carry the 1/N, so the
//    product of sample i's factors is its contribution δᵢ·xᵢ and the data gradient is their SUM,
//    ∂J/∂w = Σᵢ δᵢ xᵢ — the lecture's (1/N) Σᵢ 2(y − t) · … with the 1/N inside each term.
//  - Numeric fields (layer, unit, input) are 0-based like the trace; symbols are 1-based like
//    the lecture: layer l of the network is superscript l+1, unit m is subscript m+1.
//  - Weights are stored [out][in]: W[l][m][n] is the lecture's w_nm (from input n to unit m).
import type { ActivationName, LossName, StepRecord } from './types';
import type { LossSpec, Regularization } from './losses';
import { REQUIRED_OUTPUT_ACTIVATION, normalizeRegularization } from './losses';
import { BROKEN_DERIVATIVES } from './activations';
import { type Batch, type GradientCheckEntry, checkParameter } from './gradientCheck';
import { type DenseLayer, type Network, backwardLayer, forward, outputLoss } from './network';
import { tensorName } from './layerFields';
import { type ParameterPlace, parameterSymbol, sub, sup } from './notation';

/**
 * A note in English with "{0}"-style placeholders: the English text is the key that the webview
 * translates (l10n/bundle.l10n.ko.json), the CLI prints it with fillPlaceholders.
 */
export interface ExplanationNote {
  text: string;
  args: string[];
}

/** Which parameter: W[layer][out][in] or b[layer][out] (all 0-based). */
export type ParameterTarget = ParameterPlace;

export type FactorRole =
  | 'loss-gradient' // ∂J/∂a of an output unit
  | 'activation-gradient' // f′(z) of the unit
  | 'output-delta' // ∂J/∂z of an output unit, computed without splitting (softmax/sigmoid pairs, softmax Jacobian)
  | 'delta-above' // δ of the single unit of the layer above
  | 'weight-above' // W⁽ˡ⁺¹⁾_km, the weight from this unit to the unit above
  | 'backprop-sum' // Σ_k W⁽ˡ⁺¹⁾_km δ⁽ˡ⁺¹⁾_k: ∂J/∂a of this unit
  | 'delta' // ∂J/∂z of this unit as a whole (a hidden softmax layer)
  | 'input'; // ∂z_m/∂w_nm = input n, or ∂z_m/∂b_m = 1

/** One term k of a sum factor: left[i] · right[i] per sample i. */
export interface SumTerm {
  unit: number; // k, 0-based, in the layer the sum runs over
  left: number[];
  right: number[];
  product: number[];
}

function sumTerm(unit: number, left: number[], right: number[]): SumTerm {
  return { unit, left, right, product: left.map((value, i) => value * right[i]) };
}

export interface ChainFactor {
  role: FactorRole;
  symbol: string; // plain Unicode, e.g. "∂J/∂a²₁"
  latex: string; // the same for a TeX renderer
  name: string; // what the factor is, in English (the webview translates it)
  layer: number; // where the quantity lives (0-based)
  unit: number; // 0-based unit in that layer (the input index for role 'input')
  perSample: number[]; // value for each sample of the batch, in batch order
  /** Part of the shared delta ∂J/∂z of the unit: computed once and reused by every parameter of the unit. */
  computedOnce: boolean;
  /** For a factor that is a sum over units (backprop-sum, softmax output-delta): its terms. */
  sum?: { leftSymbol: string; rightSymbol: string; terms: SumTerm[] };
}

export interface ChainRuleExplanation {
  parameter: {
    name: string; // "layers[0].weights[2][1]" or "layers[1].bias[0]"
    symbol: string; // lecture-style, "w¹₂₃" (input 2 → unit 3) or "b²₁"
    latex: string;
    target: ParameterTarget;
    value: number;
  };
  /** null for a recorded trace, which does not say. */
  loss: LossName | null;
  rows: number; // N
  /** The factors in order from the loss down to the parameter; their per-sample product is the chain. */
  factors: ChainFactor[];
  /** ∂J/∂z of the unit: the part shared by all its parameters ("공통 부분은 한번만 계산"); its sum over samples is ∂J/∂b. */
  sharedDelta: { symbol: string; latex: string; perSample: number[]; sum: number };
  /** Π factors per sample (sample i's contribution), and their sum over samples: the data part of ∂J/∂θ. */
  product: { perSample: number[]; sum: number };
  /** The regularization term added to a weight's gradient (λ1·sign(w) + 2λ2·w); null for biases or no regularization. */
  regularization: { l1: number; l2: number; value: number; symbol: string; latex: string } | null;
  /** product.sum + regularization: equals the engine's gradWeights/gradBias (for a recorded trace: the recorded gradient). */
  total: number;
  /** The engine's own backpropagated gradient for the same parameter (a trace's recorded one), for comparison. */
  engineGradient: number;
  finiteDifference?: GradientCheckEntry;
  notes: ExplanationNote[];
}


/** a or z of layer l, unit m, in Unicode and TeX (1-based). Layer −1 is the input x. */
function quantity(letter: 'a' | 'z', layer: number, unit: number): { text: string; tex: string } {
  if (layer < 0) return { text: `x${sub(unit + 1)}`, tex: `x_{${unit + 1}}` };
  return { text: `${letter}${sup(layer + 1)}${sub(unit + 1)}`, tex: `${letter}^{(${layer + 1})}_{${unit + 1}}` };
}

const partial = (top: { text: string; tex: string }, bottom: { text: string; tex: string }) => ({
  symbol: `∂${top.text}/∂${bottom.text}`,
  latex: `\\frac{\\partial ${top.tex}}{\\partial ${bottom.tex}}`,
});
const J = { text: 'J', tex: 'J' };

const sum = (values: number[]): number => values.reduce((s, v) => s + v, 0);

function factor(
  role: FactorRole, text: { symbol: string; latex: string }, name: string,
  layer: number, unit: number, perSample: number[], computedOnce: boolean,
): ChainFactor {
  return { role, ...text, name, layer, unit, perSample, computedOnce };
}

/** What each factor is, in English; the webview translates these (src/protocol/webviewStrings.ts). */
export const FACTOR_NAMES: Readonly<Record<FactorRole, string>> = {
  'loss-gradient': 'loss gradient at the output',
  'activation-gradient': 'activation derivative (local gradient)',
  'output-delta': 'output delta, loss and activation taken together',
  'delta-above': 'delta of the unit above (computed once)',
  'weight-above': 'weight from this unit to the unit above',
  'backprop-sum': 'gradient arriving at this unit: sum over the units above',
  delta: 'delta of this unit',
  input: 'input carried by this weight',
};
export const BIAS_INPUT_NAME = 'derivative of z with respect to the bias (always 1)';

/** Every note an explanation can carry, in English with its placeholders. */
export const NOTE_TEXTS = {
  combinedOutput: 'With {0} and {1}, ∂J/∂zᵢ = (pᵢ − tᵢ)/N for sample i: the loss gradient and the activation derivative are combined, which stays finite where ∂J/∂a would be infinite.',
  maeKink: '|x|′(0) is taken as 0 (as PyTorch).',
  brokenDerivative: 'Layer {0}\'s derivative is deliberately broken: backward uses {1} instead of {2}, so this gradient is wrong and the finite difference disagrees with it.',
  reluKink: 'z = 0 in this batch: ReLU′(0) is taken as 0 (as PyTorch).',
  leakyReluKink: 'z = 0 in this batch: leaky ReLU′(0) is taken as the slope (as PyTorch).',
  recordedTrace: 'From a recorded trace: every factor is a recorded number. The finite-difference check is not available here: it needs the model and its data to evaluate J again.',
  recordedRegularization: 'J of this step has a regularization part ({0}); the recorded gradient includes its derivative, the product of the factors is the loss-function part only.',
} as const;

const note = (text: string, ...args: string[]): ExplanationNote => ({ text, args });

/** A note's English text with its placeholders filled: for the CLI, which does not translate. */
export function noteText(n: ExplanationNote): string {
  return n.text.replace(/\{(\d+)\}/g, (_, i: string) => n.args[Number(i)] ?? '');
}

function column(values: Float64Array, rows: number, width: number, index: number): number[] {
  const out = new Array<number>(rows);
  for (let r = 0; r < rows; r++) out[r] = values[r * width + index];
  return out;
}

/**
 * One layer's numbers on one batch, as a step record holds them: what the chain rule reads. The
 * engine's explanation computes them (chainLayers); a recorded trace has them.
 */
interface ChainLayer {
  units: number;
  inputs: number;
  activation: ActivationName;
  weights: Float64Array; // units × inputs
  bias: Float64Array;
  input: Float64Array; // rows × inputs
  z: Float64Array; // rows × units
  localGrad: Float64Array; // rows × units f′(z) (as backward used it), or rows × units × units for softmax
  upstream: Float64Array; // rows × units ∂J/∂a (with the 1/N of the batch mean, as every per-sample derivative here)
  delta: Float64Array; // rows × units ∂J/∂z
  gradWeights: Float64Array;
  gradBias: Float64Array;
  brokenDerivative?: DenseLayer['brokenDerivative'];
}

/** What is known besides the numbers: the loss and regularization (unknown for a recorded trace). */
interface ChainContext {
  loss: LossName | null;
  regularization: Regularization | null;
  notes: ExplanationNote[];
}

/** The engine's forward pass, loss and backward pass from the output down to layer l, as ChainLayers (index k ≥ l). */
function chainLayers(net: Network, lossSpec: LossSpec, batch: Batch, l: number): ChainLayer[] {
  const L = net.layers.length;
  const passes = forward(net, batch.x, batch.rows);
  const loss = outputLoss(net, lossSpec, passes[L - 1], batch.y);
  const regularization = normalizeRegularization(lossSpec.regularization);
  const layers: ChainLayer[] = new Array(L);
  let upstream = loss.upstream;
  for (let k = L - 1; k >= l; k--) {
    const layer = net.layers[k];
    const back = backwardLayer(layer, passes[k], upstream, {
      delta: k === L - 1 ? loss.delta : undefined, regularization, downstream: k > 0, recordLocalGrad: true,
    });
    layers[k] = { ...layer, input: passes[k].input, z: passes[k].z, upstream, delta: back.delta, localGrad: back.localGrad!, gradWeights: back.gradWeights, gradBias: back.gradBias };
    if (back.downstream) upstream = back.downstream;
  }
  return layers;
}

/**
 * The factors of ∂J/∂z of unit m in a hidden layer l with an elementwise activation:
 * ∂J/∂a_m · f′(z_m), where ∂J/∂a_m = Σ_k W⁽ˡ⁺¹⁾_km δ⁽ˡ⁺¹⁾_k (with one unit above: its δ times one weight).
 */
function hiddenDeltaFactors(layers: ChainLayer[], rows: number, l: number, m: number, context: ChainContext): ChainFactor[] {
  const layer = layers[l];
  const upper = layers[l + 1];
  const am = quantity('a', l, m);
  const zm = quantity('z', l, m);
  const factors: ChainFactor[] = [];
  if (upper.units === 1) {
    const zk = quantity('z', l + 1, 0);
    factors.push(...(l + 1 === layers.length - 1
      ? outputFactors(layers, l + 1, rows, 0, context)
      : [factor('delta-above', partial(J, zk), FACTOR_NAMES['delta-above'], l + 1, 0, column(upper.delta, rows, 1, 0), true)]));
    factors.push(factor('weight-above', partial(zk, am), FACTOR_NAMES['weight-above'], l + 1, 0, new Array(rows).fill(upper.weights[m]), true));
  } else {
    const terms = Array.from({ length: upper.units }, (_, k) =>
      sumTerm(k, new Array(rows).fill(upper.weights[k * upper.inputs + m]), column(upper.delta, rows, upper.units, k)));
    const sum = factor('backprop-sum', partial(J, am), FACTOR_NAMES['backprop-sum'], l, m, column(layer.upstream, rows, layer.units, m), true);
    sum.sum = { leftSymbol: `W${sup(l + 2)}_k${sub(m + 1)}`, rightSymbol: `∂J/∂z${sup(l + 2)}_k`, terms };
    factors.push(sum);
  }
  noteBrokenDerivative(layer, l, context.notes);
  factors.push(factor('activation-gradient', partial(am, zm), FACTOR_NAMES['activation-gradient'], l, m, column(layer.localGrad, rows, layer.units, m), true));
  noteKinks(layer.activation, column(layer.z, rows, layer.units, m), context.notes);
  return factors;
}

/** ∂J/∂z of unit m of layer l as its factors: the output layer's, a hidden softmax layer's δ whole, or the hidden recursion. */
function deltaFactors(layers: ChainLayer[], rows: number, l: number, m: number, context: ChainContext): ChainFactor[] {
  const layer = layers[l];
  if (l === layers.length - 1) return outputFactors(layers, l, rows, m, context);
  if (layer.activation === 'softmax') {
    return [factor('delta', partial(J, quantity('z', l, m)), FACTOR_NAMES.delta, l, m, column(layer.delta, rows, layer.units, m), true)];
  }
  return hiddenDeltaFactors(layers, rows, l, m, context);
}

/** The parameter's symbol and the last factor: ∂z_m/∂w_nm = input n, or ∂z_m/∂b_m = 1. */
function parameterFactor(layer: ChainLayer, rows: number, target: ParameterTarget): { symbol: { text: string; tex: string }; factor: ChainFactor } {
  const l = target.layer;
  const m = target.out;
  const zm = quantity('z', l, m);
  const symbol = parameterSymbol(target);
  if (target.kind === 'weight') {
    const n = target.in;
    return { symbol, factor: factor('input', partial(zm, symbol), FACTOR_NAMES.input, l - 1, n, column(layer.input, rows, layer.inputs, n), false) };
  }
  return { symbol, factor: factor('input', partial(zm, symbol), BIAS_INPUT_NAME, l, m, new Array(rows).fill(1), false) };
}

/** ∂/∂w of λ₁‖W‖₁ + λ₂‖W‖₂²: λ₁·sign(w) + 2λ₂·w (weights only; sign(0) = 0 as PyTorch). Null when unknown (a trace). */
function regularizationPart(regularization: Regularization | null, target: ParameterTarget, value: number, symbol: { text: string; tex: string }): ChainRuleExplanation['regularization'] {
  if (!regularization) return null;
  const { l1, l2 } = regularization;
  if (target.kind !== 'weight' || (l1 === 0 && l2 === 0)) return null;
  const sign = value > 0 ? 1 : value < 0 ? -1 : 0;
  return {
    l1, l2,
    value: l1 * sign + 2 * l2 * value,
    symbol: `λ₁·sign(${symbol.text}) + 2λ₂·${symbol.text}`,
    latex: `\\lambda_1 \\operatorname{sign}(${symbol.tex}) + 2\\lambda_2 ${symbol.tex}`,
  };
}

/**
 * ∂J/∂θ from one batch's layer numbers, whoever produced them (the engine or a recorded trace):
 * the sum over samples of (factors of ∂J/∂z_m) · ∂z_m/∂θ, plus the regularization part when known.
 */
function explainValues(layers: ChainLayer[], rows: number, target: ParameterTarget, context: ChainContext): ChainRuleExplanation {
  const { layer: l, out: m } = target;
  const layer = layers[l];
  const last = parameterFactor(layer, rows, target);
  const factors = [...deltaFactors(layers, rows, l, m, context), last.factor];

  const productPerSample = Array.from({ length: rows }, (_, r) => factors.reduce((product, f) => product * f.perSample[r], 1));
  const dataGradient = sum(productPerSample);
  const index = target.kind === 'weight' ? m * layer.inputs + target.in : m;
  const value = target.kind === 'weight' ? layer.weights[index] : layer.bias[index];
  const regularization = regularizationPart(context.regularization, target, value, last.symbol);
  const sharedDelta = column(layer.delta, rows, layer.units, m);
  return {
    parameter: {
      name: target.kind === 'weight' ? tensorName(l, 'weights', m, target.in) : tensorName(l, 'bias', m),
      symbol: last.symbol.text, latex: last.symbol.tex, target, value,
    },
    loss: context.loss,
    rows,
    factors,
    sharedDelta: { ...partial(J, quantity('z', l, m)), perSample: sharedDelta, sum: sum(sharedDelta) },
    product: { perSample: productPerSample, sum: dataGradient },
    regularization,
    total: dataGradient + (regularization ? regularization.value : 0),
    engineGradient: target.kind === 'weight' ? layer.gradWeights[index] : layer.gradBias[index],
    notes: context.notes,
  };
}

/**
 * Explains ∂J/∂θ for one weight or bias on one batch, with the network's current parameters
 * (for a trace: the weights before the step's update). Set `finiteDifference: false` to skip
 * the 2 extra loss evaluations.
 */
export function explainChainRule(
  net: Network, lossSpec: LossSpec, batch: Batch, target: ParameterTarget,
  options: { finiteDifference?: boolean } = {},
): ChainRuleExplanation {
  checkTarget(net.layers, target);
  const layers = chainLayers(net, lossSpec, batch, target.layer);
  const context: ChainContext = { loss: lossSpec.loss, regularization: normalizeRegularization(lossSpec.regularization), notes: [] };
  const explanation = explainValues(layers, batch.rows, target, context);
  if (options.finiteDifference !== false) {
    const p = 2 * target.layer + (target.kind === 'weight' ? 0 : 1);
    const index = target.kind === 'weight' ? target.out * net.layers[target.layer].inputs + target.in : target.out;
    explanation.finiteDifference = checkParameter(net, lossSpec, batch, p, index, explanation.engineGradient);
  }
  return explanation;
}

/** Why the chain rule of a recorded step cannot be shown (a field the recorder could not know), or undefined. */
export function recordedChainProblem(record: StepRecord, target: ParameterTarget): string | undefined {
  const needed = ['input', 'z', 'localGrad', 'upstream', 'delta', 'gradWeights', 'gradBias'] as const;
  for (let k = target.layer; k < record.layers.length; k++) {
    const missing = needed.find((field) => record.layers[k][field] === undefined);
    if (missing) return `${tensorName(k, missing)} is not in step ${record.step}`;
  }
  return undefined;
}

/**
 * The chain rule of a recorded step (a trace file) from its own numbers: f′, ∂J/∂a, δ, the
 * weights and inputs as recorded, nothing recomputed. The loss and the regularization are not in
 * a trace, so the factors are ∂J/∂a · f′ at the output, the product is the loss-function part and
 * the total is the recorded gradient; there is no finite-difference check (it would need the
 * model and its data), which the notes say. Throws recordedChainProblem's reason when a field is missing.
 */
export function explainRecordedStep(record: StepRecord, target: ParameterTarget): ChainRuleExplanation {
  checkTarget(record.layers, target);
  const problem = recordedChainProblem(record, target);
  if (problem) throw new Error(problem);
  // recordedChainProblem has checked that every field a ChainLayer needs is there.
  const layers = record.layers.map((layer) => layer as ChainLayer);
  const notes = [note(NOTE_TEXTS.recordedTrace)];
  if ((record.regLoss ?? 0) !== 0) notes.push(note(NOTE_TEXTS.recordedRegularization, String(record.regLoss)));
  const explanation = explainValues(layers, record.layers[target.layer].rows, target, { loss: null, regularization: null, notes });
  // ∂J/∂θ is the recorded gradient: J may hold terms the trace does not name (the notes say so).
  explanation.total = explanation.engineGradient;
  return explanation;
}

/**
 * The factors ∂J/∂z of output unit m is made of: ∂J/∂a · f′(z) for an elementwise activation,
 * the combined p − t for softmax + cross-entropy and sigmoid + binary cross-entropy (the split
 * form divides by p(1 − p), which is 0 when the sigmoid saturates), and Σ_k ∂J/∂a_k ∂a_k/∂z_m
 * for softmax with mse or mae (or with a loss not known, as in a recorded trace).
 */
function outputFactors(layers: ChainLayer[], l: number, rows: number, m: number, context: ChainContext): ChainFactor[] {
  const layer = layers[l];
  const { loss, notes } = context;
  const units = layer.units;
  const zm = quantity('z', l, m);
  const am = quantity('a', l, m);
  if (loss && REQUIRED_OUTPUT_ACTIVATION[loss] === layer.activation) {
    notes.push(note(NOTE_TEXTS.combinedOutput, layer.activation, loss));
    return [factor('output-delta', partial(J, zm), FACTOR_NAMES['output-delta'], l, m, column(layer.delta, rows, units, m), true)];
  }
  if (layer.activation === 'softmax') {
    const jacobian = layer.localGrad;
    const terms: SumTerm[] = [];
    for (let k = 0; k < units; k++) {
      const right = new Array<number>(rows);
      for (let r = 0; r < rows; r++) right[r] = jacobian[r * units * units + k * units + m];
      terms.push(sumTerm(k, column(layer.upstream, rows, units, k), right));
    }
    const f = factor('output-delta', partial(J, zm), FACTOR_NAMES['output-delta'], l, m, column(layer.delta, rows, units, m), true);
    f.sum = { leftSymbol: `∂J/∂a${sup(l + 1)}_k`, rightSymbol: `∂a${sup(l + 1)}_k/∂z${sup(l + 1)}${sub(m + 1)}`, terms };
    return [f];
  }
  if (loss === 'mae') {
    notes.push(note(NOTE_TEXTS.maeKink));
  }
  noteBrokenDerivative(layer, l, notes);
  noteKinks(layer.activation, column(layer.z, rows, units, m), notes);
  return [
    factor('loss-gradient', partial(J, am), FACTOR_NAMES['loss-gradient'], l, m, column(layer.upstream, rows, units, m), true),
    factor('activation-gradient', partial(am, zm), FACTOR_NAMES['activation-gradient'], l, m, column(layer.localGrad, rows, units, m), true),
  ];
}

/** The factor f′ shown is the broken one backward used; the finite difference is not fooled. */
function noteBrokenDerivative(layer: ChainLayer, l: number, notes: ExplanationNote[]): void {
  if (!layer.brokenDerivative) return;
  const { wrong, right } = BROKEN_DERIVATIVES[layer.brokenDerivative];
  notes.push(note(NOTE_TEXTS.brokenDerivative, String(l + 1), wrong, right));
}

function noteKinks(activation: string, z: number[], notes: ExplanationNote[]): void {
  if (!z.some((v) => v === 0)) return;
  if (activation === 'relu') notes.push(note(NOTE_TEXTS.reluKink));
  if (activation === 'leaky-relu') notes.push(note(NOTE_TEXTS.leakyReluKink));
}

function checkTarget(layers: readonly { units: number; inputs: number }[], target: ParameterTarget): void {
  const layer = layers[target.layer];
  if (!Number.isInteger(target.layer) || !layer) {
    throw new Error(`layer ${target.layer} does not exist: the network has layers 0..${layers.length - 1}`);
  }
  if (!Number.isInteger(target.out) || target.out < 0 || target.out >= layer.units) {
    throw new Error(`layers[${target.layer}] has units 0..${layer.units - 1}, not ${target.out}`);
  }
  if (target.kind === 'weight' && (!Number.isInteger(target.in) || target.in < 0 || target.in >= layer.inputs)) {
    throw new Error(`layers[${target.layer}] has inputs 0..${layer.inputs - 1}, not ${target.in}`);
  }
}
