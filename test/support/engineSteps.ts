// Real engine output for the protocol and webview tests and the latency benchmark: the model file
// is loaded by the engine's loader and stepped by the real Trainer (src/engine/trainer.ts), the
// same step machine the extension host drives; its StepRecords, epoch evaluations and the network
// before each update are kept as the independent reference the webview tests hold the screen to.
import type { ModelFile, StepRecord } from '../../src/engine/types';
import { Rng } from '../../src/engine/rng';
import { type Network, cloneNetwork } from '../../src/engine/network';
import { type TrainingData, Trainer } from '../../src/engine/trainer';
import { loadModel } from '../../src/engine/model/load';
import { gatherRows } from '../../src/engine/evaluation';
import type { Evaluation } from '../../src/engine/evaluation';
import { type ChainRuleExplanation, type ParameterTarget, explainChainRule } from '../../src/engine/chainRule';

export interface EngineRun {
  model: ModelFile;
  data: TrainingData;
  trainer: Trainer;
  /** The whole dataset (all splits), rows in file order. */
  x: Float64Array;
  y: Float64Array;
  samples: number;
  records: StepRecord[];
  /** The network as it was before step k's update (index k − 1). */
  before: Network[];
  /** The trainer's epoch-end evaluations (train and validation), oldest first. */
  evaluations: readonly Evaluation[];
  explain(step: number, target: ParameterTarget): ChainRuleExplanation;
  /** The rows of step `step`'s batch (StepTrace.batch holds positions in the training split). */
  batchOf(step: number): { x: Float64Array; y: Float64Array; rows: number; datasetRows: number[] };
}

/**
 * Loads `model` and runs `steps` steps with the Trainer. `batchSize` sets mini-batches without
 * shuffling when the model file names no batching of its own.
 */
export function runSteps(model: ModelFile, steps: number, batchSize?: number): EngineRun {
  const file: ModelFile = model.batch || batchSize === undefined ? model : { ...model, batch: { mode: 'mini-batch', size: batchSize, shuffle: false } };
  const loaded = loadModel(JSON.stringify(file));
  if (!loaded.model || !loaded.data) throw new Error(`engineSteps: the model does not load: ${loaded.diagnostics.map((d) => `${d.path}: ${d.message}`).join('; ')}`);
  const data = loaded.data;
  const trainer = new Trainer(loaded.model, data, { recordCacheSize: Math.max(64, steps + 1) });
  const records: StepRecord[] = [];
  const before: Network[] = [];
  for (let step = 1; step <= steps; step++) {
    before.push(cloneNetwork(trainer.network));
    records.push(trainer.step());
  }
  const batchOf = (step: number) => {
    const datasetRows = records[step - 1].batch.map((position) => data.split.train[position]);
    const { x, y } = gatherRows(data.dataset, datasetRows);
    return { x, y, rows: datasetRows.length, datasetRows };
  };
  const lossSpec = trainer.lossSpec;
  return {
    model: loaded.model, data, trainer, x: data.dataset.x, y: data.dataset.y, samples: data.dataset.samples,
    records, before, evaluations: trainer.evaluations, batchOf,
    explain: (step, target) => explainChainRule(cloneNetwork(before[step - 1]), lossSpec, batchOf(step), target),
  };
}

/** A model file with inline data drawn from a seeded generator: `sizes` = [inputs, ...units]. */
export function syntheticModel(
  sizes: number[], activations: ModelFile['layers'][number]['activation'][], loss: ModelFile['loss'], samples: number,
  optimizer: ModelFile['optimizer'] = { type: 'sgd', learningRate: 0.1, momentum: 0.9 },
): ModelFile {
  const rng = new Rng(7);
  const inputs = sizes[0];
  const outputs = sizes[sizes.length - 1];
  const xs = Array.from({ length: samples }, () => Array.from({ length: inputs }, () => rng.uniform() * 2 - 1));
  const ys = xs.map((row, i) => {
    if (loss === 'cross-entropy') return Array.from({ length: outputs }, (_, k) => (k === i % outputs ? 1 : 0));
    const s = row.reduce((a, b) => a + b, 0);
    return Array.from({ length: outputs }, () => (loss === 'binary-cross-entropy' ? (s > 0 ? 1 : 0) : Math.sin(s)));
  });
  return {
    name: `${sizes.join('-')}`, seed: 3, inputs,
    layers: sizes.slice(1).map((units, l) => ({ units, activation: activations[l] })),
    loss, optimizer, data: { x: xs, y: ys }, regularization: { l2: 0.001 },
  };
}
