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
