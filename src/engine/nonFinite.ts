// Training stops at the operation that first produced NaN or ±Infinity (issue 2, item 8), and
// says where: step, phase, layer, unit (and the batch row or input when they apply).
import type { Phase } from './types';

export type WatchedQuantity = 'z' | 'a' | 'loss' | 'dataLoss' | 'regLoss' | 'delta' | 'gradWeights' | 'gradBias' | 'weights' | 'bias';

export interface NonFiniteDetail {
  step: number; // 1-based step in which it happened
  epoch: number;
  phase: Phase;
  layer: number; // 0-based, as layers[...] in the model file (the output layer for the loss)
  quantity: WatchedQuantity;
  value: number; // NaN, Infinity or -Infinity
  unit?: number; // 0-based unit of the layer (row of W for weights)
  row?: number; // 0-based row of the batch (forward, backward)
  sample?: number; // that row's position in the training split
  input?: number; // 0-based column of W (weights, gradWeights)
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

function describeValue(value: number): string {
  return Number.isNaN(value) ? 'NaN' : value > 0 ? 'Infinity' : '-Infinity';
}

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
    const place = d.phase.kind === 'loss' ? '' : ` of layers[${d.layer}]`;
    return (
      `training stopped at step ${d.step} (epoch ${d.epoch}), ${describePhase(d.phase)}: ` +
      `${d.quantity}${place} is ${describeValue(d.value)}${where.length ? ' at ' + where.join(', ') : ''}. ` +
      'Try a smaller learning rate, a different initialization or inputs on a smaller scale.'
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
