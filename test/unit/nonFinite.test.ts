// Non-finite numbers cross every JSON boundary as what they are (issue 10 item 1): JSON writes
// Infinity and NaN as null, which the screen once showed as −∞ for a +∞ loss.
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../src/cli/main';
import { fromWire, toWire } from '../../src/protocol/nonFinite';

/** What VS Code does to a webview message: JSON both ways. */
const throughJson = (message: unknown): unknown => JSON.parse(JSON.stringify(message));

describe('non-finite numbers: host ↔ webview', () => {
  it('keeps +∞, −∞ and NaN through JSON, in objects and arrays at any depth', () => {
    const message = { type: 'step', record: { loss: Infinity, lossAfter: NaN, nested: [[1, -Infinity], { x: 2 }] }, history: [0.5, Infinity] };
    assert.equal((throughJson(message) as typeof message).record.loss, null, 'plain JSON loses it: the bug this guards');
    const back = fromWire<typeof message>(throughJson(toWire(message)));
    assert.deepEqual(back, message); // deepEqual compares NaN as equal to NaN
    assert.equal(back.record.loss, Infinity);
    assert.ok(Number.isNaN(back.record.lossAfter));
    assert.equal((back.record.nested[0] as number[])[1], -Infinity);
  });
  it('leaves typed arrays as they are (they travel as bytes) and finite messages unchanged', () => {
    const data = new Float64Array([NaN, Infinity]);
    const wired = toWire({ type: 'tensor', data });
    assert.equal(wired.data, data);
    const finite = { type: 'x', a: [1, 2, { b: 'Infinity' }] };
    assert.deepEqual(fromWire(throughJson(toWire(finite))), finite, 'the string "Infinity" stays a string');
  });
  it('never lists a typed array\'s elements on the way in (a step\'s tensors arrive as typed arrays: naming each index cost ms a step)', () => {
    // A typed array that fails if anything asks for its keys, as Object.keys does.
    const watched = new Proxy(new Float64Array(784), { ownKeys() { throw new Error('a typed array\'s keys were listed'); } });
    const back = fromWire<{ record: { input: Float64Array; loss: number } }>({ type: 'step', record: { input: watched, loss: { nonFinite: 'NaN' } } });
    assert.equal(back.record.input, watched);
    assert.ok(Number.isNaN(back.record.loss));
  });
});

describe('non-finite numbers: the CLI\'s JSON Lines', () => {
  const dir = mkdtempSync(join(tmpdir(), 'backprop-nonfinite-'));
  const model = join(dir, 'diverging.backprop.json');
  writeFileSync(model, JSON.stringify({
    name: 'diverging', inputs: 1, layers: [{ units: 1, activation: 'identity' }], loss: 'mse', optimizer: { type: 'sgd', learningRate: 10 },
    data: { x: [[1], [2], [3], [4]], y: [[1], [2], [3], [4]] }, batch: { mode: 'batch' }, seed: 1,
  }));
  const run = (...args: string[]) => {
    let out = '';
    runCli(['run', model, '--steps', '100', '--json', ...args], { out: (t) => (out += t), err: () => undefined, color: false });
    return out.trimEnd().split('\n');
  };

  it('writes "Infinity" (not null) for the loss after the update of the step that overflowed', () => {
    const lines = run();
    const last = JSON.parse(lines.at(-1)!) as { step: number; loss: number; lossAfter: unknown };
    assert.equal(last.step, 70);
    assert.ok(Number.isFinite(last.loss));
    assert.equal(last.lossAfter, 'Infinity');
    assert.ok(!lines.some((line) => line.includes('null')), 'no null anywhere');
  });
  it('writes the overflowed loss after the update of the stopping step as "Infinity" at operation grain', () => {
    const lines = run('--grain', 'op');
    const stopping = lines.map((line) => JSON.parse(line) as { step: number; lossAfter?: unknown }).filter((r) => r.step === 70 && 'lossAfter' in r);
    assert.equal(stopping.length, 1);
    assert.equal(stopping[0].lossAfter, 'Infinity');
    assert.ok(!lines.some((line) => line.includes('null')), 'no null anywhere');
  });
  it('reads back in Python as float("inf")', function () {
    this.timeout(20000);
    const line = run().at(-1)!;
    const python = 'import json, math, sys; r = json.loads(sys.stdin.read()); print(math.isinf(float(r["lossAfter"])) and float(r["lossAfter"]) > 0)';
    assert.equal(execFileSync('/usr/bin/python3', ['-c', python], { input: line }).toString().trim(), 'True');
  });
});
