// The chain rule for one parameter, factor by factor, as the lecture writes it:
//   ∂J/∂w = ∂J/∂y · ∂y/∂n · ∂n/∂h_m · ∂h_m/∂n_m · ∂n_m/∂w      (2-layer net, one output)
// and in general through the delta recursion δˡ_m = f′(zˡ_m) · Σ_k W⁽ˡ⁺¹⁾_km δ⁽ˡ⁺¹⁾_k.
//
// Conventions of the returned values:
//  - Per-sample values are of sample i's own loss term ℓᵢ (J = (1/N) Σᵢ ℓᵢ), so the factors carry
//    no 1/N and the data gradient is the MEAN over samples of the per-sample product — the
//    lecture's (1/N) Σᵢ 2(y − t) · … . (The trace's upstream and delta include the 1/N.)
//  - Numeric fields (layer, unit, input) are 0-based like the trace; symbols are 1-based like
//    the lecture: layer l of the network is superscript l+1, unit m is subscript m+1.
//  - Weights are stored [out][in]: W[l][m][n] is the lecture's w_nm (from input n to unit m).
import type { ActivationName, LossName, StepRecord } from './types';
import type { LossSpec, Regularization } from './losses';
import { REQUIRED_OUTPUT_ACTIVATION, normalizeRegularization } from './losses';
import { BROKEN_DERIVATIVES } from './activations';
import { type Batch, type GradientCheckEntry, checkParameter } from './gradientCheck';
import { type DenseLayer, type Network, backwardLayer, forward, outputLoss } from './network';

export interface Localized {
  en: string;
  ko: string;
}

/** Which parameter: W[layer][out][in] or b[layer][out] (all 0-based). */
export type ParameterTarget =
  | { layer: number; kind: 'weight'; out: number; in: number }
  | { layer: number; kind: 'bias'; out: number };

export type FactorRole =
  | 'loss-gradient' // ∂J/∂a of an output unit
  | 'activation-gradient' // f′(z) of the unit
  | 'output-delta' // ∂J/∂z of an output unit, computed without splitting (softmax/sigmoid pairs, softmax Jacobian)
  | 'delta-above' // δ of the single unit of the layer above
  | 'weight-above' // W⁽ˡ⁺¹⁾_km, the weight from this unit to the unit above
  | 'backprop-sum' // Σ_k W⁽ˡ⁺¹⁾_km δ⁽ˡ⁺¹⁾_k: ∂J/∂a of this unit
  | 'delta' // ∂J/∂z of this unit as a whole (a hidden softmax layer)
  | 'input'; // ∂z_m/∂w_nm = input n, or ∂z_m/∂b_m = 1

/** One term k of a sum factor: left[i] · right[i] per sample i, and their mean. */
export interface SumTerm {
  unit: number; // k, 0-based, in the layer the sum runs over
  left: number[];
  right: number[];
  product: number[];
  mean: number;
}

function sumTerm(unit: number, left: number[], right: number[]): SumTerm {
  const product = left.map((value, i) => value * right[i]);
  return { unit, left, right, product, mean: product.reduce((a, b) => a + b, 0) / product.length };
}

export interface ChainFactor {
  role: FactorRole;
  symbol: string; // plain Unicode, e.g. "∂J/∂a²₁"
  latex: string; // the same for a TeX renderer
  name: Localized;
  layer: number; // where the quantity lives (0-based)
  unit: number; // 0-based unit in that layer (the input index for role 'input')
  perSample: number[]; // value for each sample of the batch, in batch order
  mean: number; // (1/N) Σᵢ perSample[i]
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
  /** ∂J/∂z of the unit: the part shared by all its parameters ("공통 부분은 한번만 계산"). */
  sharedDelta: { symbol: string; latex: string; perSample: number[]; mean: number };
  /** Π factors per sample, and their mean: the data part of ∂J/∂θ. */
  product: { perSample: number[]; mean: number };
  /** The regularization term added to a weight's gradient (λ1·sign(w) + 2λ2·w); null for biases or no regularization. */
  regularization: { l1: number; l2: number; value: number; symbol: string; latex: string } | null;
  /** product.mean + regularization: equals the engine's gradWeights/gradBias (for a recorded trace: the recorded gradient). */
  total: number;
  /** The engine's own backpropagated gradient for the same parameter (a trace's recorded one), for comparison. */
  engineGradient: number;
  finiteDifference?: GradientCheckEntry;
  notes: Localized[];
}

