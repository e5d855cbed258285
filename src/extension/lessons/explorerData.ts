// The explorers' numbers, computed on the host with the engine (the webview only draws them).
// Nothing here imports vscode, so it runs in plain Node tests.
import { ELEMENTWISE_ACTIVATIONS, type ElementwiseActivationName } from '../../engine/activations';
import { generateDataset } from '../../engine/data/generators';
import { ExpressionError, backwardSteps, buildGraph, variableGradients } from '../../engine/expression';
import { coinFlipEntropyCurve, crossEntropy, distributionProblem, entropy, klDivergence, selfInformation } from '../../engine/information';
import { createNetwork, lossAndGradients, parameters, setParameters, batchLoss, type Network } from '../../engine/network';
import { gradientNoise, lectureBatchTable } from '../../engine/experiments/gradientNoise';
import { loadModel } from '../../engine/model';
import { cosineSimilarity, hammingDistance, pDistance, pNorm, unitBallBoundary } from '../../engine/norms';
import { createObjective } from '../../engine/objective';
import { createOptimizer } from '../../engine/optimizers';
import { Rng } from '../../engine/rng';
import type { Dataset, ModelFile, OptimizerSpec } from '../../engine/types';
import type {
  ActivationsResult, ExplorerRequest, ExplorerResult, ExpressionResult, InformationResult, NoiseResult,
  NormOrder, NormsResult, RaceResult, SurfaceGrid, SurfaceResult,
} from '../../protocol/explorers';

/** The example models the surface, race and noise explorers are computed from. */
export interface LessonModels {
  surface: ModelFile; // exactly two parameters (w, b)
  race: ModelFile; // exactly two parameters (w, b)
  noise: ModelFile; // regression with a large generated data set
}

export class ExplorerInputError extends Error {
  constructor(message: string, readonly column?: number) {
    super(message);
  }
}

const GRID_RESOLUTION = 41;
const DIVERGED_LOSS = 1e12;

const toNumber = (order: NormOrder): number => (order === 'inf' ? Infinity : order);

/** The data of a lesson model: inline rows or a seeded generator (the lessons use no CSV). */
export function datasetOf(model: ModelFile): Dataset {
  const outputs = model.layers[model.layers.length - 1].units;
  const data = model.data;
  if ('x' in data) {
    return { x: Float64Array.from(data.x.flat()), y: Float64Array.from(data.y.flat()), samples: data.x.length, inputs: model.inputs, outputs };
  }
  if ('generator' in data) return generateDataset(data, data.seed ?? model.seed ?? 0, model.inputs, outputs);
  throw new ExplorerInputError(`the lesson model "${model.name ?? ''}" must use inline or generated data`);
}

function twoParameterNetwork(model: ModelFile): Network {
  const net = createNetwork(model, new Rng(model.seed ?? 0));
  const count = parameters(net).reduce((n, p) => n + p.length, 0);
  if (count !== 2) throw new ExplorerInputError(`the surface needs a model with exactly 2 parameters (w, b), "${model.name ?? ''}" has ${count}`);
  return net;
}

const lossSpecOf = (model: ModelFile) => ({ loss: model.loss, regularization: model.regularization });
const asParams = (w: number, b: number) => [new Float64Array([w]), new Float64Array([b])];

/** J over a square window around the minimum found by many small descent steps, plus the start. */
function lossGrid(model: ModelFile, net: Network, data: Dataset, include: Array<[number, number]>): SurfaceGrid {
  const spec = lossSpecOf(model);
  const xs = include.map((p) => p[0]);
  const ys = include.map((p) => p[1]);
  const pad = (lo: number, hi: number) => { const m = Math.max(0.5, (hi - lo) * 0.25); return [lo - m, hi + m]; };
  const [w0, w1] = pad(Math.min(...xs), Math.max(...xs));
  const [b0, b1] = pad(Math.min(...ys), Math.max(...ys));
  const axis = (lo: number, hi: number) => Array.from({ length: GRID_RESOLUTION }, (_, i) => lo + ((hi - lo) * i) / (GRID_RESOLUTION - 1));
  const ws = axis(w0, w1);
  const bs = axis(b0, b1);
  const values = bs.map((b) => ws.map((w) => {
    setParameters(net, asParams(w, b));
    return batchLoss(net, spec, data.x, data.y, data.samples);
  }));
  return { ws, bs, values };
}

interface Path {
  path: Array<[number, number]>;
  losses: number[];
  diverged: boolean;
}

