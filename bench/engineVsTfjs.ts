// Training steps per second: the engine untraced and with full trace recording, against what a
// user would pick instead for the same dense network, loss, SGD and batches: TensorFlow.js's
// pure-JS CPU backend (in this process), its WASM backend (SIMD build; bench/tfjsWasmSteps.ts)
// and PyTorch on one thread in float64 and float32 (bench/torchSteps.py), each child process
// timing its own loop the way this process times the engine's.
import * as tf from '@tensorflow/tfjs';
import { type ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { ActivationName, LossName, ModelFile } from '../src/engine/types';
import { Trainer } from '../src/engine/trainer';
import { Rng } from '../src/engine/rng';
import { kernelInUse } from '../src/engine/matmul';
import { useKernelIn } from '../src/engine/nodeKernel';
import { type BenchSection, GcPausesByWindow, type Rate, formatRate, medianRatio } from './measure';

export interface Shape {
  name: string;
  sizes: number[];
  activations: ActivationName[];
  loss: LossName;
  batch: number;
  batchesPerEpoch: number;
  stepsPerRun: number;
}

export const SHAPES: Shape[] = [
  { name: '2-8-8-1, batch 32', sizes: [2, 8, 8, 1], activations: ['relu', 'relu', 'identity'], loss: 'mse', batch: 32, batchesPerEpoch: 8, stepsPerRun: 2000 },
  { name: '784-128-10, batch 64', sizes: [784, 128, 10], activations: ['relu', 'softmax'], loss: 'cross-entropy', batch: 64, batchesPerEpoch: 4, stepsPerRun: 30 },
];

const LEARNING_RATE = 0.01;
const REPETITIONS = 7;
const PYTHON = '/usr/bin/python3';

/** Random inputs and targets (one-hot for cross-entropy), from a fixed seed. */
function dataFor(shape: Shape): { x: Float64Array; y: Float64Array; samples: number } {
  const rng = new Rng(1);
  const samples = shape.batch * shape.batchesPerEpoch;
  const inputs = shape.sizes[0];
  const outputs = shape.sizes[shape.sizes.length - 1];
  const x = Float64Array.from({ length: samples * inputs }, () => rng.uniform());
  const y = new Float64Array(samples * outputs);
  for (let s = 0; s < samples; s++) {
    if (shape.loss === 'cross-entropy') y[s * outputs + rng.int(outputs)] = 1;
    else y[s] = rng.uniform();
  }
  return { x, y, samples };
}

/** Multiply-adds ×2 of one step: forward, ∂J/∂W of every layer, ∂J/∂input of every layer but the first. */
function flopsPerStep(shape: Shape): number {
  let flops = 0;
  for (let l = 1; l < shape.sizes.length; l++) {
    const products = l === 1 ? 2 : 3;
    flops += products * 2 * shape.batch * shape.sizes[l - 1] * shape.sizes[l];
  }
  return flops;
}

function engineTrainer(shape: Shape, trace: boolean): Trainer {
  const { x, y, samples } = dataFor(shape);
  const model: ModelFile = {
    seed: 1,
    inputs: shape.sizes[0],
    layers: shape.sizes.slice(1).map((units, l) => ({ units, activation: shape.activations[l] })),
    loss: shape.loss,
    optimizer: { type: 'sgd', learningRate: LEARNING_RATE },
    data: { x: [], y: [] },
    batch: { mode: 'mini-batch', size: shape.batch, shuffle: false },
  };
  const dataset = { x, y, samples, inputs: shape.sizes[0], outputs: shape.sizes[shape.sizes.length - 1] };
  const train = Array.from({ length: samples }, (_, i) => i);
  return new Trainer(model, { dataset, split: { train, validation: [], test: [] } }, { trace, evaluateEpochs: false });
}

/** The same network in TensorFlow.js's current backend: one `minimize` per step on pre-made batch tensors. */
export function tfjsStep(shape: Shape): { step: () => void; dispose: () => void } {
  const { x, y } = dataFor(shape);
  const inputs = shape.sizes[0];
  const outputs = shape.sizes[shape.sizes.length - 1];
  const model = tf.sequential();
  shape.sizes.slice(1).forEach((units, l) => {
    const activation = shape.activations[l] === 'identity' ? 'linear' : shape.activations[l] === 'softmax' ? 'linear' : shape.activations[l];
    model.add(tf.layers.dense({ units, activation: activation as 'relu' | 'linear', inputShape: l === 0 ? [inputs] : undefined }));
  });
  const batches = Array.from({ length: shape.batchesPerEpoch }, (_, k) => ({
    x: tf.tensor2d(Float32Array.from(x.subarray(k * shape.batch * inputs, (k + 1) * shape.batch * inputs)), [shape.batch, inputs]),
    y: tf.tensor2d(Float32Array.from(y.subarray(k * shape.batch * outputs, (k + 1) * shape.batch * outputs)), [shape.batch, outputs]),
  }));
  const optimizer = tf.train.sgd(LEARNING_RATE);
  let k = 0;
  const lossOf = (logits: tf.Tensor, target: tf.Tensor): tf.Scalar =>
    shape.loss === 'cross-entropy'
      ? tf.losses.softmaxCrossEntropy(target, logits)
      : tf.mean(tf.sum(tf.square(tf.sub(logits, target)), 1));
  return {
    step: () => {
      const batch = batches[k];
      k = (k + 1) % batches.length;
      tf.tidy(() => {
        optimizer.minimize(() => lossOf(model.predict(batch.x) as tf.Tensor, batch.y));
      });
    },
    dispose: () => {
      batches.forEach((b) => tf.dispose([b.x, b.y]));
      model.dispose();
      optimizer.dispose();
    },
  };
}

/** A child process that answers each line it is sent with one line. */
class Child {
  private readonly process: ChildProcessWithoutNullStreams;
  private readonly lines: AsyncIterator<string>;
  private stderr = '';

  constructor(private readonly what: string, command: string, args: string[]) {
    this.process = spawn(command, args, { stdio: 'pipe' });
    this.process.stderr.on('data', (chunk: Buffer) => (this.stderr += chunk.toString()));
    this.lines = createInterface({ input: this.process.stdout })[Symbol.asyncIterator]();
  }

  /** The next line the child prints (after sending `request`, if given). */
  async answer(request?: string): Promise<string> {
    if (request !== undefined) this.process.stdin.write(`${request}\n`);
    const next = await this.lines.next();
    if (next.done) throw new Error(`${this.what} stopped: ${this.stderr.trim() || `exit code ${this.process.exitCode}`}`);
    return next.value;
  }

  close(): void {
    this.process.stdin.end();
  }
}

/** Runs `count` steps and resolves to the seconds they took. */
type Timed = (count: number) => Promise<number>;

function inProcess(step: () => void): Timed {
  return async (count) => {
    const start = process.hrtime.bigint();
    for (let i = 0; i < count; i++) step();
    return Number(process.hrtime.bigint() - start) / 1e9;
  };
}

function inChild(child: Child, request: (count: number) => string): Timed {
  return async (count) => Number(await child.answer(request(count)));
}

/**
 * Every contender timed in turn within each repetition, after a warm-up, so a burst of load from
 * other processes hits them alike; runs[r] of each result belong to repetition r (see medianRatio).
 * Also, per contender, this process's garbage-collection pauses a step that began in its windows.
 */
async function interleavedRates(contenders: Timed[], count: number): Promise<{ rates: Rate[]; gcSecondsPerStep: number[] }> {
  for (const timed of contenders) await timed(Math.max(1, Math.floor(count / 5)));
  const runs = contenders.map((): number[] => []);
  const gc = new GcPausesByWindow();
  for (let r = 0; r < REPETITIONS; r++) {
    for (let c = 0; c < contenders.length; c++) runs[c].push(count / (await gc.timed(c, () => contenders[c](count))));
  }
  const gcMilliseconds = await gc.finish(contenders.length);
  return {
    rates: runs.map((list) => ({ median: [...list].sort((p, q) => p - q)[Math.floor(list.length / 2)], runs: list })),
    gcSecondsPerStep: gcMilliseconds.map((ms) => ms / 1000 / (REPETITIONS * count)),
  };
}

/** PyTorch's child for one shape, with the shape's data written where it can read it. */
function torchChild(shape: Shape, dir: string): Child {
  const { x, y } = dataFor(shape);
  const xPath = join(dir, 'x.bin');
  const yPath = join(dir, 'y.bin');
  writeFileSync(xPath, x);
  writeFileSync(yPath, y);
  const config = {
    sizes: shape.sizes, activations: shape.activations, loss: shape.loss, batch: shape.batch, batches: shape.batchesPerEpoch,
    learningRate: LEARNING_RATE, x: xPath, y: yPath,
  };
  return new Child('PyTorch (bench/torchSteps.py)', PYTHON, [join(__dirname, 'torchSteps.py'), JSON.stringify(config)]);
}

/**
 * The CPU's vector and fused-multiply-add flags, and the float64 GFLOP/s they allow one core at
 * most: lanes × 2 (a fused multiply-add is two operations) × 2 (units per core, as on current
 * x86 cores) × clock. An upper bound: some cores split wide vectors in two.
 */
function cpuBound(): { flags: string; mhz: number; gflops: number } {
  const info = readFileSync('/proc/cpuinfo', 'utf8');
  const flags = new Set(info.match(/^flags\s*:(.*)$/m)?.[1].trim().split(/\s+/) ?? []);
  const mhz = Number(info.match(/^cpu MHz\s*:\s*([\d.]+)/m)?.[1] ?? 0);
  const lanes = flags.has('avx512f') ? 8 : flags.has('avx2') || flags.has('avx') ? 4 : 2;
  const present = ['avx512f', 'avx2', 'fma'].filter((f) => flags.has(f));
  return {
    flags: present.length > 0 ? `CPU flags ${present.join(', ')}` : 'no AVX or FMA flags reported',
    mhz,
    gflops: (lanes * (flags.has('fma') ? 2 : 1) * 2 * mhz) / 1000,
  };
}

const ratio = (value: number) => `${value.toFixed(2)}×`;
/** a ÷ b in each repetition: the median alone hides how far a shared machine's repetitions spread. */
const perRepetition = (a: Rate, b: Rate) => `per repetition ${a.runs.map((run, r) => (run / b.runs[r]).toFixed(2)).join(', ')}`;
const verdict = (met: boolean) => (met ? 'met' : '**NOT met**');

export const engineVsTfjs: BenchSection = {
  title: 'Training steps per second: engine vs TensorFlow.js (CPU, WASM) and PyTorch',
  async run() {
    useKernelIn(join(__dirname, '..', 'dist'));
    await tf.setBackend('cpu');
    await tf.ready();
    const rates: string[] = [];
    const ratios: string[] = [];
    const notes: string[] = [];
    const limits: string[] = [];
    const gcPauses: string[] = [];
    let wasmBuild = '';
    let torchVersion = '';
    let peak = 0; // GFLOP/s
    const bound = cpuBound();
    for (const [index, shape] of SHAPES.entries()) {
      const dir = mkdtempSync(join(tmpdir(), 'bench-torch-'));
      const untraced = engineTrainer(shape, false);
      const traced = engineTrainer(shape, true);
      // The trace cost with nothing else in the heap first: in the six-way run below, TF.js's
      // garbage is collected in whichever window is running, and the traced steps' fresh memory
      // brings on more of those collections (see the garbage-collection table).
      const { rates: [engineAlone, fullAlone] } = await interleavedRates([
        inProcess(() => untraced.step()),
        inProcess(() => traced.step().lossAfter),
      ], shape.stepsPerRun);
      const traceCostAlone = medianRatio(engineAlone, fullAlone);
      const tfjs = tfjsStep(shape);
      const wasm = new Child('TF.js WASM (bench/tfjsWasmSteps.ts)', process.execPath, ['--import', 'tsx', join(__dirname, 'tfjsWasmSteps.ts'), String(index)]);
      const torch = torchChild(shape, dir);
      try {
        wasmBuild = await wasm.answer();
        torchVersion = await torch.answer('version');
        // The best of a few tries: the limit is what the core can do when the other processes let it.
        peak = Math.max(peak, Number(await torch.answer('peak')));
        // "Full trace" records the whole StepTrace contract (every tensor, lossAfter, optimizer
        // state) as flat arrays, as the inspector receives it, a large array that follows exactly
        // from recorded ones computed when first read (lazyField.ts); reading lossAfter makes sure nothing is skipped.
        let lossAfterSum = 0;
        const { rates: [engine, full, cpu, tfWasm, torch64, torch32], gcSecondsPerStep: [gcEngine, gcFull, gcCpu] } = await interleavedRates([
          inProcess(() => untraced.step()),
          inProcess(() => (lossAfterSum += traced.step().lossAfter!)),
          inProcess(tfjs.step),
          inChild(wasm, String),
          inChild(torch, (count) => `float64 ${count}`),
          inChild(torch, (count) => `float32 ${count}`),
        ], shape.stepsPerRun);
        if (!Number.isFinite(lossAfterSum)) throw new Error(`${shape.name}: the traced run's lossAfter is not finite`);
        const traceCost = medianRatio(engine, full);
        const vsWasm = medianRatio(engine, tfWasm);
        const vsTorch = medianRatio(engine, torch64);
        rates.push(`| ${shape.name} | ${[engine, full, cpu, tfWasm, torch64, torch32].map((r) => formatRate(r.median)).join(' | ')} |`);
        ratios.push(`| ${shape.name} | ${[cpu, tfWasm, torch64, torch32].map((r) => ratio(medianRatio(engine, r))).join(' | ')} | ${ratio(traceCost)} | ${ratio(traceCostAlone)} |`);
        if (shape.sizes.length === 3) {
          notes.push(
            `${shape.name}: untraced ≥ 1.5× TF.js WASM: ${verdict(vsWasm >= 1.5)} (${ratio(vsWasm)}; ${perRepetition(engine, tfWasm)}); ` +
              `untraced ≥ 0.33× PyTorch float64: ${verdict(vsTorch >= 0.33)} (${ratio(vsTorch)}); ` +
              `full trace ≤ 1.5× untraced cost: ${verdict(traceCost <= 1.5)} (${ratio(traceCost)}; ${perRepetition(engine, full)}; ` +
              `the engine alone ${ratio(traceCostAlone)}, ${perRepetition(engineAlone, fullAlone)}).`,
          );
        } else {
          notes.push(`${shape.name}: full trace ≤ 2× untraced cost: ${verdict(traceCost <= 2)} (${ratio(traceCost)}; ${perRepetition(engine, full)}; ` +
            `the engine alone ${ratio(traceCostAlone)}, ${perRepetition(engineAlone, fullAlone)}).`);
        }
        const micro = (seconds: number) => `${(seconds * 1e6).toFixed(1)} µs`;
        gcPauses.push(`| ${shape.name} | ${micro(gcEngine)} | ${micro(gcFull)} | ${micro(gcCpu)} | ${micro(1 / engine.median)} | ${micro(1 / full.median)} |`);
        const flops = flopsPerStep(shape);
        const share = (stepsPerSecond: number) => `${(100 * stepsPerSecond * flops / (bound.gflops * 1e9)).toFixed(1)}%`;
        limits.push(`| ${shape.name} | ${formatRate(flops / 1e6)} | ${formatRate(bound.gflops * 1e9 / flops)} | ${formatRate(peak * 1e9 / flops)} | ` +
          `${share(engine.median)} | ${share(torch64.median)} |`);
      } finally {
        tfjs.dispose();
        wasm.close();
        torch.close();
        rmSync(dir, { recursive: true, force: true });
      }
    }
    return [
      `Engine float64 with its product kernel in \`${kernelInUse()}\`; TensorFlow.js ${tf.version.tfjs} float32, CPU backend in this ` +
        `process, WASM backend in a child (${wasmBuild}); PyTorch ${torchVersion} on one thread (\`torch.set_num_threads(1)\`) in a child. ` +
        `SGD, learning rate ${LEARNING_RATE}, the same batches in the same order, shuffle off, the engine without epoch evaluations. ` +
        'Full trace records every tensor of the step trace; a large array that follows exactly from recorded ones or the data (the ' +
        'batch\'s input, ∂J/∂W, an update, SGD\'s step, f′ and softmax Jacobians) is computed when first read. ' +
        `Medians of ${REPETITIONS} repetitions after a warm-up; the six configurations run in turn within each repetition, ` +
        'and each ratio is the median of the per-repetition ratios.',
      '',
      '| network | engine untraced | engine full trace | TF.js CPU | TF.js WASM | PyTorch float64 | PyTorch float32 |',
      '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
      ...rates,
      '',
      'Steps per second above; below, the untraced engine ÷ each, and the trace cost (untraced ÷ traced rate): in the six-way run, ' +
        'and in a run of the two engine configurations alone before it (the same trainers, no TF.js garbage in the heap yet).',
      '',
      '| network | ÷ TF.js CPU | ÷ TF.js WASM | ÷ PyTorch float64 | ÷ PyTorch float32 | trace cost | trace cost, engine alone |',
      '| --- | ---: | ---: | ---: | ---: | ---: | ---: |',
      ...ratios,
      '',
      'Garbage collection: the in-process contenders share one heap, so garbage one leaves may be collected in another\'s ' +
        'window: a contender allocating little is charged for its neighbour\'s collections, and the neighbour looks cheaper. ' +
        'Main-thread pauses a step that began in each contender\'s windows, beside the step\'s whole time (concurrent marking ' +
        'on other threads not counted):',
      '',
      '| network | engine untraced | engine full trace | TF.js CPU | engine untraced step | engine full-trace step |',
      '| --- | ---: | ---: | ---: | ---: | ---: |',
      ...gcPauses,
      '',
      `The limit: the ${bound.flags} at ${bound.mhz.toFixed(0)} MHz allow one core at most ${bound.gflops.toFixed(0)} GFLOP/s of float64 ` +
        `(an upper bound, used for the limit below); one core multiplying 512 × 512 float64 matrices in PyTorch's BLAS ran at ` +
        `${peak.toFixed(1)} GFLOP/s at best in this run (a measured rate, not a bound: Debian's torch build reaches a small part of the core). ` +
        'A step\'s multiply-adds are the forward pass, ∂J/∂W and ∂J/∂input below the top layer:',
      '',
      '| network | MFLOP a step | limit (steps/s) | at the measured BLAS rate (steps/s) | engine untraced, of the limit | PyTorch float64, of the limit |',
      '| --- | ---: | ---: | ---: | ---: | ---: |',
      ...limits,
      '',
      ...notes.map((n) => `- ${n}`),
    ].join('\n');
  },
};
