// The differential test of issue 13: the engine and plain PyTorch take the same steps.
// For every example whose optimizer torch.optim has, and for seeded random model files (depth
// 1–3, every activation, every loss pairing, regularization, every exportable optimizer, splits,
// normalization, shuffled mini-batches), `export-pytorch` writes a script, /usr/bin/python3 runs it
// for N steps recording them with the backprop_stepper Recorder (python/), and every field of
// every step is held against `run <model> --steps N --json`.
//
// Tolerance: relative 1e-10, element by element. "Near zero" is measured against the tensor the
// element belongs to: an element passes when |torch − engine| ≤ 1e-10 · max(|torch|, |engine|)
// or ≤ 1e-10 · (largest magnitude in that tensor of the engine's step), so a component that
// cancels to ~0 (δ = (p − t)/N of a well-fit class, ReLU′ · upstream) is not held to a relative
// error of its own rounding. The recorder's update is after − before, which rounds at the weights'
// scale: it also passes within 4 ulp of the largest weight. Scalars (losses) are their own tensor,
// so they are compared purely relatively.
//
// The scripts run through one Python process (runpy, argv set per script) so torch is imported
// once; one script also runs as `python3 FILE.py` exactly as a user does.
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli } from '../../src/cli/main';
import { NOT_EXPORTABLE, exportProblem } from '../../src/export/pytorchScript';
import { readTrace } from '../../src/protocol/traceFile';
import { Rng } from '../../src/engine/rng';
import type { ActivationName, LossName, ModelFile, OptimizerSpec } from '../../src/engine/types';

const root = join(__dirname, '..', '..');
const PYTHON = '/usr/bin/python3';
const STEPS = 5;
const RELATIVE = 1e-10;
const ULP = 2 ** -52;

function cli(...argv: string[]): { code: number; out: string; err: string } {
  let out = '';
  let err = '';
  const code = runCli(argv, { out: (t) => (out += t), err: (t) => (err += t), color: false });
  return { code, out, err };
}

const pythonEnv = { ...process.env, PYTHONPATH: join(root, 'python'), PYTHONDONTWRITEBYTECODE: '1' };

// ---- seeded random model files

const HIDDEN: ActivationName[] = ['identity', 'sigmoid', 'tanh', 'relu', 'leaky-relu'];
const OUTPUTS: { activation: ActivationName; loss: LossName }[] = [
  { activation: 'identity', loss: 'mse' }, { activation: 'tanh', loss: 'mae' }, { activation: 'softmax', loss: 'cross-entropy' },
  { activation: 'sigmoid', loss: 'binary-cross-entropy' }, { activation: 'softmax', loss: 'mse' }, { activation: 'leaky-relu', loss: 'mse' },
];
const OPTIMIZERS: OptimizerSpec[] = [
  { type: 'sgd', learningRate: 0.1 },
  { type: 'sgd', learningRate: 0.05, momentum: 0.9, nesterov: true, weightDecay: 0.01 },
  { type: 'sgd', learningRate: 0.05, momentum: 0.5, dampening: 0.2 },
  { type: 'adagrad', learningRate: 0.1, lrDecay: 0.01, initialAccumulatorValue: 0.1 },
  { type: 'rmsprop', learningRate: 0.01, centered: true, momentum: 0.5, weightDecay: 0.001 },
  { type: 'rmsprop', learningRate: 0.01 },
  { type: 'adam', learningRate: 0.01, amsgrad: true },
  { type: 'adamw', learningRate: 0.02, betas: [0.8, 0.99] },
  { type: 'lbfgs', learningRate: 0.5, maxIter: 4 },
  { type: 'lbfgs', learningRate: 0.1, maxIter: 3, lineSearch: 'none', historySize: 2 },
];