const SUPERSCRIPT = '⁰¹²³⁴⁵⁶⁷⁸⁹';
const SUBSCRIPT = '₀₁₂₃₄₅₆₇₈₉';
const sup = (n: number): string => String(n).replace(/\d/g, (d) => SUPERSCRIPT[Number(d)]);
const sub = (n: number): string => String(n).replace(/\d/g, (d) => SUBSCRIPT[Number(d)]);

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

const mean = (values: number[]): number => values.reduce((s, v) => s + v, 0) / values.length;

function factor(
  role: FactorRole, text: { symbol: string; latex: string }, name: Localized,
  layer: number, unit: number, perSample: number[], computedOnce: boolean,
): ChainFactor {
  return { role, ...text, name, layer, unit, perSample, mean: mean(perSample), computedOnce };
}

const NAMES: Record<FactorRole, Localized> = {
  'loss-gradient': { en: 'loss gradient at the output', ko: '출력에 대한 손실의 기울기' },
  'activation-gradient': { en: 'activation derivative (local gradient)', ko: '활성화 함수의 미분 (지역 기울기)' },
  'output-delta': { en: 'output delta, loss and activation taken together', ko: '출력 델타 (손실과 활성화를 함께 미분)' },
  'delta-above': { en: 'delta of the unit above (computed once)', ko: '위 층 유닛의 델타 (한 번만 계산)' },
  'weight-above': { en: 'weight from this unit to the unit above', ko: '이 유닛에서 위 층 유닛으로 가는 가중치' },
  'backprop-sum': { en: 'gradient arriving at this unit: sum over the units above', ko: '이 유닛에 전달된 기울기: 위 층 유닛들에 대한 합' },
  delta: { en: 'delta of this unit', ko: '이 유닛의 델타' },
  input: { en: 'input carried by this weight', ko: '이 가중치로 들어오는 입력' },
};
const BIAS_INPUT_NAME: Localized = { en: 'derivative of z with respect to the bias (always 1)', ko: '편향에 대한 z의 미분 (항상 1)' };

function column(values: Float64Array, rows: number, width: number, index: number, scale = 1): number[] {
  const out = new Array<number>(rows);
  for (let r = 0; r < rows; r++) out[r] = values[r * width + index] * scale;
  return out;
}

/**
 * One layer's numbers on one batch, as a step record holds them: what the chain rule reads. The
 * engine's explanation computes them; a recorded trace has them.
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
  upstream: Float64Array; // rows × units ∂J/∂a (with the 1/N of the batch mean)
  delta: Float64Array; // rows × units ∂J/∂z
  gradWeights: Float64Array;
  gradBias: Float64Array;
  brokenDerivative?: DenseLayer['brokenDerivative'];
}

/** What is known besides the numbers: the loss and regularization (unknown for a recorded trace). */
interface ChainContext {
  loss: LossName | null;
  regularization: Regularization | null;
  notes: Localized[];
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
  const { rows } = batch;
  const L = net.layers.length;
  const passes = forward(net, batch.x, rows);
  const out = outputLoss(net, lossSpec, passes[L - 1], batch.y);
  const regularization = normalizeRegularization(lossSpec.regularization);

