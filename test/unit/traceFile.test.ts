// The trace file reader (src/protocol/traceFile.ts) against docs/trace-format.md: a CLI trace
// reads back to the trainer's own records, bad lines and frames are named and the good steps
// before them kept, newer versions refused, non-finite strings read as numbers, and the binary
// form (written here byte by byte from the spec, not by the reader's code) gives the same records.
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../../src/cli/main';
import { loadModel } from '../../src/engine/model';
import { Trainer } from '../../src/engine/trainer';
import type { LayerRecord, StepRecord } from '../../src/engine/types';
import { explainChainRule, explainRecordedStep, noteText } from '../../src/engine/chainRule';
import { readBinaryTrace, readJsonLinesTrace, readTrace } from '../../src/protocol/traceFile';

const root = join(__dirname, '..', '..');

function cliTrace(model: string, steps: number): string {
  let out = '';
  const code = runCli(['run', join(root, 'examples', model), '--steps', String(steps), '--json'], { out: (t) => (out += t), err: () => {}, color: false });
  assert.equal(code, 0);
  return out;
}

function trainerRecords(model: string, steps: number): { trainer: Trainer; records: StepRecord[] } {
  const loaded = loadModel(readFileSync(join(root, 'examples', model), 'utf8'));
  const trainer = new Trainer(loaded.model!, loaded.data!);
  return { trainer, records: Array.from({ length: steps }, () => trainer.step()) };
}

const TENSOR_FIELDS = ['weights', 'bias', 'input', 'z', 'a', 'localGrad', 'upstream', 'delta', 'gradWeights', 'gradBias', 'updateWeights', 'updateBias', 'weightsAfter', 'biasAfter'] as const;

/** The numbers of a tensor; −0 as 0, since JSON has no −0. */
const values = (tensor: Float64Array) => Array.from(tensor, (v) => (v === 0 ? 0 : v));

function assertSameRecord(actual: StepRecord, expected: StepRecord): void {
  for (const key of ['step', 'epoch', 'loss', 'dataLoss', 'regLoss', 'lossAfter'] as const) assert.equal(actual[key], expected[key], key);
  assert.deepEqual(actual.batch, expected.batch);
  assert.equal(actual.layers.length, expected.layers.length);
  actual.layers.forEach((layer, l) => {
    const want = expected.layers[l];
    for (const key of ['index', 'units', 'inputs', 'activation', 'rows'] as const) assert.equal(layer[key], want[key], `layers[${l}].${key}`);
    for (const field of TENSOR_FIELDS) assert.deepEqual(values(layer[field]!), values(want[field]!), `layers[${l}].${field}`);
  });
  assert.equal(actual.optimizer!.type, expected.optimizer!.type);
}

/** Replaces the `line`-th line (1-based) of a JSON Lines text. */
function withLine(text: string, line: number, replacement: string): string {
  const lines = text.split('\n');
  lines[line - 1] = replacement;
  return lines.join('\n');
}