/** Full-batch steps of one optimizer from the model's initial (w, b), with the engine's Objective. */
function descend(model: ModelFile, data: Dataset, optimizerSpec: OptimizerSpec, steps: number): Path {
  const net = twoParameterNetwork(model);
  const spec = lossSpecOf(model);
  const optimizer = createOptimizer(optimizerSpec, { names: ['layers[0].weights', 'layers[0].bias'], sizes: [1, 1] }, { recordState: false });
  const objective = createObjective(net, spec, { x: data.x, y: data.y, rows: data.samples });
  const params = parameters(net);
  const path: Array<[number, number]> = [[params[0][0], params[1][0]]];
  const losses: number[] = [];
  for (let k = 0; k < steps; k++) {
    const { loss, grads } = lossAndGradients(net, spec, data.x, data.y, data.samples);
    losses.push(loss);
    if (!Number.isFinite(loss) || loss > DIVERGED_LOSS) return { path, losses, diverged: true };
    optimizer.step(params, grads, objective);
    path.push([params[0][0], params[1][0]]);
  }
  losses.push(batchLoss(net, spec, data.x, data.y, data.samples));
  const last = losses[losses.length - 1];
  return { path, losses, diverged: !Number.isFinite(last) || last > DIVERGED_LOSS };
}

function norms(r: Extract<ExplorerRequest, { view: 'norms' }>): NormsResult {
  let cosine: number | null;
  try {
    cosine = cosineSimilarity(r.a, r.b);
  } catch {
    cosine = null; // a zero vector has no direction
  }
  return {
    view: 'norms',
    balls: r.orders.map((order) => ({
      order,
      points: unitBallBoundary(toNumber(order), 180),
      normA: pNorm(r.a, toNumber(order)),
      distance: pDistance(r.a, r.b, toNumber(order)),
    })),
    cosine,
    hamming: hammingDistance(r.a, r.b),
  };
}

function information(r: Extract<ExplorerRequest, { view: 'information' }>): InformationResult {
  const base = r.bits ? 2 : Math.E;
  const unit = r.bits ? 'bits' : 'nats';
  const curve = coinFlipEntropyCurve(101, base);
  // The lengths first: a q with an outcome missing also fails to sum to 1, which would hide the real mistake.
  const problem = distributionProblem(r.p, 'p')
    ?? (r.p.length !== r.q.length ? `q has ${r.q.length} ${r.q.length === 1 ? 'probability' : 'probabilities'} but p has ${r.p.length} outcomes; give one per outcome` : undefined)
    ?? distributionProblem(r.q, 'q');
  if (problem) return { view: 'information', problem, unit, curve };
  return {
    view: 'information', unit, curve,
    selfInformationP: r.p.map((p) => selfInformation(p, base)),
    entropyP: entropy(r.p, base),
    entropyQ: entropy(r.q, base),
    crossEntropy: crossEntropy(r.p, r.q, base),
    kl: klDivergence(r.p, r.q, base),
  };
}

const PLOTTED_ACTIVATIONS: ElementwiseActivationName[] = ['sigmoid', 'tanh', 'relu', 'leaky-relu'];

function activations(r: Extract<ExplorerRequest, { view: 'activations' }>): ActivationsResult {
  const z = Array.from({ length: 201 }, (_, i) => -5 + i * 0.05);
  return {
    view: 'activations',
    z,
    at: r.z,
    curves: PLOTTED_ACTIVATIONS.map((name) => {
      const f = ELEMENTWISE_ACTIVATIONS[name];
      const value = z.map((v) => f.value(v, r.slope));
      const a = f.value(r.z, r.slope);
      return {
        name, value, derivative: z.map((v, i) => f.derivative(v, value[i], r.slope)),
        at: { value: a, derivative: f.derivative(r.z, a, r.slope), secondDerivative: f.secondDerivative(r.z, a, r.slope) },
      };
    }),
  };
}

function expression(r: Extract<ExplorerRequest, { view: 'expression' }>): ExpressionResult {
  try {
    const graph = buildGraph(r.source, r.values);
    const steps = backwardSteps(graph);
    return {
      view: 'expression',
      source: r.source,
      nodes: graph.nodes.map(({ id, kind, label, inputs, value, text }) => ({ id, kind, label, inputs, value, text })),
      output: graph.output,
      steps,
      gradients: variableGradients(graph, steps),
    };
  } catch (error) {
    if (error instanceof ExpressionError) throw new ExplorerInputError(error.detail, error.column);
    throw error;
  }
}

