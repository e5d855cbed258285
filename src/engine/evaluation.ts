// J and accuracy of the current weights on a set of samples: the per-epoch figures for the
// training and validation splits, and the test split on request.
import type { Dataset, LossName } from './types';
import type { LossSpec } from './losses';
import { meanLoss, normalizeRegularization, perSampleLoss } from './losses';
import { type Network, forward, networkRegularizationLoss } from './network';
import { type Allocate, freshArray } from './arena';

export interface Objective {
  loss: number; // dataLoss + regLoss
  dataLoss: number;
  regLoss: number;
}

/** J = J_data + J_reg on rows × inputs x with targets y, and the output a_L that accuracy needs. */
function measure(
  net: Network, lossSpec: LossSpec, x: Float64Array, y: Float64Array, rows: number,
): { objective: Objective; output: Float64Array } {
  const passes = forward(net, x, rows);
  const out = passes[passes.length - 1];
  const last = net.layers[net.layers.length - 1];
  const dataLoss = meanLoss(perSampleLoss(lossSpec.loss, last.activation, out.z, out.a, y, rows, last.units), rows);
  const regLoss = networkRegularizationLoss(net, normalizeRegularization(lossSpec.regularization));
  return { objective: { loss: dataLoss + regLoss, dataLoss, regLoss }, output: out.a };
}

/** Copies dataset rows `indices` into new row-major x and y arrays (fresh ones unless `allocate` says where). */
export function gatherRows(
  data: Dataset, indices: readonly number[], allocate: Allocate = freshArray,
): { x: Float64Array; y: Float64Array } {
  const x = allocate(indices.length * data.inputs);
  const y = allocate(indices.length * data.outputs);
  // Element loops rather than set(subarray(...)): a view per row is an object per row, and
  // every training step gathers its batch.
  const { inputs, outputs } = data;
  for (let r = 0; r < indices.length; r++) {
    const row = indices[r];
    for (let i = 0; i < inputs; i++) x[r * inputs + i] = data.x[row * inputs + i];
    for (let k = 0; k < outputs; k++) y[r * outputs + k] = data.y[row * outputs + k];
  }
  return { x, y };
}

/** Losses whose targets are classes, so accuracy means something. */
export function isClassification(loss: LossName): boolean {
  return loss === 'cross-entropy' || loss === 'binary-cross-entropy';
}

/**
 * Fraction of samples classified right. cross-entropy: the arg-max of p is the arg-max of the
 * one-hot target. binary-cross-entropy: every output unit is on the right side of 0.5.
 */
export function accuracyOf(loss: LossName, output: Float64Array, y: Float64Array, rows: number, units: number): number {
  let right = 0;
  for (let r = 0; r < rows; r++) {
    const row = r * units;
    if (loss === 'cross-entropy') {
      let predicted = 0;
      let target = 0;
      for (let k = 1; k < units; k++) {
        if (output[row + k] > output[row + predicted]) predicted = k;
        if (y[row + k] > y[row + target]) target = k;
      }
      if (predicted === target) right++;
    } else {
      let all = true;
      for (let k = 0; k < units; k++) if (output[row + k] >= 0.5 !== y[row + k] >= 0.5) all = false;
      if (all) right++;
    }
  }
  return right / rows;
}

export type SplitName = 'train' | 'validation' | 'test';

export interface Evaluation extends Objective {
  split: SplitName;
  /** Completed steps when it was measured. */
  step: number;
  /** The epoch that had just ended (or is in progress, for a request mid-epoch). */
  epoch: number;
  samples: number;
  accuracy?: number; // classification losses only
  /** 'epoch-end' for the automatic train/validation figures; 'request' when asked for (always so for test). */
  trigger: 'epoch-end' | 'request';
}

export function evaluateRows(
  net: Network, lossSpec: LossSpec, data: Dataset, indices: readonly number[],
): Omit<Evaluation, 'split' | 'step' | 'epoch' | 'trigger'> {
  const { x, y } = gatherRows(data, indices);
  const rows = indices.length;
  const { objective, output } = measure(net, lossSpec, x, y, rows);
  const result: Omit<Evaluation, 'split' | 'step' | 'epoch' | 'trigger'> = { ...objective, samples: rows };
  if (isClassification(lossSpec.loss)) result.accuracy = accuracyOf(lossSpec.loss, output, y, rows, data.outputs);
  return result;
}