describe('trace files: JSON Lines', () => {
  it('a CLI trace reads back to the trainer\'s records, every tensor exactly (xor: 2 layers, l2, momentum)', () => {
    const { records } = trainerRecords('xor.backprop.json', 4);
    const read = readJsonLinesTrace(cliTrace('xor.backprop.json', 4), 'xor.trace.jsonl');
    assert.equal(read.problem, undefined);
    assert.equal(read.records.length, 4);
    read.records.forEach((record, i) => assertSameRecord(record, records[i]));
    const velocity = read.records[1].optimizer!.state['layers[0].weights'] as { velocity: Float64Array };
    assert.deepEqual(values(velocity.velocity), values((records[1].optimizer!.state['layers[0].weights'] as { velocity: Float64Array }).velocity));
  });

  it('softmax layers read their per-sample Jacobians (batch × out × out)', () => {
    const { records } = trainerRecords('02-norms-and-information.backprop.json', 2);
    const read = readJsonLinesTrace(cliTrace('02-norms-and-information.backprop.json', 2), 'softmax.jsonl');
    assert.equal(read.problem, undefined);
    read.records.forEach((record, i) => assertSameRecord(record, records[i]));
  });

  it('a malformed line is named, and the good lines before it still open', () => {
    const text = withLine(cliTrace('xor.backprop.json', 4), 3, '{"step": 3, "epoch": 2,');
    const read = readJsonLinesTrace(text, 'run.trace.jsonl');
    assert.equal(read.records.length, 2);
    assert.equal(read.problem!.line, 3);
    assert.match(read.problem!.message, /^run\.trace\.jsonl:3: not valid JSON/);
  });

  it('a line cut off at the end of the file (still being written) is named as cut off', () => {
    const text = cliTrace('xor.backprop.json', 3);
    const cut = text.slice(0, text.length - 200);
    const read = readJsonLinesTrace(cut, 'run.trace.jsonl');
    assert.equal(read.records.length, 2);
    assert.equal(read.problem!.line, 3);
    assert.match(read.problem!.message, /:3: the line is cut off/);
  });

  it('a field of the wrong shape or type is named with its path and line', () => {
    const lines = cliTrace('xor.backprop.json', 2).trimEnd().split('\n');
    const bad = JSON.parse(lines[1]);
    bad.layers[1].z = [[0.5]];
    const read = readJsonLinesTrace(`${lines[0]}\n${JSON.stringify(bad)}\n`, 't.jsonl');
    assert.equal(read.records.length, 1);
    assert.match(read.problem!.message, /^t\.jsonl:2: layers\[1\]\.z: expected 2 × 1 numbers \(2 here\), got 1 entries/);
    bad.layers[1].z = [[0.5], ['x']];
    assert.match(readJsonLinesTrace(`${JSON.stringify(bad)}\n`, 't.jsonl').problem!.message, /t\.jsonl:1: layers\[1\]\.z\[1\]\[0\]: expected a number, got "x"/);
    delete bad.loss;
    bad.layers[1].z = [[0.5], [0.25]];
    assert.match(readJsonLinesTrace(`${JSON.stringify(bad)}\n`, 't.jsonl').problem!.message, /t\.jsonl:1: loss: expected a number/);
  });

  it('a newer format version is refused at line 1 and nothing is read', () => {
    const header = JSON.stringify({ format: 'backprop-stepper-trace', version: 2, producer: { name: 'backprop_stepper' } });
    const read = readJsonLinesTrace(`${header}\n${cliTrace('xor.backprop.json', 2)}`, 'run.trace.jsonl');
    assert.equal(read.records.length, 0);
    assert.equal(read.problem!.line, 1);
    assert.equal(read.problem!.message, 'run.trace.jsonl:1: trace format version 2 is newer than this reader (1); update Backprop Stepper');
  });

  it('a version-1 header is kept; a header after line 1 is an error there', () => {
    const header = JSON.stringify({ format: 'backprop-stepper-trace', version: 1, producer: { name: 'backprop_stepper', torch: '1.13.1' }, dtype: 'float32' });
    const steps = cliTrace('xor.backprop.json', 2);
    const read = readJsonLinesTrace(`${header}\n${steps}`, 'h.jsonl');
    assert.equal(read.problem, undefined);
    assert.equal(read.header!.dtype, 'float32');
    assert.equal(read.records.length, 2);
    const late = readJsonLinesTrace(`${steps}${header}\n`, 'h.jsonl');
    assert.equal(late.records.length, 2);
    assert.match(late.problem!.message, /h\.jsonl:3: a file header is only allowed as the first record/);
  });

  it('"Infinity", "-Infinity" and "NaN" read as those numbers wherever a number is expected', () => {
    const line = JSON.parse(cliTrace('xor.backprop.json', 1));
    line.loss = 'Infinity';
    line.lossAfter = 'NaN';
    line.layers[1].upstream[0][0] = '-Infinity';
    line.layers[0].z[1][2] = 'NaN';
    const record = readJsonLinesTrace(JSON.stringify(line), 'nf.jsonl').records[0];
    assert.equal(record.loss, Infinity);
    assert.ok(Number.isNaN(record.lossAfter));
    assert.equal(record.layers[1].upstream![0], -Infinity);
    assert.ok(Number.isNaN(record.layers[0].z![1 * 3 + 2]));
    line.layers[0].z[1][2] = 'infinity';
    assert.match(readJsonLinesTrace(JSON.stringify(line), 'nf.jsonl').problem!.message, /layers\[0\]\.z\[1\]\[2\]: expected a number, got "infinity"/);
  });

  it('steps must increase; operation lines of --grain op are skipped; an empty file says so', () => {
    const [one, two] = cliTrace('xor.backprop.json', 2).trimEnd().split('\n');
    assert.match(readJsonLinesTrace(`${two}\n${one}\n`, 'o.jsonl').problem!.message, /o\.jsonl:2: step 1 comes after step 2/);
    let ops = '';
    runCli(['run', join(root, 'examples', 'xor.backprop.json'), '--steps', '2', '--grain', 'op', '--json'], { out: (t) => (ops += t), err: () => {}, color: false });
    const read = readJsonLinesTrace(ops, 'ops.jsonl');
    assert.equal(read.problem, undefined);
    assert.deepEqual(read.records.map((r) => r.step), [1, 2]);
    assert.match(readJsonLinesTrace('', 'empty.jsonl').problem!.message, /empty\.jsonl:1: no training steps/);
  });

  it('opaque layers of the recorder are left out and listed; recorder nulls are fields not known', () => {
    const line = JSON.parse(cliTrace('xor.backprop.json', 1));
    line.layers.splice(1, 0, { index: 1, kind: 'opaque', module: '2', type: 'Dropout', input: [[1, 2, 3]], output: [[1, 2, 3]] });
    line.layers[2].index = 2;
    line.lossAfter = null;
    line.layers[0].bias = null;
    line.layers[0].gradBias = null;
    const read = readJsonLinesTrace(JSON.stringify(line), 'opaque.jsonl');
    assert.equal(read.problem, undefined);
    assert.deepEqual(read.omitted, [{ step: 1, module: '2', type: 'Dropout' }]);
    const record = read.records[0];
    assert.equal(record.layers.length, 2);
    assert.equal(record.lossAfter, undefined);
    assert.deepEqual(Array.from(record.layers[0].bias), [0, 0, 0]);
    assert.equal(record.layers[0].gradBias, undefined);
  });
});

