// Training stops at the operation that first produced NaN or ±Infinity (issue 2, item 8), and
// says where: step, phase, layer, unit (and the batch row or input when they apply). Watched:
// every tensor an operation makes, the losses before and after the update, the regularization
// penalty (named down to the weight whose term overflows it) and the state the optimizer carries
// to the next step (an overflowed Adam v freezes training with every weight still finite).
import type { Phase } from './types';
import type { Network } from './network';
import { type Regularization, regularizationLoss } from './losses';
import type { CarriedState } from './optimizers/optimizer';

export type WatchedQuantity =
  | 'z' | 'a' | 'loss' | 'dataLoss' | 'regLoss' | 'lossAfter' | 'delta' | 'gradWeights' | 'gradBias' | 'weights' | 'bias' | 'optimizerState';

export interface NonFiniteDetail {
  step: number; // 1-based step in which it happened
  epoch: number;
  phase: Phase;
  layer: number; // 0-based, as layers[...] in the model file (the output layer for the data loss)
  quantity: WatchedQuantity;
  value: number; // NaN, Infinity or -Infinity
  unit?: number; // 0-based unit of the layer (row of W for weights)
  row?: number; // 0-based row of the batch (forward, backward)
  sample?: number; // that row's position in the training split
  input?: number; // 0-based column of W (weights, gradWeights, regLoss, optimizer state of W)
  /** For optimizerState: the state's name (v, velocity, …) and the parameter it belongs to, if one. */
  state?: string;
  parameter?: 'weights' | 'bias';
}

/** Where in training a watch looks: the step and epoch in progress and the operation just run. */
export interface WatchPlace {
  step: number;
  epoch: number;
  phase: Phase;
}

export function describePhase(phase: Phase): string {
  switch (phase.kind) {
    case 'forward':
      return `forward of layers[${phase.layer}]`;
    case 'backward':
      return `backward of layers[${phase.layer}]`;
    case 'loss':
      return 'loss';
    case 'update':
      return 'update';
  }
}

export function describeValue(value: number): string {
  return Number.isNaN(value) ? 'NaN' : value > 0 ? 'Infinity' : '-Infinity';
}

/** The quantities that belong to the whole batch, not to one layer. */
const WHOLE_BATCH: readonly WatchedQuantity[] = ['loss', 'dataLoss', 'lossAfter'];

export class NonFiniteError extends Error {
  constructor(readonly detail: NonFiniteDetail) {
    super(NonFiniteError.describe(detail));
    this.name = 'NonFiniteError';
  }

  static describe(d: NonFiniteDetail): string {
    const where: string[] = [];
    if (d.unit !== undefined) where.push(`unit ${d.unit}`);
    if (d.input !== undefined) where.push(`input ${d.input}`);
    if (d.row !== undefined) where.push(`batch row ${d.row} (training sample ${d.sample})`);
    const what = d.quantity === 'optimizerState' ? `optimizer state ${d.state}` : d.quantity;
    const place = WHOLE_BATCH.includes(d.quantity) ? '' : ` of layers[${d.layer}]${d.parameter ? `.${d.parameter}` : ''}`;
    return (
      `training stopped at step ${d.step} (epoch ${d.epoch}), ${describePhase(d.phase)}: ` +
      `${what}${place} is ${describeValue(d.value)}${where.length ? ' at ' + where.join(', ') : ''}. ` +
      'Try a smaller learning rate or regularization, a different initialization or inputs on a smaller scale.'
    );
  }
}

/** Index of the first NaN or ±Infinity in `values`, or −1. */
export function firstNonFinite(values: Float64Array): number {
  for (let i = 0; i < values.length; i++) {
    // v − v is 0 for every finite v and NaN for NaN and ±Infinity: one test instead of two.
    const v = values[i];
    if (v - v !== 0) return i;
  }
  return -1;
}

// ---- the watches: each returns where the first non-finite value is, or undefined

/** rows × units arrays (z, a, δ): names the batch row and the unit. */
export function watchRows(
  at: WatchPlace, net: Network, layer: number, quantity: WatchedQuantity, values: Float64Array, batch: readonly number[],
): NonFiniteDetail | undefined {
  const i = firstNonFinite(values);
  if (i < 0) return undefined;
  const units = net.layers[layer].units;
  const row = Math.floor(i / units);
  return { ...at, layer, quantity, value: values[i], unit: i % units, row, sample: batch[row] };
}