  // Backward through the layers above the parameter's and its own, keeping each layer's numbers.
  const layers: ChainLayer[] = new Array(L);
  let upstream = out.upstream;
  for (let k = L - 1; k >= target.layer; k--) {
    const layer = net.layers[k];
    const back = backwardLayer(layer, passes[k], upstream, {
      delta: k === L - 1 ? out.delta : undefined, regularization, downstream: k > 0, recordLocalGrad: true,
    });
    layers[k] = { ...layer, input: passes[k].input, z: passes[k].z, upstream, delta: back.delta, localGrad: back.localGrad!, gradWeights: back.gradWeights, gradBias: back.gradBias };
    if (back.downstream) upstream = back.downstream;
  }
  const context: ChainContext = { loss: lossSpec.loss, regularization, notes: [] };
  const explanation = explainValues(layers, rows, target, context);
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
    if (missing) return `layers[${k}].${missing} is not in step ${record.step}`;
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
  const layers = record.layers.map((layer) => layer as ChainLayer);
  const notes: Localized[] = [{
    en: 'From a recorded trace: every factor is a recorded number. The finite-difference check is not available here: it needs the model and its data to evaluate J again.',
    ko: '기록된 트레이스에서 읽었습니다: 모든 인자가 기록된 값입니다. 유한 차분 검사는 여기서 할 수 없습니다: J를 다시 계산하려면 모델과 데이터가 필요합니다.',
  }];
  if ((record.regLoss ?? 0) !== 0) {
    notes.push({
      en: `J of this step has a regularization part (${record.regLoss}); the recorded gradient includes its derivative, the product of the factors is the loss-function part only.`,
      ko: `이 단계의 J에는 정규화 항(${record.regLoss})이 있습니다. 기록된 기울기에는 그 미분이 포함되고, 인자들의 곱은 손실 함수 부분만입니다.`,
    });
  }
  const explanation = explainValues(layers, record.layers[target.layer].rows, target, { loss: null, regularization: null, notes });
  // ∂J/∂θ is the recorded gradient: J may hold terms the trace does not name (the notes say so).
  explanation.total = explanation.engineGradient;
  return explanation;
}