// ---- the binary form, written from the spec (docs/trace-format.md §4)

interface Block {
  shape: number[];
  data: number[];
  dtype: 'float64' | 'float32';
}

/** One frame: the JSON (with {"$tensor"} references to `blocks`) padded to 8-byte alignment, then the blocks. */
function frame(json: unknown, blocks: Block[]): Uint8Array {
  const parts: Uint8Array[] = [];
  let offset = 0;
  const refs = blocks.map((b) => {
    const bytes = new Uint8Array(b.data.length * (b.dtype === 'float64' ? 8 : 4) + 7 & ~7);
    const view = new DataView(bytes.buffer);
    b.data.forEach((v, i) => (b.dtype === 'float64' ? view.setFloat64(i * 8, v, true) : view.setFloat32(i * 4, v, true)));
    parts.push(bytes);
    const ref = { $tensor: { offset, shape: b.shape, dtype: b.dtype } };
    offset += bytes.length;
    return ref;
  });
  let text = JSON.stringify(json, (_k, v) => (typeof v === 'string' && v.startsWith('@block') ? refs[Number(v.slice(6))] : v));
  while ((16 + Buffer.byteLength(text)) % 8 !== 0) text += ' ';
  const head = new Uint8Array(16);
  const view = new DataView(head.buffer);
  view.setUint32(0, Buffer.byteLength(text), true);
  view.setUint32(4, 0, true);
  view.setBigUint64(8, BigInt(offset), true);
  return Buffer.concat([head, Buffer.from(text), ...parts]);
}