function randomModel(seed: number): ModelFile {
  const rng = new Rng(seed);
  const pick = <T>(items: readonly T[]): T => items[rng.int(items.length)];
  const round = (x: number) => Math.round(x * 1000) / 1000;
  const inputs = 1 + rng.int(4);
  const depth = 1 + rng.int(3);
  const output = OUTPUTS[seed % OUTPUTS.length];
  const outputs = output.loss === 'cross-entropy' || output.activation === 'softmax' ? 2 + rng.int(2) : 1 + rng.int(2);
  const layers: ModelFile['layers'] = [];
  for (let l = 0; l < depth - 1; l++) {
    const activation = pick(HIDDEN);
    layers.push({ units: 1 + rng.int(5), activation, ...(activation === 'leaky-relu' ? { slope: round(0.01 + 0.2 * rng.uniform()) } : {}) });
  }
  layers.push({ units: outputs, activation: output.activation });
  const samples = 6 + rng.int(20);
  const x = Array.from({ length: samples }, () => Array.from({ length: inputs }, () => round(4 * rng.uniform() - 2)));
  const y = Array.from({ length: samples }, () => {
    if (output.loss === 'cross-entropy') {
      const hot = rng.int(outputs);
      return Array.from({ length: outputs }, (_, k) => (k === hot ? 1 : 0));
    }
    if (output.loss === 'binary-cross-entropy') return Array.from({ length: outputs }, () => rng.int(2));
    return Array.from({ length: outputs }, () => round(2 * rng.uniform() - 1));
  });
  const regularization = pick([undefined, { l2: 0.01 }, { l1: 0.005 }, { l1: 0.002, l2: 0.003 }]);
  const split = pick([undefined, { train: 0.75, validation: 0.25 }]);
  const batch = pick([{ mode: 'batch' as const }, { mode: 'mini-batch' as const, size: 4, shuffle: true }, { mode: 'mini-batch' as const, size: 5 }, { mode: 'stochastic' as const, shuffle: true }]);
  return {
    name: `random ${seed}`, seed, inputs, layers, loss: output.loss, optimizer: OPTIMIZERS[seed % OPTIMIZERS.length],
    data: { x, y }, batch, ...(regularization ? { regularization } : {}), ...(split ? { split } : {}),
  };
}

// ---- comparison

type Json = unknown;

function leaves(value: Json, out: number[] = []): number[] {
  if (Array.isArray(value)) value.forEach((v) => leaves(v, out));
  else if (typeof value === 'number') out.push(value);
  else if (value === 'Infinity' || value === '-Infinity' || value === 'NaN') out.push(Number(value));
  else throw new Error(`not a number: ${JSON.stringify(value)}`);
  return out;
}

/** Every element of `torch` against `engine` (same shape), as the header says. */
function assertClose(torch: Json, engine: Json, where: string, floor = 0): void {
  const a = leaves(torch);
  const b = leaves(engine);
  assert.equal(a.length, b.length, `${where}: ${a.length} numbers from PyTorch, ${b.length} from the engine`);
  const scale = b.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
  a.forEach((v, i) => {
    const error = Math.abs(v - b[i]);
    const ok = error <= RELATIVE * Math.max(Math.abs(v), Math.abs(b[i])) || error <= RELATIVE * scale || error <= floor;
    assert.ok(ok, `${where}[${i}]: PyTorch ${v}, engine ${b[i]} (difference ${error}, tensor scale ${scale})`);
  });
}

const LAYER_FIELDS = ['input', 'z', 'a', 'localGrad', 'upstream', 'delta', 'weights', 'bias', 'gradWeights', 'gradBias', 'weightsAfter', 'biasAfter'] as const;

/** torch.optim's state names → the engine's, per method; torch keys with no engine counterpart are listed, not ignored. */
const STATE_NAMES: Record<string, { perParameter: Record<string, string>; noCounterpart: string[] }> = {
  sgd: { perParameter: { momentum_buffer: 'velocity' }, noCounterpart: [] },
  adam: { perParameter: { exp_avg: 'm', exp_avg_sq: 'v', max_exp_avg_sq: 'vMax' }, noCounterpart: ['step'] },
  adamw: { perParameter: { exp_avg: 'm', exp_avg_sq: 'v', max_exp_avg_sq: 'vMax' }, noCounterpart: ['step'] },
  adagrad: { perParameter: { sum: 'sumOfSquares' }, noCounterpart: ['step'] },
  rmsprop: { perParameter: { square_avg: 'squareAverage', grad_avg: 'gradAverage', momentum_buffer: 'velocity' }, noCounterpart: ['step'] },
  // L-BFGS keeps its state on the first parameter only (compared separately below).
  lbfgs: { perParameter: {}, noCounterpart: ['func_evals', 'n_iter', 'd', 't', 'old_dirs', 'old_stps', 'ro', 'H_diag', 'prev_flat_grad', 'prev_loss', 'al'] },
};

