// Training steps per second: the engine untraced and with full trace recording, against
// TensorFlow.js's pure-JS CPU backend doing the same dense network, loss, SGD and batch size.
import * as tf from '@tensorflow/tfjs';
import type { ActivationName, LossName, ModelFile } from '../src/engine/types';
import { Trainer } from '../src/engine/trainer';
import { Rng } from '../src/engine/rng';
import { type BenchSection, formatRate, medianRatio, rates } from './measure';

interface Shape {
  name: string;
  sizes: number[];
  activations: ActivationName[];
  loss: LossName;
  batch: number;
  batchesPerEpoch: number;
  stepsPerRun: number;
}

const SHAPES: Shape[] = [
  { name: '2-8-8-1, batch 32', sizes: [2, 8, 8, 1], activations: ['relu', 'relu', 'identity'], loss: 'mse', batch: 32, batchesPerEpoch: 8, stepsPerRun: 2000 },
  { name: '784-128-10, batch 64', sizes: [784, 128, 10], activations: ['relu', 'softmax'], loss: 'cross-entropy', batch: 64, batchesPerEpoch: 4, stepsPerRun: 20 },
];

const LEARNING_RATE = 0.01;
const REPETITIONS = 7;

/** Random inputs and targets (one-hot for cross-entropy), from a fixed seed. */
function dataFor(shape: Shape): { x: Float64Array; y: Float64Array; samples: number } {
  const rng = new Rng(1);
  const samples = shape.batch * shape.batchesPerEpoch;
  const inputs = shape.sizes[0];
  const outputs = shape.sizes[shape.sizes.length - 1];
  const x = Float64Array.from({ length: samples * inputs }, () => rng.uniform());
  const y = new Float64Array(samples * outputs);
  for (let s = 0; s < samples; s++) {
    if (shape.loss === 'cross-entropy') y[s * outputs + rng.int(outputs)] = 1;
    else y[s] = rng.uniform();
  }
  return { x, y, samples };
}

function engineTrainer(shape: Shape, trace: boolean): Trainer {
  const { x, y, samples } = dataFor(shape);
  const model: ModelFile = {
    seed: 1,
    inputs: shape.sizes[0],
    layers: shape.sizes.slice(1).map((units, l) => ({ units, activation: shape.activations[l] })),
    loss: shape.loss,
    optimizer: { type: 'sgd', learningRate: LEARNING_RATE },
    data: { x: [], y: [] },
    batch: { mode: 'mini-batch', size: shape.batch, shuffle: false },
  };
  const dataset = { x, y, samples, inputs: shape.sizes[0], outputs: shape.sizes[shape.sizes.length - 1] };
  const train = Array.from({ length: samples }, (_, i) => i);
  return new Trainer(model, { dataset, split: { train, validation: [], test: [] } }, { trace, evaluateEpochs: false });
}

/** The same network in TensorFlow.js: one `minimize` per step on pre-made batch tensors. */
function tfjsStep(shape: Shape): { step: () => void; dispose: () => void } {
  const { x, y } = dataFor(shape);
  const inputs = shape.sizes[0];
  const outputs = shape.sizes[shape.sizes.length - 1];
  const model = tf.sequential();
  shape.sizes.slice(1).forEach((units, l) => {
    const activation = shape.activations[l] === 'identity' ? 'linear' : shape.activations[l] === 'softmax' ? 'linear' : shape.activations[l];
    model.add(tf.layers.dense({ units, activation: activation as 'relu' | 'linear', inputShape: l === 0 ? [inputs] : undefined }));
  });
  const batches = Array.from({ length: shape.batchesPerEpoch }, (_, k) => ({
    x: tf.tensor2d(Float32Array.from(x.subarray(k * shape.batch * inputs, (k + 1) * shape.batch * inputs)), [shape.batch, inputs]),
    y: tf.tensor2d(Float32Array.from(y.subarray(k * shape.batch * outputs, (k + 1) * shape.batch * outputs)), [shape.batch, outputs]),
  }));
  const optimizer = tf.train.sgd(LEARNING_RATE);
  let k = 0;
  const lossOf = (logits: tf.Tensor, target: tf.Tensor): tf.Scalar =>
    shape.loss === 'cross-entropy'
      ? tf.losses.softmaxCrossEntropy(target, logits)
      : tf.mean(tf.sum(tf.square(tf.sub(logits, target)), 1));
  return {
    step: () => {
      const batch = batches[k];
      k = (k + 1) % batches.length;
      tf.tidy(() => {
        optimizer.minimize(() => lossOf(model.predict(batch.x) as tf.Tensor, batch.y));
      });
    },
    dispose: () => {
      batches.forEach((b) => tf.dispose([b.x, b.y]));
      model.dispose();
      optimizer.dispose();
    },
  };
}

export const engineVsTfjs: BenchSection = {
  title: 'Training steps per second: engine vs TensorFlow.js CPU',
  async run() {
    await tf.setBackend('cpu');
    await tf.ready();
    const rows: string[] = [];
    const notes: string[] = [];
    for (const shape of SHAPES) {
      const untraced = engineTrainer(shape, false);
      const traced = engineTrainer(shape, true);
      const tfjs = tfjsStep(shape);
      // "Full trace" builds the whole StepTrace contract (every tensor, lossAfter, optimizer
      // state) as flat arrays, as the inspector receives it; reading lossAfter makes sure nothing is skipped.
      let lossAfterSum = 0;
      const [engine, full, reference] = rates(
        [() => untraced.step(), () => (lossAfterSum += traced.step().lossAfter!), tfjs.step],
        shape.stepsPerRun, REPETITIONS,
      );
      tfjs.dispose();
      if (!Number.isFinite(lossAfterSum)) throw new Error(`${shape.name}: the traced run's lossAfter is not finite`);
      const vsTf = medianRatio(engine, reference);
      const traceCost = medianRatio(engine, full);
      rows.push(
        `| ${shape.name} | ${formatRate(engine.median)} | ${formatRate(full.median)} | ${formatRate(reference.median)} | ` +
          `${vsTf.toFixed(2)}× | ${traceCost.toFixed(2)}× |`,
      );
      notes.push(`${shape.name}: ${vsTf >= 1 ? 'meets' : 'MISSES'} "untraced ≥ TF.js"` +
        (shape.sizes.length === 4 ? `; ${traceCost <= 2 ? 'meets' : 'MISSES'} "full trace ≤ 2× untraced"` : ''));
    }
    return [
      `Backend: \`${tf.getBackend()}\` (TensorFlow.js ${tf.version.tfjs}, float32); engine float64. SGD, learning rate ${LEARNING_RATE}, `,
      `shuffle off; the engine without epoch evaluations. Medians of ${REPETITIONS} repetitions after a warm-up; the three `,
      'configurations run in turn within each repetition, and each ratio is the median of the per-repetition ratios.',
      '',
      '| network | engine untraced (steps/s) | engine full trace (steps/s) | TF.js CPU (steps/s) | untraced ÷ TF.js | trace cost (untraced ÷ traced) |',
      '| --- | ---: | ---: | ---: | ---: | ---: |',
      ...rows,
      '',
      'Targets (issue 2): untraced engine at least as fast as TF.js CPU on both shapes; full trace at most 2× on the small one.',
      '',
      ...notes.map((n) => `- ${n}`),
    ].join('\n');
  },
};