/** A CLI StepTrace line with every tensor moved into a block (float64, or float32 for `z`). */
function binaryStep(trace: Record<string, unknown>): Uint8Array {
  const blocks: Block[] = [];
  const move = (value: unknown, dtype: Block['dtype'] = 'float64'): string => {
    const shape: number[] = [];
    for (let v = value; Array.isArray(v); v = v[0]) shape.push(v.length);
    blocks.push({ shape, data: (value as unknown[]).flat(3) as number[], dtype });
    return `@block${blocks.length - 1}`;
  };
  const layers = (trace.layers as Record<string, unknown>[]).map((layer) => {
    const out: Record<string, unknown> = { ...layer };
    for (const field of ['input', 'a', 'localGrad', 'upstream', 'delta', 'weights', 'bias', 'gradWeights', 'gradBias', 'weightsAfter', 'biasAfter']) out[field] = move(layer[field]);
    out.z = move(layer.z, 'float32');
    const update = layer.update as { weights: unknown; bias: unknown };
    out.update = { weights: move(update.weights), bias: move(update.bias) };
    return out;
  });
  return frame({ ...trace, layers }, blocks);
}

const MAGIC = Buffer.from('BPTRACE\n');
const HEADER = frame({ format: 'backprop-stepper-trace', version: 1, producer: { name: 'test' }, dtype: 'float64' }, []);