function surface(models: LessonModels, r: Extract<ExplorerRequest, { view: 'surface' }>): SurfaceResult {
  const data = datasetOf(models.surface);
  const run = descend(models.surface, data, { type: 'sgd', learningRate: r.learningRate }, r.steps);
  // The window follows the path, but a diverging path would stretch it until the bowl is a dot.
  const reference = descend(models.surface, data, { type: 'sgd', learningRate: 0.05 }, 300);
  const shown = run.diverged ? run.path.slice(0, Math.min(run.path.length, 4)) : run.path;
  const grid = lossGrid(models.surface, twoParameterNetwork(models.surface), data, [...reference.path, ...shown]);
  return { view: 'surface', model: models.surface.name ?? '', grid, ...run };
}

/** The racers: torch defaults except learning rates picked so each finishes in view on this surface. */
export const RACERS: Array<{ name: string; spec: OptimizerSpec }> = [
  { name: 'GD', spec: { type: 'sgd', learningRate: 0.5 } },
  { name: 'Momentum', spec: { type: 'sgd', learningRate: 0.5, momentum: 0.9 } },
  { name: 'AdaGrad', spec: { type: 'adagrad', learningRate: 0.5 } },
  { name: 'RMSProp', spec: { type: 'rmsprop', learningRate: 0.05 } },
  { name: 'Adam', spec: { type: 'adam', learningRate: 0.1 } },
  { name: 'Newton', spec: { type: 'newton' } },
  { name: 'L-BFGS', spec: { type: 'lbfgs' } },
  { name: 'Conjugate gradient', spec: { type: 'conjugate-gradient' } },
  { name: 'Levenberg–Marquardt', spec: { type: 'levenberg-marquardt' } },
];

function race(models: LessonModels, r: Extract<ExplorerRequest, { view: 'race' }>): RaceResult {
  const data = datasetOf(models.race);
  const racers = RACERS.map(({ name, spec }) => {
    try {
      const run = descend(models.race, data, spec, r.steps);
      return { name, path: run.path, losses: run.losses };
    } catch (error) {
      return { name, path: [], losses: [], unavailable: error instanceof Error ? error.message : String(error) };
    }
  });
  const include = racers.flatMap((racer) => racer.path.filter(([w, b]) => Math.abs(w) < 50 && Math.abs(b) < 50));
  const grid = lossGrid(models.race, twoParameterNetwork(models.race), data, include);
  return { view: 'race', grid, racers };
}

/** Batch sizes of the noise explorer's curve (those up to the data's size are measured). */
const NOISE_SIZES = [1, 10, 100, 1000, 10000];

/**
 * The engine's gradient-noise experiment at the lesson model's initial weights: the curve with
 * independent draws (the textbook model behind σ/√n), and the lecture's 100 vs 10,000 table
 * with both the independent draws and the trainer's own batches.
 */
function noise(models: LessonModels, r: Extract<ExplorerRequest, { view: 'noise' }>): NoiseResult {
  const model = models.noise;
  const loaded = loadModel(JSON.stringify(model));
  if (!loaded.data) throw new ExplorerInputError(`the lesson model "${model.name ?? ''}" does not load: ${loaded.diagnostics.map((d) => d.message).join('; ')}`);
  const data = loaded.data;
  const net = createNetwork(model, new Rng(model.seed ?? 0));
  const spec = lossSpecOf(model);
  const seed = (model.seed ?? 0) + 1;
  const samples = data.split.train.length;
  const sizes = NOISE_SIZES.filter((n) => n <= samples);
  const curve = gradientNoise(net, spec, data, { sizes, draws: r.draws, seed, sampling: 'replacement' });
  const lecture = samples >= 10000 ? lectureBatchTable(net, spec, data, { draws: r.draws, seed }) : undefined;
  return {
    view: 'noise', samples, draws: r.draws, sizes, std: curve.std, predicted: curve.predicted, sigma: curve.sigma, slope: curve.slope, lecture,
  };
}

/** Computes one explorer's numbers; throws ExplorerInputError for input the learner can fix. */
export function computeExplorer(request: ExplorerRequest, models: LessonModels): ExplorerResult {
  switch (request.view) {
    case 'norms': return norms(request);
    case 'information': return information(request);
    case 'activations': return activations(request);
    case 'expression': return expression(request);
    case 'surface': return surface(models, request);
    case 'race': return race(models, request);
    case 'noise': return noise(models, request);
  }
}
