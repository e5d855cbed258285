import { strict as assert } from 'node:assert';
import { type Part, type PartRead, SUMMARY, decodeRecord, encodeRecord, messageByteParts, messageBytes, extremes, recordTensors, shownList, shownOf, tensorOf } from '../../src/protocol/traceCodec';
import { HistoryCursor } from '../../src/extension/inspectorMessages';
import { validateWebviewMessage } from '../../src/protocol/validate';
import { SMALL_SUMMARY } from '../support/models';
import { toStepTrace } from '../../src/engine/trace';
import type { StepRecord } from '../../src/engine/types';
import { runSteps, syntheticModel } from '../support/engineSteps';

// Independent references: the engine's nested-array StepTrace (toStepTrace), reduced with plain loops.
const flatten = (value: unknown): number[] => (Array.isArray(value) ? value.flatMap(flatten) : [value as number]);
const columnStats = (rows: number[][]) => {
  const cols = rows[0].length;
  const col = (j: number) => rows.map((r) => r[j]);
  return {
    mean: Array.from({ length: cols }, (_, j) => col(j).reduce((s, v) => s + v, 0) / rows.length),
    min: Array.from({ length: cols }, (_, j) => Math.min(...col(j))),
    max: Array.from({ length: cols }, (_, j) => Math.max(...col(j))),
  };
};
const closeAll = (actual: ArrayLike<number>, expected: number[], tol = 1e-12) => {
  assert.equal(actual.length, expected.length);
  for (let i = 0; i < expected.length; i++) {
    assert.ok(Math.abs(actual[i] - expected[i]) <= tol * Math.max(1, Math.abs(expected[i])), `element ${i}: ${actual[i]} vs ${expected[i]}`);
  }
};

