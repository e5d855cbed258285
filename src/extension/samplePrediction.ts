// The Loss view's per-sample figures for a classifier: the predicted distribution of one sample of
// the batch on screen (the engine's output a_L in the step's record, weights before the update),
// with its entropy, the cross-entropy against the target and the self-information of the true
// class, all from the engine's information functions (nats, like the losses).
import type { LossName, StepRecord } from '../engine/types';
import { crossEntropy, distributionProblem, entropy, selfInformation } from '../engine/information';
import type { SamplePrediction } from '../protocol/messages';

/**
 * The prediction for row `sample` of the record's batch (clamped to the batch), or undefined when
 * there is none to show: not a classifier, a multi-label output (several sigmoids), or the output
 * layer's forward pass of this step has not run yet.
 */
export function samplePrediction(
  record: StepRecord,
  loss: LossName,
  /** The batch's target rows (batch × output units), in the record's batch order. */
  targets: Float64Array,
  datasetIndex: (batchPosition: number) => number,
  sample = 0,
): SamplePrediction | undefined {
  const output = record.layers[record.layers.length - 1];
  if (!output.a || record.batch.length === 0) return undefined;
  const units = output.units;
  const row = Math.min(Math.max(0, sample), record.batch.length - 1);
  const a = Array.from(output.a.subarray(row * units, (row + 1) * units));
  const t = Array.from(targets.subarray(row * units, (row + 1) * units));
  let p: number[];
  let target: number[];
  if (loss === 'cross-entropy') {
    p = a;
    target = t;
  } else if (loss === 'binary-cross-entropy' && units === 1) {
    // One sigmoid unit is the distribution (1 − p, p) over the classes 0 and 1.
    p = [1 - a[0], a[0]];
    target = [1 - t[0], t[0]];
  } else return undefined;
  if (distributionProblem(p) || distributionProblem(target)) return undefined;
  let trueClass = 0;
  for (let k = 1; k < target.length; k++) if (target[k] > target[trueClass]) trueClass = k;
  return {
    sample: row,
    datasetIndex: datasetIndex(record.batch[row]),
    probabilities: Float64Array.from(p),
    trueClass,
    entropy: entropy(p),
    crossEntropy: crossEntropy(target, p),
    selfInformation: selfInformation(p[trueClass]),
  };
}
