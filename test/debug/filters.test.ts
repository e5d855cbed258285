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
    const found = /^dead ReLU in layer (\d+): units? ([\d, ]+) have/.exec(stops[0].description);
    assert.ok(found, stops[0].description);
    // the batch's z of those units is ≤ 0 in every row (the split check is the runtime's own)
    const z = evaluate(`z[${found[1]}]`, runtime.state.scope()) as Tensor;
    const units = z.shape[1];
    for (const u of found[2].split(', ').map(Number)) {
      for (let r = 0; r < z.shape[0]; r++) assert.ok(z.data[r * units + u] <= 0);
    }
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
