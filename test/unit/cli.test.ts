import { strict as assert } from 'node:assert';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../src/cli/main';
import { loadModel } from '../../src/engine/model';
import { Trainer } from '../../src/engine/trainer';
import { toStepTrace } from '../../src/engine/trace';

const root = join(__dirname, '..', '..');
const xorPath = join(root, 'examples', 'xor.backprop.json');

function cli(...argv: string[]): { code: number; out: string; err: string } {
  let out = '';
  let err = '';
  const code = runCli(argv, { out: (t) => (out += t), err: (t) => (err += t), color: false });
  return { code, out, err };
}

const dir = mkdtempSync(join(tmpdir(), 'backprop-cli-'));
function modelFile(name: string, content: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content, null, 2));
  return path;
}

describe('CLI', () => {
  it('run --json writes one StepTrace per line, equal to the trainer\'s', () => {
    const { code, out, err } = cli('run', xorPath, '--steps', '5', '--json');
    assert.equal(code, 0, err);
    const lines = out.trimEnd().split('\n');
    assert.equal(lines.length, 5);
    const loaded = loadModel(readFileSync(xorPath, 'utf8'));
    const trainer = new Trainer(loaded.model!, loaded.data!);
    lines.forEach((line, i) => {
      // Byte-equal to the trainer's trace (JSON has no −0, so compare the text, not parsed values).
      assert.equal(line, JSON.stringify(toStepTrace(trainer.step())));
      assert.equal(JSON.parse(line).step, i + 1);
    });
  });

  it('run --grain op --json writes each operation\'s values, then the step\'s trace', () => {
    const { code, out } = cli('run', xorPath, '--steps', '1', '--grain', 'op', '--json');
    assert.equal(code, 0);
    const lines = out.trimEnd().split('\n').map((l) => JSON.parse(l));
    assert.deepEqual(lines.slice(0, 5).map((l) => l.phase), [
      { kind: 'forward', layer: 0 }, { kind: 'forward', layer: 1 }, { kind: 'loss' }, { kind: 'backward', layer: 1 }, { kind: 'backward', layer: 0 },
    ]);
    const trace = lines[5];
    assert.deepEqual(lines[0].values.z, trace.layers[0].z);
    assert.equal(lines[2].values.loss, trace.loss);
    assert.deepEqual(lines[4].values.gradWeights, trace.layers[0].gradWeights);
  });

  it('run without --json prints per-layer tables (default one epoch)', () => {
    const { code, out } = cli('run', xorPath);
    assert.equal(code, 0);
    for (const text of ['step 1 · epoch 1 · batch 1 of 2', 'step 2 · epoch 1 · batch 2 of 2', '▸ forward layers[0]', '▸ loss', '▸ backward layers[1]', '▸ update', 'W after', '∂J/∂W', 'end of epoch 1']) {
      assert.ok(out.includes(text), `missing "${text}"`);
    }
    assert.ok(!out.includes('step 3 ·'));
    assert.ok(!/\x1b\[/.test(out), 'no colour codes when not a terminal');
  });

  it('explain prints the chain rule, its product against the engine\'s gradient, and the finite-difference check', () => {
    const { code, out, err } = cli('explain', xorPath, '--step', '2', '--layer', '0', '--weight', '1,1');
    assert.equal(code, 0, err);
    assert.match(out, /layers\[0\]\.weights\[1\]\[1\]/);
    assert.match(out, /central finite difference/);
    const json = cli('explain', xorPath, '--step', '2', '--layer', '0', '--weight', '1,1', '--json');
    const e = JSON.parse(json.out);
    // Independent check: the step-2 gradient in the CLI's own trace for the same weight.
    const trace = JSON.parse(cli('run', xorPath, '--steps', '2', '--json').out.trimEnd().split('\n')[1]);
    assert.ok(Math.abs(e.total - trace.layers[0].gradWeights[1][1]) <= 1e-12 * Math.max(1, Math.abs(e.total)));
    assert.ok(e.finiteDifference.relativeError < 1e-6);
    const bias = cli('explain', xorPath, '--step', '1', '--layer', '1', '--bias', '0', '--json');
    assert.equal(bias.code, 0, bias.err);
    assert.equal(JSON.parse(bias.out).parameter.name, 'layers[1].bias[0]');
  });

  it('--help and per-command help exit 0', () => {
    assert.equal(cli('--help').code, 0);
    assert.match(cli('--help').out, /run <model>/);
    assert.match(cli('run', '--help').out, /--grain/);
  });

  describe('usage errors exit 2 with one line naming the problem', () => {
    const cases: [string[], RegExp][] = [
      [[], /usage/],
      [['frobnicate'], /unknown command "frobnicate"/],
      [['run'], /give the model file/],
      [['run', xorPath, '--steps', '0'], /--steps needs a whole number ≥ 1, got "0"/],
      [['run', xorPath, '--steps', 'ten'], /--steps needs a whole number/],
      [['run', xorPath, '--grain', 'layer'], /--grain is "step" or "op"/],
      [['run', xorPath, '--bogus'], /Unknown option '--bogus'/],
      [['run', join(dir, 'missing.backprop.json')], /cannot read model file .*missing\.backprop\.json: no such file/],
      [['explain', xorPath, '--step', '1', '--layer', '0'], /exactly one of --weight OUT,IN or --bias OUT/],
      [['explain', xorPath, '--step', '1', '--layer', '5', '--bias', '0'], /--layer 5 does not exist/],
      [['explain', xorPath, '--step', '1', '--layer', '0', '--weight', '0,7'], /layers\[0\] has inputs 0 \.\. 1, got input 7/],
      [['explain', xorPath, '--step', '1', '--layer', '0', '--weight', 'a'], /--weight needs OUT,IN/],
    ];
    for (const [argv, message] of cases) {
      it(argv.join(' ').replace(root, '.') || '(no arguments)', () => {
        const r = cli(...argv);
        assert.equal(r.code, 2);
        assert.match(r.err + r.out, message);
        assert.ok(!/\n\s+at /.test(r.err), 'no stack trace');
      });
    }
  });

  describe('bad model content exits 1 naming the place', () => {
    const xor = JSON.parse(readFileSync(xorPath, 'utf8'));
    const cases: [string, unknown, RegExp][] = [
      ['empty file', '', /empty/],
      ['malformed JSON', '{ "inputs": 2, ', /:1:\d+: error/],
      ['unknown activation', { ...xor, layers: [{ units: 3, activation: 'relux' }, xor.layers[1]] }, /layers\[0\]\.activation/],
      ['negative learning rate', { ...xor, optimizer: { type: 'sgd', learningRate: -1 } }, /optimizer\.learningRate/],
    ];
    for (const [name, content, message] of cases) {
      it(name, () => {
        const path = modelFile(`${name.replace(/ /g, '-')}.backprop.json`, content);
        const r = cli('run', path, '--steps', '1');
        assert.equal(r.code, 1, r.err);
        assert.match(r.err, message);
        assert.ok(r.err.startsWith(path), 'the message starts with the file, like a compiler\'s');
        assert.equal(r.out, '');
      });
    }
  });

  it('training that produces ±Infinity exits 1 naming step, phase, layer and unit', () => {
    const path = modelFile('overflow.backprop.json', {
      inputs: 2,
      layers: [
        { units: 2, activation: 'identity', weights: [[1, 0], [0, 1e200]], bias: [0, 0] },
        { units: 1, activation: 'identity', weights: [[1, 1]], bias: [0] },
      ],
      loss: 'mse',
      optimizer: { type: 'sgd', learningRate: 0.1 },
      data: { x: [[1, 1], [1, 1e200]], y: [[0], [0]] },
    });
    const r = cli('run', path, '--steps', '3', '--json');
    assert.equal(r.code, 1);
    assert.match(r.err, /step 1 .*forward of layers\[0\]: z of layers\[0\] is Infinity at unit 1, batch row 1/);
    assert.equal(r.err.trim().split('\n').length, 1);
  });
});