function explainValues(layers: ChainLayer[], rows: number, target: ParameterTarget, context: ChainContext): ChainRuleExplanation {
  const L = layers.length;
  const l = target.layer;
  const m = target.out;
  const layer = layers[l];
  const N = rows;
  const notes = context.notes;
  const factors: ChainFactor[] = [];
  const zm = quantity('z', l, m);
  const am = quantity('a', l, m);

  if (l === L - 1) {
    factors.push(...outputFactors(layers, l, context.loss, rows, m, notes));
  } else {
    const upper = layers[l + 1];
    const isOutput = l + 1 === L - 1;
    if (layer.activation === 'softmax') {
      factors.push(factor('delta', partial(J, zm), NAMES.delta, l, m, column(layer.delta, rows, layer.units, m, N), true));
    } else {
      if (upper.units === 1) {
        const zk = quantity('z', l + 1, 0);
        if (isOutput) {
          factors.push(...outputFactors(layers, l + 1, context.loss, rows, 0, notes));
        } else {
          factors.push(factor('delta-above', partial(J, zk), NAMES['delta-above'], l + 1, 0, column(upper.delta, rows, 1, 0, N), true));
        }
        const w = upper.weights[m];
        factors.push(factor('weight-above', partial(zk, am), NAMES['weight-above'], l + 1, 0, new Array(rows).fill(w), true));
      } else {
        const terms: SumTerm[] = [];
        for (let k = 0; k < upper.units; k++) {
          terms.push(sumTerm(k, new Array(rows).fill(upper.weights[k * upper.inputs + m]), column(upper.delta, rows, upper.units, k, N)));
        }
        const perSample = column(layer.upstream, rows, layer.units, m, N);
        const sumFactor = factor('backprop-sum', partial(J, am), NAMES['backprop-sum'], l, m, perSample, true);
        sumFactor.sum = {
          leftSymbol: `W${sup(l + 2)}_k${sub(m + 1)}`,
          rightSymbol: `∂J/∂z${sup(l + 2)}_k`,
          terms,
        };
        factors.push(sumFactor);
      }
      noteBrokenDerivative(layer, l, notes);
      factors.push(factor('activation-gradient', partial(am, zm), NAMES['activation-gradient'], l, m, column(layer.localGrad, rows, layer.units, m), true));
      noteKinks(layer.activation, column(layer.z, rows, layer.units, m), notes);
    }
  }

  // The last factor: ∂z_m/∂w_nm = input_n, or ∂z_m/∂b_m = 1.
  let paramSymbol: { text: string; tex: string };
  if (target.kind === 'weight') {
    const n = target.in;
    paramSymbol = { text: `w${sup(l + 1)}${sub(n + 1)}${sub(m + 1)}`, tex: `w^{(${l + 1})}_{${n + 1}${m + 1}}` };
    factors.push(factor('input', partial(zm, paramSymbol), NAMES.input, l - 1, n, column(layer.input, rows, layer.inputs, n), false));
  } else {
    paramSymbol = { text: `b${sup(l + 1)}${sub(m + 1)}`, tex: `b^{(${l + 1})}_{${m + 1}}` };
    factors.push(factor('input', partial(zm, paramSymbol), BIAS_INPUT_NAME, l, m, new Array(rows).fill(1), false));
  }

  const productPerSample = new Array<number>(rows);
  for (let r = 0; r < rows; r++) productPerSample[r] = factors.reduce((p, f) => p * f.perSample[r], 1);
  const dataGradient = mean(productPerSample);

  const value = target.kind === 'weight'
    ? layer.weights[m * layer.inputs + target.in]
    : layer.bias[m];
  const regularization = context.regularization;
  let reg: ChainRuleExplanation['regularization'] = null;
  if (target.kind === 'weight' && regularization && (regularization.l1 !== 0 || regularization.l2 !== 0)) {
    const signW = value > 0 ? 1 : value < 0 ? -1 : 0;
    reg = {
      l1: regularization.l1, l2: regularization.l2,
      value: regularization.l1 * signW + 2 * regularization.l2 * value,
      symbol: `λ₁·sign(${paramSymbol.text}) + 2λ₂·${paramSymbol.text}`,
      latex: `\\lambda_1 \\operatorname{sign}(${paramSymbol.tex}) + 2\\lambda_2 ${paramSymbol.tex}`,
    };
  }
  const engineGradient = target.kind === 'weight'
    ? layer.gradWeights[m * layer.inputs + target.in]
    : layer.gradBias[m];

  const sharedDelta = column(layer.delta, rows, layer.units, m, N);
  const name = target.kind === 'weight'
    ? `layers[${l}].weights[${m}][${target.in}]`
    : `layers[${l}].bias[${m}]`;
  return {
    parameter: { name, symbol: paramSymbol.text, latex: paramSymbol.tex, target, value },
    loss: context.loss,
    rows,
    factors,
    sharedDelta: { ...partial(J, zm), perSample: sharedDelta, mean: mean(sharedDelta) },
    product: { perSample: productPerSample, mean: dataGradient },
    regularization: reg,
    total: dataGradient + (reg ? reg.value : 0),
    engineGradient,
    notes,
  };
}

/**
 * The factors ∂J/∂z of output unit m is made of: ∂J/∂a · f′(z) for an elementwise activation,
 * the combined p − t for softmax + cross-entropy and sigmoid + binary cross-entropy (the split
 * form divides by p(1 − p), which is 0 when the sigmoid saturates), and Σ_k ∂J/∂a_k ∂a_k/∂z_m
 * for softmax with mse or mae (or with a loss not known, as in a recorded trace).
 */
