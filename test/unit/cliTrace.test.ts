// `trace <file>`: the CLI reads trace files (issue 13, item 4) in both forms, through the shipped
// reader and command, and stops at the first damage with one located message.
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../src/cli/main';

const root = join(__dirname, '..', '..');
const xorPath = join(root, 'examples', 'xor.backprop.json');
const dir = mkdtempSync(join(tmpdir(), 'backprop-cli-trace-'));

function cli(...argv: string[]): { code: number; out: string; err: string } {
  let out = '';
  let err = '';
  const code = runCli(argv, { out: (t) => (out += t), err: (t) => (err += t), color: false });
  return { code, out, err };
}

function runJson(steps: number): string {
  const run = cli('run', xorPath, '--steps', String(steps), '--json');
  assert.equal(run.code, 0, run.err);
  return run.out;
}

describe('CLI trace', () => {
  it('run --json → file → trace --json is byte for byte the same', () => {
    const text = runJson(6);
    const path = join(dir, 'xor.trace.jsonl');
    writeFileSync(path, text);
    const back = cli('trace', path, '--json');
    assert.equal(back.code, 0, back.err);
    assert.equal(back.err, '');
    assert.equal(back.out, text);
  });

  it('--steps A-B picks those steps; the tables are run\'s sections', () => {
    const path = join(dir, 'range.trace.jsonl');
    writeFileSync(path, runJson(6));
    const lines = runJson(6).trimEnd().split('\n');
    assert.equal(cli('trace', path, '--json', '--steps', '2-4').out, lines.slice(1, 4).join('\n') + '\n');
    assert.equal(cli('trace', path, '--json', '--steps', '5-').out, lines.slice(4).join('\n') + '\n');
    const tables = cli('trace', path, '--steps', '3');
    assert.equal(tables.code, 0, tables.err);
    // The same step's tables as `run` prints, except the batch position the file does not know.
    const run = cli('run', xorPath, '--steps', '3').out;
    const runStep3 = run.slice(run.indexOf('\nstep 3 ')).replace(/ · batch \d+ of \d+/, '');
    assert.equal(tables.out, runStep3);
    assert.equal(cli('trace', path, '--steps', '4-2').code, 2);
  });

  it('a truncated file: the good steps, then file:line on stderr, exit 1', () => {
    const text = runJson(4);
    const cutAt = text.split('\n').slice(0, 2).join('\n').length + 40; // inside line 3
    const path = join(dir, 'cut.trace.jsonl');
    writeFileSync(path, text.slice(0, cutAt));
    const r = cli('trace', path, '--json');
    assert.equal(r.code, 1);
    assert.equal(r.out, text.split('\n').slice(0, 2).join('\n') + '\n');
    assert.equal(r.err, `${path}:3: the line is cut off (the file ends inside it: was it still being written?)\n`);
    assert.doesNotMatch(r.err, /at .*\.ts/);
  });

  it('a newer format version is named with its line', () => {
    const path = join(dir, 'newer.trace.jsonl');
    writeFileSync(path, JSON.stringify({ format: 'backprop-stepper-trace', version: 2 }) + '\n' + runJson(1));
    const r = cli('trace', path);
    assert.equal(r.code, 1);
    assert.equal(r.out, '');
    assert.match(r.err, new RegExp(`^${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:1: trace format version 2 is newer than this reader \\(1\\)`));
  });

  it('a file that is not there is one message, exit 1', () => {
    const r = cli('trace', join(dir, 'missing.jsonl'));
    assert.equal(r.code, 1);
    assert.match(r.err, /missing\.jsonl: error: cannot read the file \(ENOENT\)/);
  });

  it('--help lists the trace command', () => {
    const r = cli('--help');
    assert.equal(r.code, 0);
    assert.match(r.out, /^ {2}trace <file> \[--steps A-B\] \[--json\]$/m);
  });

  describe('files of the Python recorder', () => {
    const jsonPath = join(dir, 'rec.trace.jsonl');
    const binaryPath = join(dir, 'rec.bptrace');

    before(function () {
      this.timeout(120000);
      // The same model, data and optimizer recorded twice, once in each form.
      const script = `
import copy, torch
from torch import nn
from backprop_stepper import Recorder
torch.manual_seed(3)
D = torch.float64
base = nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 2), nn.Sigmoid()).to(D)
x, y = torch.randn(5, 3, dtype=D), torch.rand(5, 2, dtype=D)
def mse(p, t):
    return ((p - t) ** 2).sum(1).mean()
for path in ${JSON.stringify([jsonPath, binaryPath])}:
    model = copy.deepcopy(base)
    opt = torch.optim.Adam(model.parameters(), lr=0.01)
    with Recorder(model, opt, path, loss_fn=mse) as rec:
        for _ in range(3):
            with rec.step(x, y):
                opt.zero_grad()
                mse(model(x), y).backward()
                opt.step()
`;
      // Fails loudly when /usr/bin/python3 or torch is missing: the suite must not pass without it.
      execFileSync('/usr/bin/python3', ['-c', script], { env: { ...process.env, PYTHONPATH: join(root, 'python') }, stdio: ['ignore', 'pipe', 'pipe'] });
    });

    it('a .bptrace reads back equal to its JSON Lines twin', () => {
      assert.equal(readFileSync(binaryPath).subarray(0, 8).toString('latin1'), 'BPTRACE\n');
      const fromJson = cli('trace', jsonPath, '--json');
      const fromBinary = cli('trace', binaryPath, '--json');
      assert.equal(fromJson.code, 0, fromJson.err);
      assert.equal(fromBinary.code, 0, fromBinary.err);
      assert.equal(fromJson.out.trimEnd().split('\n').length, 3);
      assert.equal(fromBinary.out, fromJson.out);
      // The recorder's own numbers come through: its loss per step, as written in the JSON Lines.
      const recorded = readFileSync(jsonPath, 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l)).filter((v) => 'step' in v);
      assert.deepEqual(fromBinary.out.trimEnd().split('\n').map((l) => JSON.parse(l).loss), recorded.map((v) => v.loss));
      assert.deepEqual(fromBinary.out.trimEnd().split('\n').map((l) => JSON.parse(l).layers[1].weightsAfter), recorded.map((v) => v.layers[1].weightsAfter));
      const tables = cli('trace', binaryPath);
      assert.equal(tables.code, 0, tables.err);
      assert.equal((tables.out.match(/^step \d+ · epoch/gm) ?? []).length, 3);
    });

    it('a truncated .bptrace names the frame and keeps the good steps', () => {
      const bytes = readFileSync(binaryPath);
      const path = join(dir, 'cut.bptrace');
      writeFileSync(path, bytes.subarray(0, bytes.length - 20));
      const r = cli('trace', path, '--json');
      assert.equal(r.code, 1);
      assert.equal(r.out, cli('trace', binaryPath, '--json', '--steps', '1-2').out);
      assert.match(r.err, /cut\.bptrace: step frame 3 \(byte \d+\): .*truncated\)\n$/);
    });
  });
});
