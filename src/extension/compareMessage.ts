// Compare runs in the inspector (issue 15 item 5): the session's model trained again from the same
// initial weights once per variant (optimizer, learning rate or training unit), with the engine's
// compareRuns, which the CLI's `compare` command uses too. Kept free of `vscode` so the tests build
// the same message the command posts.
import { type CompareRun, compareRuns, parseBatchRuns, parseOptimizerRuns } from '../engine/experiments/compare';
import type { SliceRequest } from '../engine/experiments/slice';
import type { ModelFile } from '../engine/types';
import type { TrainingData } from '../engine/trainer';
import type { CompareMessage } from '../protocol/messages';

export const COMPARE_DEFAULTS = { epochs: 5, maxEpochs: 1000, grid: 31, optimizers: 'sgd,momentum,adam', units: 'batch,mini-batch:8,stochastic' } as const;

export type CompareKind = 'optimizers' | 'units';

/** The runs a list names ("sgd,adam:learningRate=0.01" or "batch,mini-batch:16"); throws RangeError saying which entry is wrong. */
export function parseRuns(kind: CompareKind, text: string, model: ModelFile): CompareRun[] {
  return kind === 'optimizers' ? parseOptimizerRuns(text, model) : parseBatchRuns(text, model);
}

/**
 * A model with exactly two parameters is compared on the plane of those two (its whole parameter
 * space, where the paths are the real ones); a larger one on two random directions from the model's seed.
 */
export function sliceFor(model: ModelFile): SliceRequest {
  let inputs = model.inputs;
  let count = 0;
  for (const layer of model.layers) {
    count += layer.units * (inputs + 1);
    inputs = layer.units;
  }
  return count === 2 ? { kind: 'parameters', parameters: ['layers[0].weights[0][0]', 'layers[0].bias[0]'] } : { kind: 'random', seed: model.seed ?? 0 };
}

export function buildCompareMessage(model: ModelFile, data: TrainingData, runs: CompareRun[], epochs: number): CompareMessage {
  return { type: 'compare', result: compareRuns(model, data, { runs, epochs, slice: sliceFor(model), grid: COMPARE_DEFAULTS.grid }) };
}
