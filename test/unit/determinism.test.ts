import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildSync } from 'esbuild';
import type { ModelFile } from '../../src/engine/types';
import { loadModel } from '../../src/engine/model';
import { Trainer } from '../../src/engine/trainer';
import { toStepTrace } from '../../src/engine/trace';

const root = join(__dirname, '..', '..');

describe('determinism: the same model file and seed give bit-identical traces', () => {
  // The CLI bundle as `npm run build` makes it, built here so this suite does not depend on dist/.
  const bundle = join(mkdtempSync(join(tmpdir(), 'backprop-cli-bundle-')), 'cli.js');
  before(() => {
    buildSync({
      entryPoints: [join(root, 'src', 'cli.ts')], outfile: bundle, bundle: true, platform: 'node', format: 'cjs',
      target: 'es2022', mainFields: ['module', 'main'], logLevel: 'silent',
    });
  });

  const runCli = (...args: string[]) => execFileSync(process.execPath, [bundle, ...args], { cwd: root, encoding: 'utf8' });

  it('two CLI runs write byte-identical JSON Lines', () => {
    const first = runCli('run', 'examples/xor.backprop.json', '--steps', '25', '--json');
    const second = runCli('run', 'examples/xor.backprop.json', '--steps', '25', '--json');
    assert.equal(first.split('\n').length, 26);
    assert.ok(first === second, 'the two runs differ');
  });

  it('two CLI runs of a shuffled, randomly initialised, split model write byte-identical output, tables too', () => {
    const model = join(root, 'test', 'fixtures', 'shuffled-spiral.backprop.json');
    assert.equal(runCli('run', model, '--steps', '12', '--json'), runCli('run', model, '--steps', '12', '--json'));
    assert.equal(runCli('run', model, '--steps', '3'), runCli('run', model, '--steps', '3'));
  });

  it('the committed golden trace: this machine writes the same bytes (full precision) for its three steps', () => {
    // test/fixtures/golden: a shuffled, randomly initialised tanh → sigmoid model with momentum and
    // l2; its trace was written once by `node dist/cli.js run golden.backprop.json --steps 3 --json`.
    // A machine (CPU, Node, libm) whose float64 arithmetic differs fails here, byte by byte.
    const golden = readFileSync(join(root, 'test', 'fixtures', 'golden', 'golden.trace.jsonl'), 'utf8');
    const now = runCli('run', 'test/fixtures/golden/golden.backprop.json', '--steps', '3', '--json');
    assert.equal(now.split('\n').length, 4);
    assert.ok(now === golden, `the trace differs from the golden one from line ${now.split('\n').findIndex((line, i) => line !== golden.split('\n')[i]) + 1}`);
    // The golden numbers are right, not only stable: step 1's J from the binary cross-entropy and
    // the l2 penalty written out (DESIGN.md §4), on its weights and batch.
    const step = JSON.parse(golden.split('\n')[0]);
    const [hidden, output] = step.layers;
    const targets = step.batch.map((p: number) => [[0], [1], [1], [0], [1]][p][0]);
    const affine = (W: number[][], b: number[], v: number[]) => W.map((row, u) => row.reduce((sum, w, i) => sum + w * v[i], b[u]));
    const p = hidden.input.map((x: number[]) => 1 / (1 + Math.exp(-affine(output.weights, output.bias, affine(hidden.weights, hidden.bias, x).map(Math.tanh))[0])));
    const dataLoss = -p.reduce((sum: number, pn: number, n: number) => sum + targets[n] * Math.log(pn) + (1 - targets[n]) * Math.log(1 - pn), 0) / p.length;
    const regLoss = 0.001 * [...hidden.weights.flat(), ...output.weights.flat()].reduce((sum: number, w: number) => sum + w * w, 0);
    assert.ok(Math.abs(step.dataLoss - dataLoss) <= 1e-14 * dataLoss, `${step.dataLoss} vs ${dataLoss}`);
    assert.ok(Math.abs(step.regLoss - regLoss) <= 1e-14 * regLoss, `${step.regLoss} vs ${regLoss}`);
  });

  it('two trainers, and one trainer after reset, agree bit for bit', () => {
    const text = readFileSync(join(root, 'test', 'fixtures', 'shuffled-spiral.backprop.json'), 'utf8');
    const make = () => {
      const loaded = loadModel(text);
      assert.ok(loaded.model && loaded.data, JSON.stringify(loaded.diagnostics));
      return new Trainer(loaded.model, loaded.data);
    };
    const a = make();
    const b = make();
    const first = Array.from({ length: 15 }, () => JSON.stringify(toStepTrace(a.step())));
    assert.deepEqual(Array.from({ length: 15 }, () => JSON.stringify(toStepTrace(b.step()))), first);
    a.reset();
    assert.deepEqual(Array.from({ length: 15 }, () => JSON.stringify(toStepTrace(a.step()))), first);
  });

  it('a different seed gives a different run (the seed is actually used)', () => {
    const text = readFileSync(join(root, 'test', 'fixtures', 'shuffled-spiral.backprop.json'), 'utf8');
    const model = JSON.parse(text) as ModelFile;
    const traceOf = (m: ModelFile) => {
      const loaded = loadModel(JSON.stringify(m));
      return JSON.stringify(toStepTrace(new Trainer(loaded.model!, loaded.data!).step()));
    };
    assert.notEqual(traceOf({ ...model, seed: 1 }), traceOf({ ...model, seed: 2 }));
  });
});