function outputFactors(layers: ChainLayer[], l: number, loss: LossName | null, rows: number, m: number, notes: Localized[]): ChainFactor[] {
  const layer = layers[l];
  const units = layer.units;
  const N = rows;
  const zm = quantity('z', l, m);
  const am = quantity('a', l, m);
  if (loss && REQUIRED_OUTPUT_ACTIVATION[loss] === layer.activation) {
    notes.push({
      en: `With ${layer.activation} and ${loss}, ∂J/∂z = p − t per sample: the loss gradient and the activation derivative are combined, which stays finite where ∂J/∂a would be infinite.`,
      ko: `${layer.activation}와 ${loss}를 함께 쓰면 샘플마다 ∂J/∂z = p − t입니다. 손실의 기울기와 활성화 함수의 미분을 합쳐 계산하므로 ∂J/∂a가 무한대가 되는 곳에서도 유한합니다.`,
    });
    return [factor('output-delta', partial(J, zm), NAMES['output-delta'], l, m, column(layer.delta, rows, units, m, N), true)];
  }
  if (layer.activation === 'softmax') {
    const jacobian = layer.localGrad;
    const terms: SumTerm[] = [];
    for (let k = 0; k < units; k++) {
      const right = new Array<number>(rows);
      for (let r = 0; r < rows; r++) right[r] = jacobian[r * units * units + k * units + m];
      terms.push(sumTerm(k, column(layer.upstream, rows, units, k, N), right));
    }
    const f = factor('output-delta', partial(J, zm), NAMES['output-delta'], l, m, column(layer.delta, rows, units, m, N), true);
    f.sum = { leftSymbol: `∂J/∂a${sup(l + 1)}_k`, rightSymbol: `∂a${sup(l + 1)}_k/∂z${sup(l + 1)}${sub(m + 1)}`, terms };
    return [f];
  }
  if (loss === 'mae') {
    notes.push({ en: '|x|′(0) is taken as 0 (as PyTorch).', ko: '|x|′(0)은 0으로 둡니다 (PyTorch와 같음).' });
  }
  noteBrokenDerivative(layer, l, notes);
  noteKinks(layer.activation, column(layer.z, rows, units, m), notes);
  return [
    factor('loss-gradient', partial(J, am), NAMES['loss-gradient'], l, m, column(layer.upstream, rows, units, m, N), true),
    factor('activation-gradient', partial(am, zm), NAMES['activation-gradient'], l, m, column(layer.localGrad, rows, units, m), true),
  ];
}

/** The factor f′ shown is the broken one backward used; the finite difference is not fooled. */
function noteBrokenDerivative(layer: ChainLayer, l: number, notes: Localized[]): void {
  if (!layer.brokenDerivative) return;
  const { wrong, right } = BROKEN_DERIVATIVES[layer.brokenDerivative];
  notes.push({
    en: `Layer ${l + 1}'s derivative is deliberately broken: backward uses ${wrong} instead of ${right}, so this gradient is wrong and the finite difference disagrees with it.`,
    ko: `${l + 1}층의 도함수를 일부러 틀리게 했습니다: 역전파가 ${right} 대신 ${wrong}를 쓰므로 이 기울기는 틀렸고 유한 차분과 맞지 않습니다.`,
  });
}

function noteKinks(activation: string, z: number[], notes: Localized[]): void {
  if (!z.some((v) => v === 0)) return;
  if (activation === 'relu') notes.push({ en: 'z = 0 in this batch: ReLU′(0) is taken as 0 (as PyTorch).', ko: '이 배치에 z = 0이 있습니다: ReLU′(0)은 0으로 둡니다 (PyTorch와 같음).' });
  if (activation === 'leaky-relu') notes.push({ en: 'z = 0 in this batch: leaky ReLU′(0) is taken as the slope (as PyTorch).', ko: '이 배치에 z = 0이 있습니다: Leaky ReLU′(0)은 기울기 값으로 둡니다 (PyTorch와 같음).' });
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
