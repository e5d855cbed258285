// Issue 2 item 8 at the command line: every bad model file in test/fixtures/bad ends with exit
// code 1 and one message on stderr that names the file, line, column and JSON path, with no
// stack trace. Runs the built CLI (`npm run build` makes dist/cli.js; `npm test` builds first).
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MAX_REPORTED_PROBLEMS } from '../../src/engine/limits';

const root = join(__dirname, '..', '..');
const cli = join(root, 'dist', 'cli.js');
const badDir = join('test', 'fixtures', 'bad');

// file → [line, column, what the message must name]
const CASES: Record<string, [number, number, RegExp]> = {
  'empty.backprop.json': [1, 1, /the file is empty/],
  'malformed.backprop.json': [4, 3, /JSON syntax: expected a comma/],
  'not-an-object.backprop.json': [1, 1, /one JSON object/],
  'unknown-activation.backprop.json': [8, 21, /layers\[0\]\.activation: unknown activation "rleu"/],
  'unknown-loss.backprop.json': [29, 11, /loss: unknown loss "hinge"/],
  'unknown-optimizer.backprop.json': [31, 13, /optimizer\.type: unknown optimizer type "adamax"/],
  'weight-shape.backprop.json': [14, 9, /layers\[0\]\.weights\[1\]: has 3 numbers/],
  'x-width.backprop.json': [44, 7, /data\.x\[2\]: has 3 numbers but "inputs" is 2/],
  'xy-length.backprop.json': [53, 10, /data\.y: has 3 rows but data\.x has 4/],
  'non-number.backprop.json': [41, 9, /data\.x\[1\]\[0\]: expected a number, found "zero"/],
  'negative-learning-rate.backprop.json': [32, 21, /optimizer\.learningRate: must be > 0, found -0\.5/],
  'batch-size-zero.backprop.json': [70, 13, /batch\.size: must be ≥ 1, found 0/],
  'split-over-one.backprop.json': [72, 3, /split: train \+ validation \+ test = 1\.2/],
  'missing-csv.backprop.json': [35, 12, /data\.csv: file "no-such-file\.csv" .*not found/],
  'bad-csv-cell.backprop.json': [35, 12, /data\.csv: bad-cell\.csv:4:3: "n\/a" in column "b" is not a number/],
  'absurd-layer-sizes.backprop.json': [11, 16, /layers\[1\]\.units: the network has 16,797,697 weights and biases, more than the limit of 1,000,000/],
};

describe('CLI: bad model files', function () {
  before(function () {
    this.timeout(120000);
    if (!existsSync(cli)) spawnSync('npm', ['run', 'build'], { cwd: root, stdio: 'ignore' });
    assert.ok(existsSync(cli), 'dist/cli.js was not built');
  });

  it('has a case for every fixture', () => {
    const fixtures = readdirSync(join(root, badDir)).filter((f) => f.endsWith('.backprop.json')).sort();
    assert.deepEqual(fixtures, Object.keys(CASES).sort());
  });

  for (const [file, [line, column, words]] of Object.entries(CASES)) {
    it(file, () => {
      const path = join(badDir, file);
      const result = spawnSync(process.execPath, [cli, 'run', path, '--steps', '1'], { cwd: root, encoding: 'utf8' });
      assert.ok(result.status === 1 || result.status === 2, `exit code ${result.status}; stderr: ${result.stderr}`);
      assert.equal(result.status, 1);
      const stderr = result.stderr.trim();
      assert.ok(stderr.startsWith(`${path}:${line}:${column}: error: `), stderr);
      assert.match(stderr, words);
      assert.doesNotMatch(stderr, /\n\s+at |Error:|node:internal/, 'no stack trace');
      assert.equal(stderr.split('\n').length, 1, 'one message');
    });
  }

  // Issue 10 item 9: every problem found, up to the stated cap, one line each.
  describe('several problems', () => {
    let dir: string;
    before(() => (dir = mkdtempSync(join(tmpdir(), 'backprop-cli-problems-'))));
    after(() => rmSync(dir, { recursive: true, force: true }));
    const run = (name: string, text: string) => {
      const path = join(dir, name);
      writeFileSync(path, text);
      const result = spawnSync(process.execPath, [cli, 'run', path, '--steps', '1'], { encoding: 'utf8' });
      assert.equal(result.status, 1, result.stderr);
      return result.stderr.trim().split('\n');
    };
    const model = (data: object) => JSON.stringify({ inputs: 2, layers: [{ units: 2, activation: 'sigmoid' }], loss: 'mse', optimizer: { type: 'sgd', learningRate: 'fast' }, data });

    it('a type error does not hide a semantic error: both are listed', () => {
      const lines = run('two.backprop.json', model({ x: [[0, 1]], y: [[1]] }));
      assert.equal(lines.length, 2, lines.join('\n'));
      assert.match(lines[0], /:1:\d+: error: optimizer\.learningRate: expected a number, found "fast"$/);
      assert.match(lines[1], /:1:\d+: error: data\.y\[0\]: has 1 number but the output layer's units \(layers\[0\]\.units\) is 2\.$/);
    });

    it(`lists the first ${MAX_REPORTED_PROBLEMS} problems and counts the rest`, () => {
      const rows = 100; // a string for a number in every row of x, beside the learning rate's
      const lines = run('many.backprop.json', model({ x: Array.from({ length: rows }, () => [0, 'one']), y: Array.from({ length: rows }, () => [1, 0]) }));
      assert.equal(lines.length, MAX_REPORTED_PROBLEMS + 1, lines.slice(-3).join('\n'));
      assert.match(lines.at(-1)!, new RegExp(`error: .*${1 + rows - MAX_REPORTED_PROBLEMS} more problems not listed \\(the first ${MAX_REPORTED_PROBLEMS} are\\)`));
    });
  });
});