interface History {
  iterations: number;
  evaluations: number;
}

function compareStep(torch: Record<string, Json>, engine: Record<string, Json>, where: string, history: History): void {
  for (const key of ['step', 'epoch', 'batch'] as const) assert.deepEqual(torch[key], engine[key], `${where}.${key}`);
  for (const key of ['loss', 'dataLoss', 'regLoss', 'lossAfter'] as const) assertClose(torch[key], engine[key], `${where}.${key}`);
  const tLayers = torch.layers as Record<string, Json>[];
  const eLayers = engine.layers as Record<string, Json>[];
  assert.equal(tLayers.length, eLayers.length, `${where}: layers`);
  eLayers.forEach((e, l) => {
    const t = tLayers[l];
    const at = `${where}.layers[${l}]`;
    for (const key of ['index', 'units', 'activation'] as const) assert.equal(t[key], e[key], `${at}.${key}`);
    assert.equal(t.kind, 'dense', `${at}.kind`);
    for (const field of LAYER_FIELDS) assertClose(t[field], e[field], `${at}.${field}`);
    const weightScale = Math.max(...[e.weights, e.weightsAfter, e.bias, e.biasAfter].flatMap((tensor) => leaves(tensor)).map(Math.abs));
    const update = (u: Json) => u as { weights: Json; bias: Json };
    assertClose(update(t.update).weights, update(e.update).weights, `${at}.update.weights`, 4 * ULP * weightScale);
    assertClose(update(t.update).bias, update(e.update).bias, `${at}.update.bias`, 4 * ULP * weightScale);
  });
  const tOpt = torch.optimizer as { type: string; state: Record<string, Record<string, Json>> };
  const eOpt = engine.optimizer as { type: string; state: Record<string, Json> };
  assert.equal(tOpt.type, eOpt.type, `${where}.optimizer.type`);
  const names = STATE_NAMES[eOpt.type];
  for (const [parameter, entries] of Object.entries(tOpt.state)) {
    const engineEntry = eOpt.state[parameter] as Record<string, Json>;
    for (const [key, value] of Object.entries(entries)) {
      if (value === null || names.noCounterpart.includes(key)) continue;
      const engineKey = names.perParameter[key];
      assert.ok(engineKey, `${where}.optimizer.state["${parameter}"].${key}: a torch state the test does not map to the engine's`);
      assertClose(value, engineEntry[engineKey], `${where}.optimizer.state["${parameter}"].${key} ↔ ${engineKey}`);
    }
  }
  const first = Object.values(tOpt.state)[0] ?? {};
  if (eOpt.type === 'adam' || eOpt.type === 'adamw' || eOpt.type === 'adagrad') {
    for (const entries of Object.values(tOpt.state)) assert.equal(entries.step, eOpt.state.t, `${where}.optimizer.state: step ↔ t`);
  }
  if (eOpt.type === 'lbfgs') {
    // Cumulative counters in torch, per step in the engine; the step length, the curvature
    // scale γ (H_diag) and the history length as they stand after the step.
    history.iterations += eOpt.state.iterations as number;
    history.evaluations += eOpt.state.evaluations as number;
    assert.equal(first.n_iter, history.iterations, `${where}: L-BFGS iterations so far`);
    assert.equal(first.func_evals, history.evaluations, `${where}: L-BFGS evaluations so far`);
    assertClose(first.t, eOpt.state.stepLength, `${where}: L-BFGS step length t`);
    assertClose(first.H_diag, eOpt.state.gamma, `${where}: L-BFGS H_diag ↔ gamma`);
    assert.equal((first.old_dirs as Json[]).length, eOpt.state.historyLength, `${where}: L-BFGS history length`);
  }
}

function jsonLines(text: string): Record<string, Json>[] {
  return text.trimEnd().split('\n').map((line) => JSON.parse(line) as Record<string, Json>);
}