describe('protocol: trace codec', () => {
  const small = runSteps(syntheticModel([2, 8, 8, 1], ['tanh', 'relu', 'sigmoid'], 'binary-cross-entropy', 16), 3, 4);
  const softmax = runSteps(syntheticModel([3, 4, 3], ['sigmoid', 'softmax'], 'cross-entropy', 6, { type: 'adam', learningRate: 0.01 }), 2, 3);

  it('round-trips every tensor of a small step bit for bit, matching the StepTrace', () => {
    const record = small.records[2];
    const decoded = decodeRecord(encodeRecord(record));
    const trace = toStepTrace(record);
    for (const [l, layer] of trace.layers.entries()) {
      const fields: [string, unknown][] = [
        ['input', layer.input], ['z', layer.z], ['a', layer.a], ['localGrad', layer.localGrad], ['upstream', layer.upstream],
        ['delta', layer.delta], ['weights', layer.weights], ['bias', layer.bias], ['gradWeights', layer.gradWeights],
        ['gradBias', layer.gradBias], ['updateWeights', layer.update.weights], ['updateBias', layer.update.bias],
        ['weightsAfter', layer.weightsAfter], ['biasAfter', layer.biasAfter],
      ];
      for (const [field, nested] of fields) {
        const view = decoded.tensor(`layers[${l}].${field}`);
        assert.ok(view?.full, `layers[${l}].${field} should be sent whole`);
        assert.deepEqual(Array.from(view.full), flatten(nested), `layers[${l}].${field}`);
      }
    }
    assert.equal(decoded.loss, trace.loss);
    assert.equal(decoded.lossAfter, trace.lossAfter);
    assert.equal('batch' in decoded || 'epoch' in decoded, false, 'the batch and the epoch stay with the host (the data view and the position carry them)');
  });

  it('sends the softmax Jacobian as rows × units × units and keeps optimizer state tensors and scalars', () => {
    const record = softmax.records[1];
    const decoded = decodeRecord(encodeRecord(record));
    const jac = decoded.tensor('layers[1].localGrad')!;
    assert.deepEqual(jac.shape, [3, 3, 3]);
    assert.deepEqual(Array.from(jac.full!), flatten(toStepTrace(record).layers[1].localGrad));
    const trace = toStepTrace(record);
    const state = trace.optimizer.state as Record<string, Record<string, number[]>>;
    let tensors = 0;
    for (const [param, entries] of Object.entries(state)) {
      if (typeof entries !== 'object') continue;
      for (const [key, values] of Object.entries(entries)) {
        if (!Array.isArray(values)) continue;
        const view = decoded.tensor(`optimizer/${param}/${key}`);
        assert.ok(view?.full, `optimizer/${param}/${key}`);
        assert.deepEqual(Array.from(view.full), values);
        tensors++;
      }
    }
    assert.ok(tensors >= 8, `expected Adam's m, v, … per parameter, found ${tensors}`);
    assert.deepEqual(decoded.tensor('optimizer/layers[0].weights/m')!.shape, [4, 3]);
    assert.deepEqual(Object.keys(decoded.optimizer?.scalars ?? {}).sort(), ['biasCorrection1', 'biasCorrection2', 't'], "Adam's scalars, its tensors apart");
  });

  it('summarizes large tensors exactly as documented: batch mean/min/max and the first samples; per-unit stats', () => {
    const big = runSteps(syntheticModel([784, 128, 10], ['relu', 'softmax'], 'cross-entropy', 8), 1, 8);
    const record = big.records[0];
    const encoded = encodeRecord(record);
    const decoded = decodeRecord(encoded);
    const trace = toStepTrace(record);
    const input = decoded.tensor('layers[0].input')!;
    assert.equal(input.full, undefined, '8 × 784 is above the full limit');
    const stats = columnStats(trace.layers[0].input);
    closeAll(input.mean!, stats.mean);
    assert.deepEqual(Array.from(input.min!), stats.min);
    assert.deepEqual(Array.from(input.max!), stats.max);
    assert.deepEqual(input.partShapes.head, [SUMMARY.headSamples, 784]);
    assert.deepEqual(Array.from(input.head!), trace.layers[0].input.slice(0, SUMMARY.headSamples).flat());
    const w = decoded.tensor('layers[0].weights')!;
    assert.equal(w.full, undefined);
    const rowStats = columnStats(trace.layers[0].weights.map((row) => row).reduce<number[][]>((acc, row) => {
      row.forEach((v, j) => { (acc[j] ??= []).push(v); });
      return acc;
    }, []));
    closeAll(w.mean!, rowStats.mean);
    assert.deepEqual(Array.from(w.min!), rowStats.min);
    assert.deepEqual(Array.from(w.max!), rowStats.max);
    // The second layer's weights (10 × 128) are small enough to go whole.
    assert.deepEqual(Array.from(decoded.tensor('layers[1].weights')!.full!), trace.layers[1].weights.flat());
    // Full detail on request sends everything whole.
    const full = decodeRecord(encodeRecord(record, 'full'));
    assert.deepEqual(Array.from(full.tensor('layers[0].weights')!.full!), trace.layers[0].weights.flat());
    assert.ok(messageBytes(encoded) < messageBytes(encodeRecord(record, 'full')) / 5);
    assert.deepEqual(Array.from(tensorOf(record, 'layers[0].input')!.data), trace.layers[0].input.flat());
  });

  it('sends only the parts the webview reads, bit for bit as the trace, and notes what its views read', () => {
    const record = small.records[1];
    const trace = toStepTrace(record);
    const shown = new Map([['layers[1].z', wholeParts('mean')], ['layers[0].weights', wholeParts('full')]]);
    const decoded = decodeRecord(encodeRecord(record, 'summary', shown));
    assert.deepEqual(decoded.names, recordTensors(record).map((t) => t.name), 'every tensor keeps its place in the table');
    const z = decoded.tensor('layers[1].z')!;
    closeAll(z.mean!, columnStats(trace.layers[1].z).mean);
    const stats = columnStats(trace.layers[1].z);
    // The mean's rounded zeros, against the rule worked out here from the trace's samples.
    const samples = trace.layers[1].z as number[][];
    stats.mean.forEach((m, j) => {
      const largest = Math.max(...samples.map((row) => Math.abs(row[j])));
      assert.equal(z.roundedZero(j), m !== 0 && Math.abs(m) <= samples.length * 2 ** -52 * largest, `mean(layers[1].z)[${j}]`);
    });
    assert.equal(z.full, undefined);
    assert.equal(z.min, undefined);
    assert.deepEqual(Array.from(decoded.tensor('layers[0].weights')!.full!), trace.layers[0].weights.flat());
    assert.equal(decoded.tensor('layers[0].bias')!.full, undefined, 'a tensor not read goes as its shape alone');
    assert.deepEqual(decoded.tensor('layers[0].bias')!.shape, [8]);
    // Reading notes the part (present or not), and a tensor looked up that the record lacks.
    const read = decodeRecord(encodeRecord(record, 'summary', shown));
    void read.tensor('layers[1].z')!.mean;
    void read.tensor('layers[1].z')!.full;
    void read.tensor('layers[2].bias')!.mean;
    void read.tensor('layers[7].z');
    assert.deepEqual(shownList(read.reads), [
      { name: 'layers[1].z', parts: ['mean', 'full'] }, { name: 'layers[2].bias', parts: ['mean'] }, { name: 'layers[7].z', parts: [] },
    ]);
    // A tensor listed with no parts (looked up before it was computed) goes whole.
    const looked = decodeRecord(encodeRecord(record, 'summary', new Map([['layers[2].delta', wholeParts()]])));
    assert.deepEqual(Array.from(looked.tensor('layers[2].delta')!.full!), trace.layers[2].delta.flat());
  });

  it('sends only the index ranges a view reads, bit for bit, and the ranges a view reads next on the next record', () => {
    const record = small.records[1];
    const trace = toStepTrace(record);
    const z = trace.layers[1].z; // rows × 8
    const w = trace.layers[1].weights.flat(); // 8 × 8
    const first = decodeRecord(encodeRecord(record));
    // One sample's slice of z and two cells of each of two rows of W: what the page then lists.
    assert.ok(first.tensor('layers[1].z')!.read('full', [[8, 16]]));
    first.tensor('layers[1].weights')!.read('full', [[8, 10], [16, 18]]);
    first.tensor('layers[1].weights')!.read('full', [[9, 11]]);
    first.tensor('layers[1].bias')!.read('full');
    const list = shownList(first.reads);
    assert.deepEqual(list, [
      { name: 'layers[1].z', parts: ['full'], ranges: { full: [[8, 16]] } },
      { name: 'layers[1].weights', parts: ['full'], ranges: { full: [[8, 11], [16, 18]] } },
      { name: 'layers[1].bias', parts: ['full'] },
    ]);
    const encoded = encodeRecord(record, 'summary', shownOf(list));
    assert.deepEqual(encoded.table['layers[1].weights'].full, { offset: 8, length: 5, shape: [8, 8], ranges: [[8, 11], [16, 18]] }, 'the table says which indices the slot holds');
    assert.equal(encoded.data.length, 8 + 5 + 8);
    const decoded = decodeRecord(encoded);
    const sample1 = decoded.tensor('layers[1].z')!.read('full', [[8, 16]])!;
    assert.deepEqual(Array.from(sample1.subarray(8, 16)), z[1], 'sample 1 of z, bit for bit');
    const weights = decoded.tensor('layers[1].weights')!;
    const cells = weights.read('full', [[8, 11], [16, 18]])!;
    for (const i of [8, 9, 10, 16, 17]) assert.ok(Object.is(cells[i], w[i]), `W[${i}]`);
    assert.equal(weights.full, undefined, 'the whole part is not there');
    assert.equal(weights.read('full', [[0, 1]]), undefined, 'nor a range not sent');
    assert.deepEqual(Array.from(decoded.tensor('layers[1].bias')!.full!), trace.layers[1].bias);
    // The view now reads a new range and the whole part: the next record carries them.
    const next = encodeRecord(record, 'summary', shownOf(shownList(decoded.reads)));
    assert.deepEqual(next.table['layers[1].weights'].full?.ranges, undefined, 'read whole: sent whole');
    assert.deepEqual(Array.from(decodeRecord(next).tensor('layers[1].weights')!.full!), w);
    // A range past the part's end is cut to it; ranges covering the part send it whole.
    const clipped = encodeRecord(record, 'summary', new Map([['layers[1].bias', new Map<Part, PartRead>([['full', [[0, 3], [3, 100]]]])]]));
    assert.equal(clipped.table['layers[1].bias'].full?.ranges, undefined);
    // requestTensor still answers the whole tensor.
    assert.deepEqual(Array.from(tensorOf(record, 'layers[1].weights')!.data), w);
  });

  it('sends the smallest and largest entry of each sample, of the batch mean and of a parameter, where they are (extremes)', () => {
    const record = small.records[1];
    const trace = toStepTrace(record);
    const decoded = decodeRecord(encodeRecord(record));
    /** [index, value] of the first smallest and the first largest, scanned here from the trace. */
    const scan = (values: number[]) => {
      const lo = values.indexOf(Math.min(...values));
      const hi = values.indexOf(Math.max(...values));
      return [lo, values[lo], hi, values[hi]];
    };
    const a = decoded.tensor('layers[0].a')!;
    assert.deepEqual(a.partShapes.extremes, [trace.layers[0].a.length + 1, 4]);
    trace.layers[0].a.forEach((row, r) => assert.deepEqual(Array.from(a.extremes!.subarray(4 * r, 4 * r + 4)), scan(row), `sample ${r}`));
    assert.deepEqual(Array.from(a.extremes!.subarray(-4)), scan(Array.from(a.mean!)), 'the batch mean, from the mean sent');
    assert.deepEqual(Array.from(decoded.tensor('layers[1].bias')!.extremes!), scan(trace.layers[1].bias));
    assert.deepEqual(extremes([2, 1, 1, 3, 3]), [1, 1, 3, 3], 'the first of equal ones');
    assert.deepEqual(extremes([5, 7, 4, 9], 1, 3), [1, 4, 0, 7], 'indices count from `from`');
    assert.deepEqual(extremes([]), [-1, NaN, -1, NaN]);
  });

  it('leaves out the layers and the table the webview already has, and reads the next record with them', () => {
    const cursor = new HistoryCursor();
    const first = cursor.unchangedLayout(encodeRecord(small.records[0]));
    const second = cursor.unchangedLayout(encodeRecord(small.records[1]));
    assert.ok(first.table && first.layers);
    assert.equal(second.table, undefined);
    assert.equal(second.layers, undefined);
    const decoded = decodeRecord(second, decodeRecord(first));
    assert.deepEqual(Array.from(decoded.tensor('layers[1].gradWeights')!.full!), toStepTrace(small.records[1]).layers[1].gradWeights.flat());
    assert.throws(() => decodeRecord(second), /record\.table: absent, and there is no earlier record to take it from/);
    cursor.restart();
    assert.ok(cursor.unchangedLayout(encodeRecord(small.records[1])).table, 'a restarted webview gets the table again');
  });

  it('encodes a step in progress with only the tensors computed so far', () => {
    const done = small.records[0];
    const partial: StepRecord = {
      step: done.step, epoch: done.epoch, batch: done.batch,
      layers: done.layers.map((l, i) => (i === 0 ? { ...l, gradWeights: undefined, gradBias: undefined, localGrad: undefined, upstream: undefined, delta: undefined, updateWeights: undefined, updateBias: undefined, weightsAfter: undefined, biasAfter: undefined }
        : { index: l.index, units: l.units, inputs: l.inputs, activation: l.activation, rows: l.rows, weights: l.weights, bias: l.bias })),
    };
    const decoded = decodeRecord(encodeRecord(partial));
    assert.deepEqual(decoded.names.sort(), ['layers[0].a', 'layers[0].bias', 'layers[0].input', 'layers[0].weights', 'layers[0].z', 'layers[1].bias', 'layers[1].weights', 'layers[2].bias', 'layers[2].weights'].sort());
    assert.equal(decoded.loss, undefined);
    assert.equal(decoded.optimizer, undefined);
  });

  it('decodes into views of the one array, without copying', () => {
    const encoded = encodeRecord(small.records[0]);
    const view = decodeRecord(encoded).tensor('layers[1].delta')!;
    assert.equal(view.full!.buffer, encoded.data.buffer);
    assert.equal(recordTensors(small.records[0]).length, Object.keys(encoded.table).length);
  });

  it('rejects a table that does not fit its data, naming the tensor', () => {
    const encoded = encodeRecord(small.records[0]);
    const truncated = { ...encoded, data: encoded.data.subarray(0, 10) };
    assert.throws(() => decodeRecord(truncated), /record\.table\["layers\[0\]\.\w+"\]\.\w+: \[\d+, \d+\) runs past the data \(10 numbers\)/);
    const badShape = structuredClone(encoded);
    badShape.table['layers[0].z'].full!.shape = [3, 3];
    assert.throws(() => decodeRecord(badShape), /layers\[0\]\.z"\]\.full: shape \[3,3\] does not hold/);
    assert.throws(() => decodeRecord({ ...encoded, data: [1, 2] as unknown as Float64Array }), /expected a Float64Array/);
    const ranged = encodeRecord(small.records[0], 'summary', new Map([['layers[1].weights', new Map<Part, PartRead>([['full', [[0, 2], [4, 6]]]])]]));
    const withRanges = (ranges: unknown, length = 4) => {
      const bad = structuredClone(ranged);
      Object.assign(bad.table['layers[1].weights'].full!, { ranges, length });
      return bad;
    };
    assert.doesNotThrow(() => decodeRecord(withRanges([[0, 2], [4, 6]])));
    assert.throws(() => decodeRecord(withRanges([[4, 6], [0, 2]])), /layers\[1\]\.weights"\]\.full: ranges must be increasing, apart and within \[0, 64\): \[0,2\]/);
    assert.throws(() => decodeRecord(withRanges([[0, 2], [62, 66]])), /layers\[1\]\.weights"\]\.full: ranges must be increasing/);
    assert.throws(() => decodeRecord(withRanges([[0, 3], [4, 6]])), /layers\[1\]\.weights"\]\.full: ranges hold 5 numbers, not 4/);
    assert.throws(() => decodeRecord(withRanges('all')), /layers\[1\]\.weights"\]\.full: ranges must be a list/);
    // Rounded zeros name indices of a batch tensor's mean (layers[0].z: 8 units).
    const zeros = (roundedZeros: unknown) => ({ ...encoded, roundedZeros } as typeof encoded);
    assert.ok(decodeRecord(zeros({ 'layers[0].z': [0, 7] })).tensor('layers[0].z')!.roundedZero(7));
    assert.throws(() => decodeRecord(zeros({ 'layers[0].z': [8] })), /record\.roundedZeros\["layers\[0\]\.z"\]: expected indices of its mean, within \[0, 8\)/);
    assert.throws(() => decodeRecord(zeros({ 'layers[0].bias': [0] })), /record\.roundedZeros\["layers\[0\]\.bias"\]: not a batch tensor of the record/);
    assert.throws(() => decodeRecord(zeros([1])), /record\.roundedZeros: expected an object/);
  });

  it('counts typed-array bytes plus JSON bytes (UTF-8), and each part apart', () => {
    assert.equal(messageBytes({ type: 'x', data: new Float64Array(10) }), 80 + '{"type":"x"}'.length);
    // "→" is 3 bytes in UTF-8; the nested Uint8Array counts its 4 bytes, not its JSON.
    assert.deepEqual(messageByteParts({ w: '→', inner: { u: new Uint8Array(4) }, v: new Float64Array(2) }), { numbers: 20, json: '{"w":"","inner":{}}'.length + 3 });
  });
});

/** A tensor's entry of a `show` list with these parts read whole. */
function wholeParts(...parts: Part[]): Map<Part, PartRead> {
  return new Map(parts.map((part) => [part, 'whole']));
}

describe('protocol: validating webview messages', () => {
  const model = SMALL_SUMMARY;
  const check = (raw: unknown) => validateWebviewMessage(raw, { model });
  const rejects = (raw: unknown, reason: RegExp) => {
    const result = check(raw);
    assert.equal(result.ok, false, `should reject ${JSON.stringify(raw)}`);
    if (!result.ok) assert.match(result.reason, reason);
  };

  it('accepts every well-formed message and copies only the checked fields', () => {
    const good = [
      { type: 'ready' },
      { type: 'command', command: { name: 'step' } },
      { type: 'command', command: { name: 'run', stepsPerSecond: 10 } },
      { type: 'command', command: { name: 'goToStep', step: 3 } },
      { type: 'command', command: { name: 'runUntil', until: { kind: 'lossBelow', value: 0.01 } } },
      { type: 'command', command: { name: 'runUntil', until: { kind: 'nan' } } },
      { type: 'select', layer: 1, parameter: { kind: 'weight', layer: 1, out: 0, in: 2 }, sample: 1 },
      { type: 'requestTensor', step: 2, name: 'layers[0].weights' },
      { type: 'requestTensor', step: 2, name: 'optimizer/layers[1].bias/momentum_buffer' },
      { type: 'requestExplanation', step: 1, parameter: { kind: 'bias', layer: 0, out: 2 } },
      { type: 'viewState', state: { step: 4, selectedLayer: 0, sample: 'mean', diagramMode: 'gradient', detailMode: 'heatmap', speed: 4 } },
      { type: 'protocolError', reason: 'bad record' },
      { type: 'show', tensors: [{ name: 'layers[1].z', parts: ['mean', 'min'] }, { name: 'optimizer/layers[0].weights/m', parts: ['full'] }, { name: 'layers[0].delta', parts: [] }] },
      { type: 'show', tensors: [{ name: 'layers[1].z', parts: ['mean', 'full'], ranges: { full: [[0, 6], [12, 18]] } }] },
    ];
    for (const message of good) {
      const result = check(message);
      assert.ok(result.ok, `${JSON.stringify(message)}: ${!result.ok && result.reason}`);
      assert.deepEqual(result.message, message);
    }
    const extra = check({ type: 'command', command: { name: 'step', evil: 'x' }, also: 1 });
    assert.ok(extra.ok);
    assert.deepEqual(extra.message, { type: 'command', command: { name: 'step' } });
  });

  it('rejects unknown types and wrong field types with the field named', () => {
    rejects(null, /^message: expected an object, got null/);
    rejects('ready', /^message: expected an object/);
    rejects({ type: 'launchMissiles' }, /^message\.type: expected one of "ready", .* got "launchMissiles"/);
    rejects({ type: 'command', command: { name: 'format' } }, /^message\.command\.name: expected one of/);
    rejects({ type: 'command', command: { name: 'goToStep', step: '3' } }, /^message\.command\.step: expected a whole number, got "3"/);
    rejects({ type: 'command', command: { name: 'goToStep', step: 1.5 } }, /message\.command\.step: expected a whole number, got 1.5/);
    rejects({ type: 'command', command: { name: 'run', stepsPerSecond: NaN } }, /stepsPerSecond: expected a finite number/);
    rejects({ type: 'command', command: { name: 'run', stepsPerSecond: 1000 } }, /stepsPerSecond: 1000 is out of range 0.5..60/);
    rejects({ type: 'command', command: { name: 'runUntil', until: { kind: 'steps', value: 0 } } }, /until\.value: 0 is out of range 1\.\./);
    rejects({ type: 'viewState', state: { step: 1, selectedLayer: 0, sample: 'all', diagramMode: 'value', detailMode: 'numbers', speed: 4 } }, /message\.state\.sample: expected a whole number, got "all"/);
  });

  it('rejects layer, unit and input indices outside the model on screen', () => {
    rejects({ type: 'select', layer: 2 }, /^message\.layer: 2 is out of range 0\.\.1/);
    rejects({ type: 'select', layer: -1 }, /out of range/);
    rejects({ type: 'requestExplanation', step: 1, parameter: { kind: 'weight', layer: 0, out: 3, in: 0 } }, /message\.parameter\.out: 3 is out of range 0\.\.2/);
    rejects({ type: 'requestExplanation', step: 1, parameter: { kind: 'weight', layer: 1, out: 0, in: 3 } }, /message\.parameter\.in: 3 is out of range 0\.\.2/);
    rejects({ type: 'requestExplanation', step: 1, parameter: { kind: 'weight', layer: 0, out: 0 } }, /message\.parameter\.in: expected a whole number, got undefined/);
    rejects({ type: 'select', layer: 0, sample: 2 }, /message\.sample: 2 is out of range 0\.\.1/);
    rejects({ type: 'requestTensor', step: 1, name: 'layers[5].z' }, /message\.name \(layer\): 5 is out of range/);
  });

  it('rejects oversize strings and names that are not tensor names', () => {
    rejects({ type: 'protocolError', reason: 'x'.repeat(5000) }, /message\.reason: string of 5000 characters is longer than 2000/);
    rejects({ type: 'requestTensor', step: 1, name: 'x'.repeat(300) }, /message\.name: string of 300 characters/);
    rejects({ type: 'requestTensor', step: 1, name: '__proto__' }, /"__proto__" is not a tensor name/);
  });

  it('rejects a show list naming a tensor or a part that does not exist, or too long', () => {
    rejects({ type: 'show', tensors: 'all' }, /^message\.tensors: expected an array/);
    rejects({ type: 'show', tensors: [{ name: 'layers[0].z', parts: ['mean'], ranges: { full: [[0, 1]] } }] }, /^message\.tensors\[0\]\.ranges\.full: names a part not in message\.tensors\[0\]\.parts/);
    rejects({ type: 'show', tensors: [{ name: 'layers[0].z', parts: ['full'], ranges: { full: [[3, 1]] } }] }, /^message\.tensors\[0\]\.ranges\.full\[0\]: \[from, to\] with to < from/);
    rejects({ type: 'show', tensors: [{ name: 'layers[0].z', parts: ['full'], ranges: { full: [[-1, 1]] } }] }, /^message\.tensors\[0\]\.ranges\.full\[0\]\[0\]: -1 is out of range/);
    rejects({ type: 'show', tensors: [{ name: 'layers[0].z', parts: ['full'], ranges: { full: [[1, 2, 3]] } }] }, /^message\.tensors\[0\]\.ranges\.full\[0\]: expected 2\.\.2 entries/);
    rejects({ type: 'show', tensors: [{ name: 'layers[2].z', parts: ['mean'] }] }, /^message\.tensors\[0\]\.name \(layer\): 2 is out of range 0\.\.1/);
    rejects({ type: 'show', tensors: [{ name: 'layers[0].z', parts: ['median'] }] }, /^message\.tensors\[0\]\.parts\[0\]: expected one of/);
    rejects({ type: 'show', tensors: [{ name: 'layers[0].z', parts: ['mean', 'min', 'max', 'full', 'head', 'extremes', 'mean'] }] }, /message\.tensors\[0\]\.parts: expected 0\.\.6 entries, got 7/);
    rejects({ type: 'show', tensors: Array.from({ length: 5000 }, () => ({ name: 'layers[0].z', parts: [] })) }, /message\.tensors: expected 0\.\.4096 entries, got 5000/);
  });
});
