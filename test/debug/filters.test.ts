// The exception-style filters on the lesson examples, checked against hand computations.
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TrainingSession } from '../../src/extension/session';
import { type Stop, TrainingRuntime } from '../../src/extension/debug/trainingRuntime';
import { evaluate, type Tensor } from '../../src/extension/debug/expressions';
import { findDatasetsDir, nodeFileReader } from '../../src/engine/data/nodeFiles';

const root = join(__dirname, '..', '..');

function runtimeFor(example: string, filters: { filterId: string; condition?: string }[]) {
  const path = join(root, 'examples', `${example}.backprop.json`);
  const loaded = TrainingSession.load(`file://${path}`, readFileSync(path, 'utf8'), { builtins: nodeFileReader(findDatasetsDir(root)!) });
  assert.ok(loaded.ok);
  const runtime = new TrainingRuntime(loaded.session, { maxSteps: 200 });
  runtime.setExceptionFilters(filters);
  const stops: Stop[] = [];
  runtime.onEvent((e) => e.type === 'stopped' && stops.push(e.stop));
  return { runtime, stops };
}

describe('debugger filters: saturated units, dead ReLUs, exploding gradients', () => {
  it('stops at the first forward of the saturated-sigmoid lesson and names every hidden unit', async () => {
    const { runtime, stops } = runtimeFor('06-activations-saturated-sigmoid', [{ filterId: 'saturated' }]);
    await runtime.continue();
    assert.equal(stops[0].reason, 'exception');
    assert.match(stops[0].description, /^saturated sigmoid in layer 1: units 0, 1, 2 /);
    assert.equal(runtime.state.describePosition(), 'forward · layer 1 of step 1');
    // by hand: z = W·x + b on the four XOR inputs, σ′(z) = σ(z)(1 − σ(z)) ≤ 1/4
    const W = [[9, 9], [-9, 8], [8, -9]];
    const b = [-4.5, -4, -4];
    const sigma = (z: number) => 1 / (1 + Math.exp(-z));
    for (const x of [[0, 0], [0, 1], [1, 0], [1, 1]]) {
      for (let u = 0; u < 3; u++) {
        const z = W[u][0] * x[0] + W[u][1] * x[1] + b[u];
        assert.ok(sigma(z) * (1 - sigma(z)) < 0.1 * 0.25, `unit ${u} at ${x}`);
      }
    }
    // rising edge only: the units stay saturated, so Continue runs on to the end
    await runtime.continue();
    assert.match(stops[1].description, /end of training/);
  });

  it('stops when ReLU units are dead on the whole training split', async () => {
    const { runtime, stops } = runtimeFor('06-activations-dead-relu', [{ filterId: 'deadRelu' }]);
    await runtime.continue();
    const found = /^dead ReLU in layer (\d+): units? ([\d, ]+) ha(?:ve|s)/.exec(stops[0].description);
    assert.ok(found, stops[0].description);
    // Independently, on the whole training split: z = W·x + b written out with the step's weights.
    const layer = runtime.state.layer(Number(found[1]) - 1);
    const { dataset, split } = runtime.session.engine.data;
    const z = split.train.map((row) =>
      Array.from({ length: layer.units }, (_, u) => Array.from({ length: layer.inputs }, (_, i) => layer.weights![u * layer.inputs + i] * dataset.x[row * dataset.inputs + i]).reduce((a, v) => a + v, layer.bias![u])),
    );
    const deadOnSplit = Array.from({ length: layer.units }, (_, u) => u).filter((u) => z.every((row) => row[u] <= 0));
    assert.deepEqual(found[2].split(', ').map(Number), deadOnSplit);
  });

  it('does not call a ReLU unit dead that is silent on the batch but fires elsewhere in the training split', async () => {
    // Unit 0: bias −5 (dead everywhere). Unit 1: z = x₁, ≤ 0 on the first batch (x₁ < 0) but > 0 on
    // rows 3 and 4. Unit 2: z = x₁ + x₂ + 3 > 0. Batches of 2, in file order.
    const model = {
      inputs: 2,
      layers: [
        { units: 3, activation: 'relu', weights: [[0.6, -0.4], [1, 0], [1, 1]], bias: [-5, 0, 3] },
        { units: 1, activation: 'identity', weights: [[1, 1, 1]], bias: [0] },
      ],
      loss: 'mse',
      optimizer: { type: 'sgd', learningRate: 0.01 },
      data: { x: [[-1, 0.5], [-0.5, -1], [0.8, 0.2], [0.3, -0.7]], y: [[0], [1], [0], [1]] },
      batch: { mode: 'mini-batch', size: 2 },
    };
    const loaded = TrainingSession.load('file:///split.backprop.json', JSON.stringify(model));
    assert.ok(loaded.ok);
    const runtime = new TrainingRuntime(loaded.session, { maxSteps: 2 });
    runtime.setExceptionFilters([{ filterId: 'deadRelu' }]);
    const stops: Stop[] = [];
    runtime.onEvent((e) => e.type === 'stopped' && stops.push(e.stop));
    await runtime.stepIn(); // forward of layer 1 on the first batch: units 0 and 1 silent on it
    const z = evaluate('z[1]', runtime.state.scope()) as Tensor;
    assert.deepEqual([0, 1, 2].filter((u) => [0, 1].every((r) => z.data[r * 3 + u] <= 0)), [0, 1], 'unit 1 looks dead on the batch alone');
    assert.match(stops[0].description, /^dead ReLU in layer 1: unit 0 has/);
  });

  it('stops on an exploding gradient above the threshold given as the filter condition', async () => {
    const { runtime, stops } = runtimeFor('xor', [{ filterId: 'explodingGradient', condition: '0.1' }]);
    await runtime.continue();
    const found = /^exploding gradient in layer (\d+): ‖∂J\/∂W, ∂J\/∂b‖₂ = ([\d.e-]+) is above 0.1$/.exec(stops[0].description);
    assert.ok(found, stops[0].description);
    const norm = evaluate(`sqrt(sum(dW[${found[1]}] * dW[${found[1]}]) + sum(db[${found[1]}] * db[${found[1]}]))`, runtime.state.scope()) as number;
    assert.ok(norm > 0.1);
    assert.equal(Number(found[2]), Number(norm.toPrecision(6)));
    const bad = runtime.setExceptionFilters([{ filterId: 'explodingGradient', condition: 'big' }]);
    assert.equal(bad[0].verified, false);
    assert.match(bad[0].message!, /positive number/);
  });
});
