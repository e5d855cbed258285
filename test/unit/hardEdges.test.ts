// Issue 11: what a model file can make the loader do. Data paths stay inside the allowed folder
// and are counted in bytes read; nothing in a file can overflow the stack, echo raw file content
// or pass a limit that only fails later; problems are listed once, located, and capped.
import { strict as assert } from 'node:assert';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { nodeFileReader, readFileBounded, readFileBoundedAsync } from '../../src/engine/data/nodeFiles';
import type { DataFileReader } from '../../src/engine/data/files';
import { MAX_CSV_BYTES, MAX_NESTING, MAX_REPORTED_PROBLEMS, MAX_STEP_CPU_SECONDS } from '../../src/engine/limits';
import { estimateStepCost } from '../../src/engine/model/stepCost';
import { runCli } from '../../src/cli/main';
import { loadModel, loadModelAsync, parseModelFile } from '../../src/engine/model';
import { PARAMETER_LIMITS } from '../../src/engine/optimizers';
import { JACOBIAN_ENTRY_LIMIT } from '../../src/engine/optimizers/levenbergMarquardt';
import type { Diagnostic } from '../../src/engine/types';
import { TINY_MODEL } from '../support/models';

const base = TINY_MODEL;
const text = (extra: object = {}) => JSON.stringify({ ...base, ...extra }, null, 2);
const errors = (diagnostics: Diagnostic[]) => diagnostics.filter((d) => d.severity === 'error');

function onlyError(diagnostics: Diagnostic[], path: string, words: RegExp): Diagnostic {
  const found = errors(diagnostics);
  assert.equal(found.length, 1, found.map((d) => d.message).join('\n'));
  assert.equal(found[0].path, path, found[0].message);
  assert.match(found[0].message, words);
  return found[0];
}

/** The 1-based line and column of the `n`-th occurrence (0-based) of `needle` in `text`. */
function lineColumn(source: string, needle: string, n = 0): [number, number] {
  let at = -1;
  for (let i = 0; i <= n; i++) at = source.indexOf(needle, at + 1);
  const before = source.slice(0, at).split('\n');
  return [before.length, before[before.length - 1].length + 1];
}

/** A message is safe to print: one line, no terminal control characters, not longer than a screenful. */
function assertPrintable(message: string): void {
  assert.doesNotMatch(message, /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/, JSON.stringify(message));
  assert.ok(message.length < 1200, `${message.length} characters`);
}