/** Runs scripts [script, trace] in one Python process (torch imported once); returns its output and status. */
function runScripts(jobs: { script: string; trace: string }[]): { status: number | null; stdout: string; stderr: string } {
  const driver = [
    'import runpy, sys, traceback',
    'failed = 0',
    'for script, trace in zip(sys.argv[2::2], sys.argv[3::2]):',
    `    sys.argv = [script, "--steps", "${STEPS}", "--trace", trace]`,
    '    try:',
    '        runpy.run_path(script, run_name="__main__")',
    '    except BaseException:',
    '        failed += 1',
    '        print("FAILED", script, file=sys.stderr)',
    '        traceback.print_exc()',
    'sys.exit(1 if failed else 0)',
  ].join('\n');
  const result = spawnSync(PYTHON, ['-c', driver, 'driver', ...jobs.flatMap((j) => [j.script, j.trace])], { env: pythonEnv, encoding: 'utf8', timeout: 600_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('export-pytorch: the engine and PyTorch take the same steps (differential test)', function () {
  this.timeout(600_000);
  const dir = mkdtempSync(join(tmpdir(), 'backprop-pytorch-'));
  const models: { name: string; path: string }[] = [];
  for (const file of readdirSync(join(root, 'examples')).filter((f) => f.endsWith('.backprop.json')).sort()) {
    const model = JSON.parse(readFileSync(join(root, 'examples', file), 'utf8')) as ModelFile;
    if (!exportProblem(model)) models.push({ name: `examples/${file}`, path: join(root, 'examples', file) });
  }
  for (let seed = 1; seed <= 12; seed++) {
    const path = join(dir, `random-${seed}.backprop.json`);
    writeFileSync(path, JSON.stringify(randomModel(seed), null, 2));
    models.push({ name: `random model ${seed}`, path });
  }
  const jobs = models.map((m, i) => ({ ...m, script: join(dir, `model${i}.py`), trace: join(dir, `model${i}.trace.jsonl`) }));
  let run: ReturnType<typeof runScripts> | undefined;

  before(function () {
    assert.ok(existsSync(PYTHON), `${PYTHON} is missing: install Debian's python3 with python3-torch (scripts/install-system-deps.sh)`);
    const probe = spawnSync(PYTHON, ['-c', 'import torch; print(torch.__version__)'], { encoding: 'utf8' });
    assert.equal(probe.status, 0, `${PYTHON} cannot import torch (install python3-torch): ${probe.stderr}`);
    for (const job of jobs) {
      const exported = cli('export-pytorch', job.path, '-o', job.script);
      assert.equal(exported.code, 0, `${job.name}: export-pytorch failed: ${exported.err}`);
    }
    run = runScripts(jobs);
  });

  it('every exported script ran', () => {
    assert.equal(run!.status, 0, run!.stderr);
  });

  for (const job of jobs) {
    it(`${job.name}: ${STEPS} steps equal to relative 1e-10 in every field`, () => {
      const torch = jsonLines(readFileSync(job.trace, 'utf8'));
      const header = torch.shift()!;
      assert.equal(header.format, 'backprop-stepper-trace');
      assert.equal(header.dtype, 'float64');
      const engine = cli('run', job.path, '--steps', String(STEPS), '--json');
      assert.equal(engine.code, 0, engine.err);
      const steps = jsonLines(engine.out);
      assert.equal(torch.length, steps.length);
      const history = { iterations: 0, evaluations: 0 };
      steps.forEach((step, i) => compareStep(torch[i], step, `${job.name} step ${i + 1}`, history));
    });
  }

  it('runs as `python3 FILE.py --steps N --trace OUT` and says what to do when backprop_stepper is missing', () => {
    const [job] = jobs;
    const trace = join(dir, 'direct.trace.jsonl');
    const direct = spawnSync(PYTHON, [job.script, '--steps', '2', '--trace', trace], { env: pythonEnv, encoding: 'utf8' });
    assert.equal(direct.status, 0, direct.stderr);
    assert.match(direct.stdout, /^step 1 epoch 1: J = .*\nstep 2 epoch \d: J = /);
    assert.equal(jsonLines(readFileSync(trace, 'utf8')).length, 3);
    const { PYTHONPATH: _omit, ...bare } = pythonEnv;
    const missing = spawnSync(PYTHON, [job.script, '--steps', '1', '--trace', join(dir, 'never.jsonl')], { env: bare, encoding: 'utf8' });
    assert.equal(missing.status, 1);
    assert.match(missing.stderr, /--trace needs the backprop_stepper package: set PYTHONPATH to the python\/ folder/);
    const plain = spawnSync(PYTHON, [job.script, '--steps', '1'], { env: bare, encoding: 'utf8' });
    assert.equal(plain.status, 0, 'training without --trace needs torch only');
  });

  it('the same run recorded in the binary form (.bptrace) reads back to the records of its JSON Lines trace', () => {
    const job = jobs.find((j) => j.name.includes('07-optimizer-race'))!;
    const binary = join(dir, 'race.bptrace');
    const result = spawnSync(PYTHON, [job.script, '--steps', String(STEPS), '--trace', binary], { env: pythonEnv, encoding: 'utf8' });
    assert.equal(result.status, 0, result.stderr);
    const fromBinary = readTrace(readFileSync(binary), 'race.bptrace');
    const fromJson = readTrace(readFileSync(job.trace), 'race.trace.jsonl');
    assert.equal(fromBinary.problem, undefined);
    assert.equal(fromBinary.records.length, STEPS);
    assert.deepEqual(fromBinary.records, fromJson.records);
    assert.deepEqual(fromBinary.header, fromJson.header);
  });

  it('a shuffled model carries --epochs epochs of batch order and says so when asked for more steps', () => {
    const shuffled = join(root, 'examples', '07-optimizer-race.backprop.json'); // 8 batches per epoch, shuffled
    const script = join(dir, 'race-one-epoch.py');
    assert.equal(cli('export-pytorch', shuffled, '-o', script, '--epochs', '1').code, 0);
    assert.match(readFileSync(script, 'utf8'), /EPOCH_ORDERS = \[\n {4}\[[\d, ]+\],\n\]/);
    const beyond = spawnSync(PYTHON, [script, '--steps', '9'], { env: pythonEnv, encoding: 'utf8' });
    assert.equal(beyond.status, 1);
    assert.match(beyond.stderr, /this script holds the batch order of 1 epochs \(8 steps\); export it again with a larger --epochs/);
  });
});

describe('export-pytorch: what cannot be exported', () => {
  const dir = mkdtempSync(join(tmpdir(), 'backprop-export-'));
  for (const type of Object.keys(NOT_EXPORTABLE)) {
    it(`${type} is refused with a message naming the optimizer and what to use instead`, () => {
      // No penalty: levenberg-marquardt refuses an l1 penalty while checking the model, before export.
      const model = { ...randomModel(1), loss: 'mse', regularization: undefined, optimizer: { type } };
      const path = join(dir, `${type}.backprop.json`);
      writeFileSync(path, JSON.stringify(model));
      const result = cli('export-pytorch', path, '-o', join(dir, 'never.py'));
      assert.equal(result.code, 1);
      assert.match(result.err, new RegExp(`error: optimizer "${type}" \\(.*\\) is not in torch\\.optim.*"sgd", "adam"`));
      assert.ok(!existsSync(join(dir, 'never.py')));
    });
  }

  it('writes the script on stdout without -o', () => {
    const result = cli('export-pytorch', join(root, 'examples', 'xor.backprop.json'));
    assert.equal(result.code, 0);
    assert.match(result.out, /^#!\/usr\/bin\/env python3\n"""XOR: the model file xor\.backprop\.json as a PyTorch training script\./);
    assert.match(result.out, /optimizer = torch\.optim\.SGD\(model\.parameters\(\), lr=0\.1, momentum=0\.9\)/);
    assert.match(result.out, /return sum\(0\.001 \* \(linear\.weight \*\* 2\)\.sum\(\) for linear in model\[0::2\]\)/);
  });

  it('usage errors exit 2', () => {
    assert.equal(cli('export-pytorch').code, 2);
    assert.equal(cli('export-pytorch', join(root, 'examples', 'xor.backprop.json'), '--epochs', '0').code, 2);
  });
});
