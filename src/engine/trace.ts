// StepRecord (flat typed arrays, cheap to record) → StepTrace (nested number arrays, the public
// contract of DESIGN.md §3). Only completed steps convert: every field of the contract must be
// present, so a half-done record is reported instead of being padded with guesses.
import type { LayerRecord, LayerTrace, StepRecord, StepTrace } from './types';
import { type LayerFieldName, layerFieldShape, tensorName } from './layerFields';

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

/** A flat row-major tensor as nested arrays of `shape` (one, two or three axes). */
function nest(flat: Float64Array, shape: readonly number[]): number[] | number[][] | number[][][] {
  if (shape.length === 1) return Array.from(flat);
  if (shape.length === 2) return toMatrix(flat, shape[0], shape[1]);
  return toCube(flat, shape[0], shape[1]);
}

/** f′ as rows × units, or a softmax layer's Jacobians as rows × units × units (the field table's shape). */
export function toLocalGrad(layer: LayerRecord, flat: Float64Array): number[][] | number[][][] {
  return nest(flat, layerFieldShape(layer, 'localGrad')) as number[][] | number[][][];
}

function required<T>(value: T | undefined, what: string, step: number): T {
  if (value === undefined) throw new Error(`step ${step} is not complete yet: ${what} has not been computed`);
  return value;
}

export function toLayerTrace(layer: LayerRecord, step: number): LayerTrace {
  // Each field nested by the shape the field table gives it; a field not computed yet is reported.
  const value = (field: LayerFieldName) => nest(required(layer[field], tensorName(layer.index, field), step), layerFieldShape(layer, field));
  const matrix = (field: LayerFieldName) => value(field) as number[][];
  const vector = (field: LayerFieldName) => value(field) as number[];
  return {
    index: layer.index,
    units: layer.units,
    activation: layer.activation,
    input: matrix('input'),
    z: matrix('z'),
    a: matrix('a'),
    localGrad: value('localGrad') as number[][] | number[][][],
    upstream: matrix('upstream'),
    delta: matrix('delta'),
    weights: matrix('weights'),
    bias: vector('bias'),
    gradWeights: matrix('gradWeights'),
    gradBias: vector('gradBias'),
    update: { weights: matrix('updateWeights'), bias: vector('updateBias') },
    weightsAfter: matrix('weightsAfter'),
    biasAfter: vector('biasAfter'),
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