describe('model file: what the text itself can do', function () {
  this.timeout(60_000);
  it('a UTF-8 byte-order mark is accepted, and positions after it stay right', () => {
    const written = text();
    assert.ok(parseModelFile(`\uFEFF${written}`).model);
    const bad = `\uFEFF${text({ loss: 'hinge' })}`;
    const d = onlyError(parseModelFile(bad).diagnostics, 'loss', /unknown loss "hinge"/);
    assert.deepEqual([d.line, d.column], lineColumn(bad, '"hinge"'));
  });

  it('a key written twice is reported at its second occurrence, naming the first', () => {
    const written = '{\n  "inputs": 2,\n  "layers": [{ "units": 1, "activation": "sigmoid" }],\n  "inputs": 3,\n  "loss": "mse",\n  "optimizer": { "type": "sgd", "learningRate": 0.1 },\n  "data": { "x": [[0, 0]], "y": [[0]] }\n}';
    const d = onlyError(parseModelFile(written).diagnostics, 'inputs', /"inputs" is written twice in this object \(first at line 2, column 3\)/);
    assert.deepEqual([d.line, d.column], lineColumn(written, '"inputs"', 1));
  });

  it('keys with control characters are echoed escaped (unknown field, duplicate, path)', () => {
    const key = JSON.stringify('batch\u009b\u001b[2J');
    for (const written of [`{"inputs": 2, ${key}: 1}`, `{${key}: 1, ${key}: 2}`]) {
      const found = parseModelFile(written).diagnostics;
      assert.ok(found.length > 0);
      for (const d of found) assertPrintable(`${d.path}: ${d.message}`);
      assert.ok(found.some((d) => /\\u009b\\u001b\[2J/.test(d.message)), found.map((d) => d.message).join('\n'));
    }
  });

  it('1e400 is said to overflow, at its place', () => {
    const written = text({ optimizer: { type: 'sgd', learningRate: 1 } }).replace('"learningRate": 1', '"learningRate": 1e400');
    const d = onlyError(parseModelFile(written).diagnostics, 'optimizer.learningRate', /1e400 overflows: it is too large for a float64 number/);
    assert.deepEqual([d.line, d.column], lineColumn(written, '1e400'));
  });

  for (const depth of [MAX_NESTING + 1, 1_900, 10_000, 1_000_000]) {
    it(`JSON nested ${depth.toLocaleString('en-US')} deep is one located error, not a stack overflow`, () => {
      const written = `{"inputs": 2, "x": ${'['.repeat(depth)}${']'.repeat(depth)}}`;
      const d = onlyError(parseModelFile(written).diagnostics, '', new RegExp(`nested more than ${MAX_NESTING} deep`));
      assert.deepEqual([d.line, d.column], [1, 20 + MAX_NESTING - 1]);
    });
  }

  it('brackets inside strings do not count as nesting', () => {
    assert.ok(parseModelFile(text({ name: '['.repeat(90) + '\\"' + '{'.repeat(90) })).model);
  });

  it('a schema error in one part does not hide a semantic problem in another', () => {
    const written = text({ layers: [{ units: 2, activation: 'softmax' }, { units: 1, activation: 'sigmoid' }], optimizer: { type: 'sgd', learningRate: 'fast' } });
    const paths = errors(parseModelFile(written).diagnostics).map((d) => d.path).sort();
    assert.deepEqual(paths, ['layers[0].activation', 'optimizer.learningRate']);
  });

  it('a schema error in the fields a check reads skips that check (no echo of the first mistake)', () => {
    const written = text({ inputs: 'two' });
    const found = errors(parseModelFile(written).diagnostics);
    assert.deepEqual(found.map((d) => d.path), ['inputs']);
  });

  it(`10,000 bad rows give ${MAX_REPORTED_PROBLEMS} problems and one line counting the rest`, () => {
    const x = Array.from({ length: 10_000 }, () => ['a', 'b']);
    const found = parseModelFile(JSON.stringify({ ...base, data: { x, y: x.map(() => [0]) } })).diagnostics;
    assert.equal(found.length, MAX_REPORTED_PROBLEMS + 1);
    assert.match(found[MAX_REPORTED_PROBLEMS].message, new RegExp(`^${20_000 - MAX_REPORTED_PROBLEMS} more problems not listed \\(the first ${MAX_REPORTED_PROBLEMS} are\\)`));
  });

  it('a model file over the size limit is refused before it is parsed', () => {
    const x = Array.from({ length: 400_000 }, () => [0.123456, 0.654321]);
    onlyError(parseModelFile(text({ data: { x, y: x.map(() => [0]) } })).diagnostics, '', /^the file is \d+\.\d MiB \([\d,]+ bytes\); model files up to 4 MiB are read/);
  });
});

describe('model file: limits checked when it is loaded, at their place', () => {
  for (const [type, limit] of Object.entries(PARAMETER_LIMITS)) {
    it(`${type}: more than ${limit.toLocaleString('en-US')} parameters is refused at optimizer.type`, () => {
      // inputs → 1 unit has inputs + 1 parameters; two such units and a second layer reach past the limit.
      const units = Math.ceil((limit + 1) / 4097);
      const layers = [{ units, activation: 'tanh' }, { units: 1, activation: 'identity' }];
      const parameters = units * 4097 + units + 1;
      assert.ok(parameters > limit);
      const d = onlyError(parseModelFile(text({ inputs: 4096, layers, optimizer: { type }, data: { generator: 'linear' } })).diagnostics, 'optimizer.type', new RegExp(`"${type}" works on networks of at most ${limit.toLocaleString('en-US')} weights and biases; this network has ${parameters.toLocaleString('en-US')}`));
      assert.ok(d.line! > 1);
    });
  }

  it('levenberg-marquardt with l1 > 0 is refused at regularization.l1; l1 = 0 is fine', () => {
    onlyError(parseModelFile(text({ regularization: { l1: 0.01 }, optimizer: { type: 'levenberg-marquardt' } })).diagnostics, 'regularization.l1', /an l1 penalty \|w\| is not one/);
    assert.ok(parseModelFile(text({ regularization: { l1: 0, l2: 0.01 }, optimizer: { type: 'levenberg-marquardt' } })).model);
  });

  it('a Levenberg–Marquardt Jacobian over its limit is refused when the data is known', () => {
    const layers = [{ units: 333, activation: 'tanh' }, { units: 1, activation: 'identity' }];
    const parameters = 333 * 3 + 334;
    const samples = Math.ceil(JACOBIAN_ENTRY_LIMIT / parameters) + 1;
    const loaded = loadModel(text({ layers, optimizer: { type: 'levenberg-marquardt' }, data: { generator: 'linear', samples } }));
    onlyError(loaded.diagnostics, 'optimizer.type', new RegExp(`Jacobian of ${samples.toLocaleString('en-US')} residuals .* × ${parameters.toLocaleString('en-US')} parameters = ${(samples * parameters).toLocaleString('en-US')} entries, more than its limit`));
  });

  it('maxIter above 1,000 is refused by the schema (one step must end)', () => {
    onlyError(parseModelFile(text({ optimizer: { type: 'newton', maxIter: 1_000_000_000 } })).diagnostics, 'optimizer.maxIter', /must be ≤ 1000, found 1000000000/);
  });

  // Reduced versions of the two files that ran past the fuzzer's 20 s: example 06 with a generated
  // whole batch (100,000 samples took 20 s of CPU for 3 steps), and conjugate gradient with
  // maxIter 1000 on 50,000 inline rows (one step took 46 s).
  it('a whole batch whose step would take longer than the limit is refused at batch.mode, with the estimate and what to change', () => {
    const layers = [{ units: 3, activation: 'sigmoid' }, { units: 3, activation: 'tanh' }, { units: 3, activation: 'relu' }, { units: 1, activation: 'identity' }];
    const loaded = loadModel(text({ layers, data: { generator: 'circles', samples: 40_000 }, batch: { mode: 'batch' } }));
    const d = onlyError(loaded.diagnostics, 'batch.mode', new RegExp(`one step is estimated at [0-9.]+ s of CPU, more than the limit of ${MAX_STEP_CPU_SECONDS} s: the step's pass over 40,000 samples and its record of 2,440,222 numbers .*use smaller mini-batches`));
    assertPrintable(d.message);
    // 40,000 samples × (2 + 3·5 + 3 + 3·5 + 3 + 3·5 + 3 + 1·5 numbers) + 6 × 37 parameters recorded.
    assert.ok(loadModel(text({ layers, data: { generator: 'circles', samples: 40_000 }, batch: { mode: 'mini-batch', size: 64 } })).data);
  });

  it('conjugate gradient whose iterations would take longer than the limit is refused at optimizer.maxIter', () => {
    const x = Array.from({ length: 2000 }, (_, i) => [Math.sin(i), Math.cos(i)]);
    const y = x.map(([a, b]) => [a * b > 0 ? 1 : 0]);
    const model = { layers: [{ units: 2, activation: 'tanh' }, { units: 1, activation: 'sigmoid' }], loss: 'binary-cross-entropy', data: { x, y } };
    const source = text({ ...model, optimizer: { type: 'conjugate-gradient', maxIter: 1000 } });
    const d = onlyError(loadModel(source).diagnostics, 'optimizer.maxIter', /one step is estimated at [0-9,.]+ s of CPU, more than the limit of 2 s: 1,000 iterations × up to 26 evaluations of the 2,000 training samples .*lower "maxIter"/);
    assert.deepEqual([d.line, d.column], lineColumn(source, '1000'));
    assert.ok(loadModel(text({ ...model, optimizer: { type: 'conjugate-gradient', maxIter: 10 } })).data);
  });

  it('a file just under the limit loads, and the CLI runs its 3 steps in about the estimated CPU time', function () {
    this.timeout(180_000);
    // 25,000 whole-batch samples of example 06's 2-3-3-3-1 network: 1,525,222 recorded numbers a step.
    const layers = [{ units: 3, activation: 'sigmoid' }, { units: 3, activation: 'tanh' }, { units: 3, activation: 'relu' }, { units: 1, activation: 'identity' }];
    const model = { ...base, layers, data: { generator: 'circles', samples: 25_000 }, batch: { mode: 'batch' } };
    const dir = mkdtempSync(join(tmpdir(), 'step-cost-'));
    try {
      const file = join(dir, 'under.backprop.json');
      writeFileSync(file, JSON.stringify(model));
      const loaded = loadModel(JSON.stringify(model));
      assert.ok(loaded.data, loaded.diagnostics.map((x) => x.message).join('\n'));
      const estimate = estimateStepCost(loaded.model!, { rows: 25_000, train: 25_000, evaluated: 25_000 });
      assert.ok(estimate.seconds > 0.5 * MAX_STEP_CPU_SECONDS && estimate.seconds <= MAX_STEP_CPU_SECONDS, `${estimate.seconds} s`);
      let lines = 0;
      const before = process.cpuUsage();
      const code = runCli(['run', file, '--steps', '3', '--json'], { out: () => lines++, err: () => undefined, color: false });
      const used = process.cpuUsage(before);
      const seconds = (used.user + used.system) / 1e6;
      assert.equal(code, 0);
      assert.equal(lines, 3);
      // CPU, not wall time: the estimate must not be an underestimate (the limit's promise); a
      // quarter more for loading the file and generating its data.
      assert.ok(seconds < 1.25 * 3 * estimate.seconds, `3 steps took ${seconds.toFixed(2)} s of CPU; estimated ${estimate.seconds.toFixed(2)} s each`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a generated dataset over the value limit is refused before it is generated', () => {
    onlyError(loadModel(text({ inputs: 4096, data: { generator: 'linear', samples: 100_000 } })).diagnostics, 'data.samples', /409,700,000 numbers, more than the limit of 10,000,000/);
  });
});

describe('data files: paths, bytes and echoes', () => {
  let dir: string;
  let workspace: string;
  const csvModel = (csv: string, target = 'label') => JSON.stringify({ ...base, layers: [{ units: 2, activation: 'softmax' }], loss: 'cross-entropy', data: { csv, target } }, null, 2);

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'backprop-edges-'));
    workspace = join(dir, 'workspace');
    mkdirSync(join(workspace, 'models'), { recursive: true });
    mkdirSync(join(workspace, 'data'));
    writeFileSync(join(dir, 'outside.csv'), 'a,b,label\n1,2,x\n3,4,y\n');
    writeFileSync(join(workspace, 'data', 'inside.csv'), 'a,b,label\n1,2,x\n3,4,y\n');
    symlinkSync(join(dir, 'outside.csv'), join(workspace, 'models', 'link-out.csv'));
    symlinkSync(join(workspace, 'data', 'inside.csv'), join(workspace, 'models', 'link-in.csv'));
    symlinkSync('/proc/self/pagemap', join(workspace, 'models', 'pagemap.csv'));
    execFileSync('mkfifo', [join(workspace, 'models', 'fifo.csv')]);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  /** A reader rooted at the workspace that fails the test if a refused file is read. */
  function guarded(): DataFileReader {
    const reader = nodeFileReader(join(workspace, 'models'), workspace);
    return { ...reader, locate: (p) => reader.locate(p), readText: (p, max) => {
      assert.ok(reader.locate(p).ok, `read a refused path ${p}`);
      return reader.readText(p, max);
    } };
  }

  const refused: [string, RegExp][] = [
    ['/proc/self/environ', /is outside the folder data files are read from/],
    ['/etc/shadow', /is outside the folder/],
    ['../../outside.csv', /is outside the folder/],
    ['link-out.csv', /is outside the folder/],
    ['pagemap.csv', /is outside the folder/],
    ['fifo.csv', /is not a regular file/],
    ['../data', /is not a regular file/],
    ['nowhere.csv', /not found/],
  ];
  for (const [path, words] of refused) {
    it(`"${path}" is refused by name, without reading it`, () => {
      const d = onlyError(loadModel(csvModel(path), { files: guarded() }).diagnostics, 'data.csv', words);
      assertPrintable(d.message);
      assert.doesNotMatch(d.message, /PATH=|HOME=|root:/);
    });
  }

  it('paths inside the workspace, also through a link or "..", are read', () => {
    for (const path of ['../data/inside.csv', 'link-in.csv']) {
      const loaded = loadModel(csvModel(path), { files: guarded() });
      assert.deepEqual(errors(loaded.diagnostics), [], path);
      assert.equal(loaded.data!.dataset.samples, 2);
    }
  });

  it('reading stops after the byte limit, whatever size the file reports (/proc/self/pagemap)', () => {
    const started = Date.now();
    assert.equal(readFileBounded('/proc/self/pagemap', 1024 * 1024), undefined);
    assert.ok(Date.now() - started < 5000);
    const lying: DataFileReader = {
      locate: () => ({ ok: true, size: 0 }),
      readText: (_p, max) => (max < MAX_CSV_BYTES + 5 ? undefined : 'never'),
    };
    onlyError(loadModel(csvModel('big.csv'), { files: lying }).diagnostics, 'data.csv', /holds more than 10 MiB, the limit for data files/);
  });

  it("the extension host's read runs off its event loop: /proc/self/pagemap stops at the limit while the loop keeps turning", async () => {
    let turns = 0;
    let turning = true;
    const turn = () => {
      turns++;
      if (turning) setImmediate(turn);
    };
    setImmediate(turn);
    const text = await readFileBoundedAsync('/proc/self/pagemap', 4 * 1024 * 1024);
    turning = false;
    assert.equal(text, undefined);
    // 4 MiB read in 1 MiB chunks: the loop turned between them (a synchronous read would give 0).
    assert.ok(turns >= 2, `${turns} turns of the event loop during the read`);
  });

  it('loadModelAsync reads a workspace CSV only through the asynchronous read, and refuses a fifo or a /proc link unread', async () => {
    const reader = nodeFileReader(join(workspace, 'models'), workspace);
    let asyncReads = 0;
    const offLoopOnly: DataFileReader = {
      ...reader,
      readText: () => assert.fail('read synchronously'),
      readTextAsync: (p, max) => {
        asyncReads++;
        assert.ok(reader.locate(p).ok, `read a refused path ${p}`);
        return reader.readTextAsync!(p, max);
      },
    };
    writeFileSync(join(workspace, 'data', 'async.csv'), 'a,b,label\n1,2,x\n3,4,y\n5,6,x\n');
    const loaded = await loadModelAsync(csvModel('../data/async.csv'), { files: offLoopOnly });
    assert.deepEqual(errors(loaded.diagnostics), []);
    assert.deepEqual(Array.from(loaded.data!.dataset.x), [1, 2, 3, 4, 5, 6]);
    assert.equal(asyncReads, 1);
    for (const [path, words] of [['fifo.csv', /is not a regular file/], ['pagemap.csv', /is outside the folder/]] as const) {
      onlyError((await loadModelAsync(csvModel(path), { files: offLoopOnly })).diagnostics, 'data.csv', words);
    }
    assert.equal(asyncReads, 1);
  });

  it('a file just over the limit says by how much ("10.0 MiB (10,485,761 bytes) ... up to 10 MiB")', () => {
    const reader: DataFileReader = { locate: () => ({ ok: true, size: MAX_CSV_BYTES + 1 }), readText: () => assert.fail('read') };
    onlyError(loadModel(csvModel('big.csv'), { files: reader }).diagnostics, 'data.csv', /is 10\.0 MiB \(10,485,761 bytes\); data files up to 10 MiB are loaded/);
  });

  it('cell and header text reaches messages only as a short escaped excerpt', () => {
    const hostile = '\u001b]0;pwned\u0007\u001b[31m' + 'x'.repeat(5000) + '\nsecond line';
    const cases: [string, string][] = [
      [`a,b,label\n1,"${hostile}",x\n`, 'd.csv:2:3'],
      [`a,"${hostile}",label\n1,2,x\n`, 'data.target'],
      [`a,b,label\n1,2,x\n1,2,x\n3,4\u009b,y\n`, 'd.csv:4:3'],
    ];
    for (const [csv, path] of cases) {
      const reader: DataFileReader = { locate: () => ({ ok: true }), readText: () => csv };
      const d = onlyError(loadModel(csvModel('d.csv', path === 'data.target' ? 'missing' : 'label'), { files: reader }).diagnostics, path, /./);
      assertPrintable(d.message);
      assert.match(d.message, /\\u001b|\\u009b/);
    }
  });

  it('a CSV cell of 1e400 is said to overflow', () => {
    const reader: DataFileReader = { locate: () => ({ ok: true }), readText: () => 'a,b,label\n1,1e400,x\n' };
    onlyError(loadModel(csvModel('d.csv'), { files: reader }).diagnostics, 'd.csv:2:3', /"1e400" in column "b" overflows/);
  });

  it('parsed data is cached by file version: edits of the model do not read the CSV again, an edit of the CSV does', () => {
    const file = join(workspace, 'data', 'cached.csv');
    writeFileSync(file, 'a,b,label\n1,2,x\n3,4,y\n');
    const disk = nodeFileReader(join(workspace, 'models'), workspace);
    let reads = 0;
    const counting: DataFileReader = { locate: (p) => disk.locate(p), readText: (p, max) => (reads++, disk.readText(p, max)) };
    const first = loadModel(csvModel('../data/cached.csv'), { files: counting });
    const edited = loadModel(csvModel('../data/cached.csv').replace('"learningRate": 0.1', '"learningRate": 0.2'), { files: counting });
    assert.equal(reads, 1);
    assert.deepEqual([...edited.data!.dataset.x], [...first.data!.dataset.x]);
    writeFileSync(file, 'a,b,label\n5,6,x\n7,8,y\n9,9,y\n');
    utimesSync(file, new Date(), new Date(Date.now() + 5000));
    const changed = loadModel(csvModel('../data/cached.csv'), { files: counting });
    assert.equal(reads, 2);
    assert.equal(changed.data!.dataset.samples, 3);
  });
});
