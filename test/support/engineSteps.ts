// Real engine output for the protocol and webview tests and the latency benchmark: steps of a
// model built from the engine's own layer functions (forwardLayer, outputLoss, backwardLayer,
// the optimizers), recorded as StepRecords the way the trainer records them.
// TODO(H1b trainer): switch to src/engine/trainer.ts once it lands, so these run the real step machine.
import type { ModelFile, StepRecord } from '../../src/engine/types';
import { Rng } from '../../src/engine/rng';
import {
  type Network, backwardLayer, cloneNetwork, createNetwork, forwardLayer, newLayerRecord, outputLoss, parameterNames,
  parameters, recordBackward, recordForward, batchLoss,
} from '../../src/engine/network';
import { normalizeRegularization } from '../../src/engine/losses';
import { createOptimizer } from '../../src/engine/optimizers';
import { type ChainRuleExplanation, type ParameterTarget, explainChainRule } from '../../src/engine/chainRule';

export interface EngineRun {
  model: ModelFile;
  x: Float64Array;
  y: Float64Array;
  samples: number;
  records: StepRecord[];
  /** The network as it was before step k's update (index k − 1), and after it. */
  before: Network[];
  after: Network[];
  explain(step: number, target: ParameterTarget): ChainRuleExplanation;
  batchOf(step: number): { x: Float64Array; y: Float64Array; rows: number };
}

function rowsOf(flat: Float64Array, width: number, indices: readonly number[]): Float64Array {
  const out = new Float64Array(indices.length * width);
  indices.forEach((i, r) => out.set(flat.subarray(i * width, (i + 1) * width), r * width));
  return out;
}

/** Runs `steps` steps on inline data, in file order, `batchSize` samples per batch. */
export function runSteps(model: ModelFile, steps: number, batchSize: number): EngineRun {
  if (!('x' in model.data)) throw new Error('engineSteps: inline x/y data only');
  const samples = model.data.x.length;
  const outputs = model.data.y[0].length;
  const x = Float64Array.from(model.data.x.flat());
  const y = Float64Array.from(model.data.y.flat());
  const net = createNetwork(model, new Rng(model.seed ?? 0));
  const lossSpec = { loss: model.loss, regularization: model.regularization };
  const regularization = normalizeRegularization(model.regularization);
  const names = parameterNames(net);
  const optimizer = createOptimizer(model.optimizer, { names, sizes: parameters(net).map((p) => p.length) });
  const batchesPerEpoch = Math.ceil(samples / batchSize);
  const records: StepRecord[] = [];
  const before: Network[] = [];
  const after: Network[] = [];
  const batchIndices = (step: number) => {
    const k = (step - 1) % batchesPerEpoch;
    return Array.from({ length: Math.min(batchSize, samples - k * batchSize) }, (_, i) => k * batchSize + i);
  };
  const batchOf = (step: number) => {
    const idx = batchIndices(step);
    return { x: rowsOf(x, model.inputs, idx), y: rowsOf(y, outputs, idx), rows: idx.length };
  };
  for (let step = 1; step <= steps; step++) {
    const batch = batchOf(step);
    before.push(cloneNetwork(net));
    const record: StepRecord = {
      step, epoch: Math.ceil(step / batchesPerEpoch), batch: batchIndices(step),
      layers: net.layers.map((layer, l) => newLayerRecord(layer, l, batch.rows)),
    };
    let input = batch.x;
    const passes = net.layers.map((layer, l) => {
      const pass = forwardLayer(layer, input, batch.rows);
      recordForward(record.layers[l], pass);
      input = pass.a;
      return pass;
    });
    const out = outputLoss(net, lossSpec, passes[passes.length - 1], batch.y);
    Object.assign(record, { loss: out.loss, dataLoss: out.dataLoss, regLoss: out.regLoss });
    let upstream = out.upstream;
    for (let l = net.layers.length - 1; l >= 0; l--) {
      const back = backwardLayer(net.layers[l], passes[l], upstream, {
        delta: l === net.layers.length - 1 ? out.delta : undefined, regularization, recordLocalGrad: true, downstream: l > 0,
      });
      recordBackward(record.layers[l], back);
      if (back.downstream) upstream = back.downstream;
    }
    const grads = record.layers.flatMap((r) => [r.gradWeights!, r.gradBias!]);
    const report = optimizer.step(parameters(net), grads);
    net.layers.forEach((layer, l) => {
      const r = record.layers[l];
      r.weightsAfter = layer.weights.slice();
      r.biasAfter = layer.bias.slice();
      r.updateWeights = r.weightsAfter.map((w, i) => w - r.weights[i]);
      r.updateBias = r.biasAfter.map((b, i) => b - r.bias[i]);
    });
    record.lossAfter = batchLoss(net, lossSpec, batch.x, batch.y, batch.rows);
    record.optimizer = { type: optimizer.type, state: report.state };
    records.push(record);
    after.push(cloneNetwork(net));
  }
  return {
    model, x, y, samples, records, before, after, batchOf,
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
