// StepRecord (flat typed arrays, cheap to record) → StepTrace (nested number arrays, the public
// contract of DESIGN.md §3). Only completed steps convert: every field of the contract must be
// present, so a half-done record is reported instead of being padded with guesses.
import type { LayerRecord, LayerTrace, StepRecord, StepTrace } from './types';

/** Row-major rows × cols → number[rows][cols]. */
export function toMatrix(flat: Float64Array, rows: number, cols: number): number[][] {
  const out: number[][] = new Array(rows);
  for (let r = 0; r < rows; r++) out[r] = Array.from(flat.subarray(r * cols, (r + 1) * cols));
  return out;
}

/** Row-major rows × n × n → number[rows][n][n] (softmax Jacobians). */
export function toCube(flat: Float64Array, rows: number, n: number): number[][][] {
  const out: number[][][] = new Array(rows);
  for (let r = 0; r < rows; r++) out[r] = toMatrix(flat.subarray(r * n * n, (r + 1) * n * n), n, n);
  return out;
}

/** Typed arrays inside an optimizer report become plain arrays, so the trace is plain JSON data. */
export function toPlainData(value: unknown): unknown {
  if (ArrayBuffer.isView(value)) return Array.from(value as unknown as ArrayLike<number>);
  if (Array.isArray(value)) return value.map(toPlainData);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) out[key] = toPlainData(item);
    return out;
  }
  return value;
}

/** f′ as rows × units, or a softmax layer's Jacobians as rows × units × units. */
export function toLocalGrad(layer: LayerRecord, flat: Float64Array): number[][] | number[][][] {
  return layer.activation === 'softmax' ? toCube(flat, layer.rows, layer.units) : toMatrix(flat, layer.rows, layer.units);
}

function required<T>(value: T | undefined, what: string, step: number): T {
  if (value === undefined) throw new Error(`step ${step} is not complete yet: ${what} has not been computed`);
  return value;
}

export function toLayerTrace(layer: LayerRecord, step: number): LayerTrace {
  const { rows, units, inputs } = layer;
  const need = <T>(value: T | undefined, field: string) => required(value, `layers[${layer.index}].${field}`, step);
  return {
    index: layer.index,
    units,
    activation: layer.activation,
    input: toMatrix(need(layer.input, 'input'), rows, inputs),
    z: toMatrix(need(layer.z, 'z'), rows, units),
    a: toMatrix(need(layer.a, 'a'), rows, units),
    localGrad: toLocalGrad(layer, need(layer.localGrad, 'localGrad')),
    upstream: toMatrix(need(layer.upstream, 'upstream'), rows, units),
    delta: toMatrix(need(layer.delta, 'delta'), rows, units),
    weights: toMatrix(layer.weights, units, inputs),
    bias: Array.from(layer.bias),
    gradWeights: toMatrix(need(layer.gradWeights, 'gradWeights'), units, inputs),
    gradBias: Array.from(need(layer.gradBias, 'gradBias')),
    update: {
      weights: toMatrix(need(layer.updateWeights, 'update.weights'), units, inputs),
      bias: Array.from(need(layer.updateBias, 'update.bias')),
    },
    weightsAfter: toMatrix(need(layer.weightsAfter, 'weightsAfter'), units, inputs),
    biasAfter: Array.from(need(layer.biasAfter, 'biasAfter')),
  };
}

/** The DESIGN.md §3 StepTrace of a completed step, with keys in the contract's order. */
export function toStepTrace(record: StepRecord): StepTrace {
  const need = <T>(value: T | undefined, field: string) => required(value, field, record.step);
  const optimizer = need(record.optimizer, 'optimizer');
  return {
    step: record.step,
    epoch: record.epoch,
    batch: record.batch.slice(),
    loss: need(record.loss, 'loss'),
    dataLoss: need(record.dataLoss, 'dataLoss'),
    regLoss: need(record.regLoss, 'regLoss'),
    lossAfter: need(record.lossAfter, 'lossAfter'),
    layers: record.layers.map((layer) => toLayerTrace(layer, record.step)),
    optimizer: { type: optimizer.type, state: toPlainData(optimizer.state) as Record<string, unknown> },
  };
}