/** A layer's W-shaped (units × inputs) or b-shaped (per unit) array: names the unit and the input. */
export function watchParameter(
  at: WatchPlace, net: Network, layer: number, quantity: WatchedQuantity, values: Float64Array,
): NonFiniteDetail | undefined {
  const i = firstNonFinite(values);
  if (i < 0) return undefined;
  return { ...at, layer, quantity, value: values[i], ...elementOf(net, layer, values.length, i) };
}

/** A loss that covers the whole batch (J, J_data, J after the update), with the batch row whose term broke it if known. */
export function watchLoss(
  at: WatchPlace, net: Network, quantity: WatchedQuantity, value: number, perSample?: Float64Array, batch?: readonly number[],
): NonFiniteDetail | undefined {
  if (Number.isFinite(value)) return undefined;
  const row = perSample ? firstNonFinite(perSample) : -1;
  return { ...at, layer: net.layers.length - 1, quantity, value, ...(row >= 0 ? { row, sample: batch?.[row] } : {}) };
}

/**
 * The regularization loss λ₁Σ|w| + λ₂Σw² over every layer's W: when it is not finite, names the
 * weight at which the sum, taken layer by layer in W's row-major order, stops being finite.
 */
export function watchPenalty(at: WatchPlace, net: Network, reg: Regularization, regLoss: number): NonFiniteDetail | undefined {
  if (Number.isFinite(regLoss)) return undefined;
  let before = 0;
  for (let l = 0; l < net.layers.length; l++) {
    const weights = net.layers[l].weights;
    const through = (k: number) => before + regularizationLoss(weights.subarray(0, k + 1), reg);
    if (Number.isFinite(through(weights.length - 1))) {
      before = through(weights.length - 1);
      continue;
    }
    // The partial sums only grow (every term is ≥ 0), so the first non-finite one is found by halving.
    let low = 0;
    let high = weights.length - 1;
    while (low < high) {
      const mid = (low + high) >> 1;
      if (Number.isFinite(through(mid))) low = mid + 1;
      else high = mid;
    }
    return { ...at, layer: l, quantity: 'regLoss', value: regLoss, ...elementOf(net, l, weights.length, low) };
  }
  return { ...at, layer: net.layers.length - 1, quantity: 'regLoss', value: regLoss };
}

/** The optimizer's carried state, named down to the parameter element where it has one. */
export function watchOptimizerState(at: WatchPlace, net: Network, carried: readonly CarriedState[]): NonFiniteDetail | undefined {
  for (const state of carried) {
    const found = locateState(net, state);
    if (found) return { ...at, quantity: 'optimizerState', state: state.name, ...found };
  }
  return undefined;
}

function locateState(net: Network, state: CarriedState): Omit<NonFiniteDetail, keyof WatchPlace | 'quantity' | 'state'> | undefined {
  if ('scalar' in state) return Number.isFinite(state.scalar) ? undefined : { layer: net.layers.length - 1, value: state.scalar };
  const arrays = 'flat' in state ? splitByParameter(net, state.flat) : state.perParameter;
  for (let p = 0; p < arrays.length; p++) {
    const i = firstNonFinite(arrays[p]);
    if (i < 0) continue;
    const layer = p >> 1;
    return { layer, value: arrays[p][i], parameter: p % 2 === 0 ? 'weights' : 'bias', ...elementOf(net, layer, arrays[p].length, i) };
  }
  return undefined;
}

/** Views of a flat all-parameter array, one per parameter in parameters() order (W₀, b₀, W₁, b₁, …). */
function splitByParameter(net: Network, flat: Float64Array): Float64Array[] {
  const views: Float64Array[] = [];
  let offset = 0;
  for (const layer of net.layers) {
    for (const length of [layer.weights.length, layer.bias.length]) {
      views.push(flat.subarray(offset, offset + length));
      offset += length;
    }
  }
  return views;
}

/** Unit (and input, for a W-shaped array) of element `i` of a layer's parameter-shaped array of `length`. */
function elementOf(net: Network, layer: number, length: number, i: number): { unit: number; input?: number } {
  const { units, inputs } = net.layers[layer];
  return length === units ? { unit: i } : { unit: Math.floor(i / inputs), input: i % inputs };
}