describe('trace files: binary (.bptrace)', () => {
  const lines = cliTrace('xor.backprop.json', 3).trimEnd().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
  const steps = lines.map(binaryStep);
  const file = Buffer.concat([MAGIC, HEADER, ...steps]);

  it('reads the same records as the JSON Lines form; float32 blocks widen exactly', () => {
    const read = readTrace(file, 'run.bptrace');
    assert.equal(read.problem, undefined);
    assert.equal(read.header!.producer!.name, 'test');
    const json = readJsonLinesTrace(lines.map((l) => JSON.stringify(l)).join('\n'), 'run.jsonl');
    read.records.forEach((record, i) => {
      const expected = json.records[i];
      const z = expected.layers[0].z!;
      assert.deepEqual(Array.from(record.layers[0].z!), Array.from(z, (v) => Math.fround(v)));
      record.layers.forEach((layer) => (layer.z = undefined));
      expected.layers.forEach((layer: LayerRecord) => (layer.z = undefined));
      assert.deepEqual(record, expected);
    });
  });

  it('a file that ends inside a frame: the frames before it are good, the error names the frame and its byte', () => {
    const cut = file.subarray(0, file.length - 10);
    const read = readBinaryTrace(cut, 'run.bptrace');
    assert.equal(read.records.length, 2);
    const at = MAGIC.length + HEADER.length + steps[0].length + steps[1].length;
    assert.equal(read.problem!.frame, 3);
    assert.equal(read.problem!.byteOffset, at);
    assert.match(read.problem!.message, new RegExp(`^run\\.bptrace: step frame 3 \\(byte ${at}\\): the frame needs \\d+ bytes but the file has \\d+ left \\(truncated\\)`));
  });

  it('a reference past its data block, a missing header and a newer version are named', () => {
    const overrun = frame({ ...lines[0], layers: [{ ...(lines[0].layers as object[])[0], z: { $tensor: { offset: 64, shape: [2, 3], dtype: 'float64' } } }] }, []);
    const read = readBinaryTrace(Buffer.concat([MAGIC, HEADER, steps[0], overrun]), 'o.bptrace');
    assert.equal(read.records.length, 1);
    assert.match(read.problem!.message, /step frame 2 .*\$tensor: \[64, 112\) runs past the frame's 0-byte data block/);
    assert.match(readBinaryTrace(Buffer.concat([MAGIC, steps[0]]), 'n.bptrace').problem!.message, /header frame \(byte 8\): frame 0 must be the file header/);
    const newer = frame({ format: 'backprop-stepper-trace', version: 7 }, []);
    const refused = readBinaryTrace(Buffer.concat([MAGIC, newer, steps[0]]), 'v.bptrace');
    assert.equal(refused.records.length, 0);
    assert.match(refused.problem!.message, /v\.bptrace: header frame \(byte 8\): trace format version 7 is newer than this reader \(1\)/);
  });
});

describe('the chain rule of a recorded step', () => {
  it('equals the engine\'s explanation factor by factor, from the file\'s numbers alone (lecture network, mse)', () => {
    const model = '05-backprop-lecture-network.backprop.json';
    const { trainer, records } = trainerRecords(model, 2);
    const read = readJsonLinesTrace(cliTrace(model, 2), 'lecture.jsonl');
    const record = read.records[1];
    for (const target of [{ layer: 0, kind: 'weight', out: 1, in: 0 }, { layer: 0, kind: 'bias', out: 0 }, { layer: 1, kind: 'weight', out: 0, in: 1 }] as const) {
      const recorded = explainRecordedStep(record, target);
      // The engine's own explanation at the same weights and batch.
      const net = { inputs: trainer.network.inputs, layers: trainer.network.layers.map((layer, l) => ({ ...layer, weights: records[1].layers[l].weights, bias: records[1].layers[l].bias })) };
      const { dataset, split } = trainer.data;
      const rows = records[1].batch.map((p) => split.train[p]);
      const x = Float64Array.from(rows.flatMap((r) => Array.from(dataset.x.subarray(r * dataset.inputs, (r + 1) * dataset.inputs))));
      const y = Float64Array.from(rows.flatMap((r) => Array.from(dataset.y.subarray(r * dataset.outputs, (r + 1) * dataset.outputs))));
      const engine = explainChainRule(net, trainer.lossSpec, { x, y, rows: rows.length }, target);
      assert.deepEqual(recorded.factors.map((f) => f.role), engine.factors.map((f) => f.role));
      recorded.factors.forEach((f, i) => f.perSample.forEach((v, r) => assert.ok(Math.abs(v - engine.factors[i].perSample[r]) <= 1e-12 * Math.max(1, Math.abs(v)), `${f.symbol} sample ${r}`)));
      assert.equal(recorded.loss, null);
      assert.equal(recorded.finiteDifference, undefined);
      assert.match(noteText(recorded.notes[0]), /finite-difference check is not available/);
      const gradient = target.kind === 'weight' ? record.layers[target.layer].gradWeights![target.out * record.layers[target.layer].inputs + target.in] : record.layers[target.layer].gradBias![target.out];
      assert.equal(recorded.engineGradient, gradient);
      assert.ok(Math.abs(recorded.product.sum - gradient) <= 1e-12 * Math.max(1, Math.abs(gradient)), 'no penalty: the product is the recorded gradient');
    }
  });

  it('a softmax output (no loss known) multiplies ∂J/∂a by the recorded Jacobian; its product is the recorded gradient', () => {
    const read = readJsonLinesTrace(cliTrace('07-optimizer-race.backprop.json', 1), 'race.jsonl');
    const record = read.records[0];
    const e = explainRecordedStep(record, { layer: 1, kind: 'weight', out: 3, in: 5 });
    assert.deepEqual(e.factors.map((f) => f.role), ['backprop-sum', 'activation-gradient', 'input']);
    const top = explainRecordedStep(record, { layer: 2, kind: 'bias', out: 2 });
    assert.deepEqual(top.factors.map((f) => f.role), ['output-delta', 'input']);
    assert.equal(top.factors[0].sum!.terms.length, 3);
    for (const x of [e, top]) assert.ok(Math.abs(x.product.sum - x.engineGradient) <= 1e-12 * Math.max(1e-3, Math.abs(x.engineGradient)));
  });

  it('says which recorded field is missing', () => {
    const record = readJsonLinesTrace(cliTrace('xor.backprop.json', 1), 'x.jsonl').records[0];
    record.layers[1].upstream = undefined;
    assert.throws(() => explainRecordedStep(record, { layer: 0, kind: 'weight', out: 0, in: 0 }), /layers\[1\]\.upstream is not in step 1/);
  });
});
