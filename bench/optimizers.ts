// Optimizer step costs (issue 3): steps per second of every optimizer on the 784-128-10 network
// with batch 64, and Newton / Levenberg–Marquardt on the largest network under their limit.
// `npm run bench` runs this section from bench/run.ts; it also runs alone:
//   node --import tsx bench/optimizers.ts
import { createObjective } from '../src/engine/objective';
import { createOptimizer, PARAMETER_LIMITS, type Objective, type Optimizer } from '../src/engine/optimizers';
import { createNetwork, lossAndGradients, parameterCount, parameterNames, parameters, type Network } from '../src/engine/network';
import type { LossSpec } from '../src/engine/losses';
import { Rng } from '../src/engine/rng';
import type { LayerSpec, LossName, ModelFile, OptimizerSpec } from '../src/engine/types';
import { type BenchSection, formatRate, rate } from './measure';

interface Setup {
  net: Network;
  lossSpec: LossSpec;
  x: Float64Array;
  y: Float64Array;
  rows: number;
  label: string;
}

function setup(inputs: number, layers: LayerSpec[], loss: LossName, rows: number, seed: number): Setup {
  const rng = new Rng(seed);
  const net = createNetwork({ inputs, layers, loss, optimizer: { type: 'sgd' }, data: { x: [], y: [] } } as unknown as ModelFile, rng);
  const outputs = layers[layers.length - 1].units;
  const x = Float64Array.from({ length: rows * inputs }, () => rng.uniform());
  const y = new Float64Array(rows * outputs);
  for (let r = 0; r < rows; r++) {
    if (loss === 'cross-entropy') y[r * outputs + rng.int(outputs)] = 1;
    else for (let k = 0; k < outputs; k++) y[r * outputs + k] = Math.sin(3 * x[r * inputs] + k);
  }
  const label = [inputs, ...layers.map((l) => l.units)].join('-');
  return { net, lossSpec: { loss }, x, y, rows, label };
}

interface Row {
  optimizer: string;
  setup: Setup;
  stepsPerSecond: number; // gradient on the batch + optimizer step
  updatesPerSecond?: number; // optimizer step alone, first-order methods (gradient held fixed)
}

function measure(s: Setup, spec: OptimizerSpec, count: number, repetitions: number): Row {
  const params = parameters(s.net);
  const make = (): Optimizer =>
    createOptimizer(spec, { names: parameterNames(s.net), sizes: params.map((p) => p.length) }, { recordState: false });
  const optimizer = make();
  const objective: Objective | undefined = optimizer.fullBatch ? createObjective(s.net, s.lossSpec, s) : undefined;
  const full = rate(() => {
    const { grads } = lossAndGradients(s.net, s.lossSpec, s.x, s.y, s.rows);
    optimizer.step(params, grads, objective);
  }, count, repetitions, 1);
  let updatesPerSecond: number | undefined;
  if (!optimizer.fullBatch) {
    const { grads } = lossAndGradients(s.net, s.lossSpec, s.x, s.y, s.rows);
    const alone = make();
    updatesPerSecond = rate(() => alone.step(params, grads), count * 10, repetitions).median;
  }
  return { optimizer: label(spec), setup: s, stepsPerSecond: full.median, updatesPerSecond };
}

function label(spec: OptimizerSpec): string {
  const { type, ...options } = spec;
  const extras = Object.entries(options).map(([k, v]) => `${k}=${JSON.stringify(v)}`);
  return extras.length ? `${type} (${extras.join(', ')})` : type;
}

function run(): string {
  const rows: Row[] = [];
  const mnist = () => setup(784, [{ units: 128, activation: 'relu' }, { units: 10, activation: 'softmax' }], 'cross-entropy', 64, 1);
  const firstOrder: OptimizerSpec[] = [
    { type: 'sgd', learningRate: 0.01 },
    { type: 'sgd', learningRate: 0.01, momentum: 0.9, nesterov: true },
    { type: 'adagrad' },
    { type: 'rmsprop', centered: true, momentum: 0.9 },
    { type: 'adam' },
    { type: 'adamw', amsgrad: true },
  ];
  for (const spec of firstOrder) rows.push(measure(mnist(), spec, 5, 5));
  // L-BFGS and CG treat the 64 samples as the whole training set; an L-BFGS step is up to 20 iterations.
  rows.push(measure(mnist(), { type: 'lbfgs' }, 1, 3));
  rows.push(measure(mnist(), { type: 'conjugate-gradient' }, 2, 3));

  // Each method on the largest 2-h-h-1 tanh network under its own limit (Newton: h = 29, 991
  // parameters; LM: h = 42, 1,975 parameters), L-BFGS on the larger of the two.
  const largestUnder = (limit: number) => {
    let h = 1;
    while (2 * (h + 1) + (h + 1) + (h + 1) ** 2 + (h + 1) + (h + 1) + 1 <= limit) h++;
    return () => setup(2, [{ units: h, activation: 'tanh' }, { units: h, activation: 'tanh' }, { units: 1, activation: 'identity' }], 'mse', 100, 2);
  };
  rows.push(measure(largestUnder(PARAMETER_LIMITS.newton)(), { type: 'newton' }, 1, 3));
  rows.push(measure(largestUnder(PARAMETER_LIMITS['levenberg-marquardt'])(), { type: 'levenberg-marquardt' }, 1, 3));
  rows.push(measure(largestUnder(PARAMETER_LIMITS['levenberg-marquardt'])(), { type: 'lbfgs' }, 2, 3));

  return [
    'A step is the gradient on the batch plus the optimizer\'s update; "update alone" times the optimizer with the gradient held fixed. ' +
      'Full-batch methods take the samples as the whole training set (an L-BFGS step is up to 20 iterations with a strong-Wolfe line search; ' +
      'Newton builds the exact Hessian, P Hessian-vector products, and factorizes it; LM builds the residual Jacobian and factorizes the smaller of Jr Jrᵀ + λI (R×R) and Jrᵀ Jr + λI (P×P)). State recording off.',
    '',
    '| optimizer | network | parameters | samples | steps/s | update alone /s |',
    '| --- | --- | ---: | ---: | ---: | ---: |',
    ...rows.map((r) =>
      `| ${r.optimizer} | ${r.setup.label} | ${parameterCount(r.setup.net).toLocaleString('en-US')} | ${r.setup.rows} | ` +
        `${formatRate(r.stepsPerSecond)} | ${r.updatesPerSecond === undefined ? '—' : formatRate(r.updatesPerSecond)} |`),
  ].join('\n');
}

export const optimizerCosts: BenchSection = { title: 'Optimizer step costs', run };

if (require.main === module) console.log(run());
