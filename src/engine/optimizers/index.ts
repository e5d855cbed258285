// createOptimizer: a model file's optimizer block → an Optimizer, one builder per method, with
// torch.optim's defaults from the one table in ./defaults.ts. Hyperparameter names are camelCase
// of torch's (lr → learningRate, weight_decay → weightDecay).
import type { OptimizerName, OptimizerSpec } from '../types';
import { OPTIMIZER_DEFAULTS } from './defaults';
import type { Optimizer } from './optimizer';
import { HyperparameterReader, OptimizerConfigError, aboveOne, positive, positiveInteger } from './hyperparameters';
import { Adagrad } from './adagrad';
import { Adam } from './adam';
import { ConjugateGradient } from './conjugateGradient';
import { checkParameterLimit } from './fullBatch';
import { Lbfgs } from './lbfgs';
import { LevenbergMarquardt } from './levenbergMarquardt';
import { Newton } from './newton';
import { Rmsprop } from './rmsprop';
import { Sgd } from './sgd';

export type { Objective, Optimizer, OptimizerReport } from './optimizer';
export { OptimizerConfigError } from './hyperparameters';
export { PARAMETER_LIMITS } from './fullBatch';
export { OPTIMIZER_DEFAULTS } from './defaults';

/** The parameters an optimizer will update, in torch's nn.Sequential order [W0, b0, W1, b1, ...]. */
export interface ParameterLayout {
  names: readonly string[]; // "layers[0].weights", "layers[0].bias", ...
  sizes: readonly number[]; // element counts
}

export interface CreateOptions {
  /** Copy state tensors into each step's report (default true); untraced training can skip it. */
  recordState?: boolean;
}

/** Builds one optimizer type from its reader (defaults already in it) and the parameter names. */
type Builder = (read: HyperparameterReader, layout: ParameterLayout, recordState: boolean) => Optimizer;

const LINE_SEARCHES = ['strong-wolfe', 'none'] as const;

function sgd(read: HyperparameterReader, { names }: ParameterLayout, recordState: boolean): Optimizer {
  const settings = {
    learningRate: read.number('learningRate'),
    momentum: read.number('momentum'),
    dampening: read.number('dampening'),
    nesterov: read.boolean('nesterov'),
    weightDecay: read.number('weightDecay'),
  };
  if (settings.nesterov && (settings.momentum <= 0 || settings.dampening !== 0)) {
    throw new OptimizerConfigError('optimizer.nesterov', 'Nesterov momentum needs momentum > 0 and dampening = 0 (as in torch.optim.SGD)');
  }
  return new Sgd(settings, names, recordState);
}

function adagrad(read: HyperparameterReader, { names }: ParameterLayout, recordState: boolean): Optimizer {
  return new Adagrad({
    learningRate: read.number('learningRate'),
    lrDecay: read.number('lrDecay'),
    weightDecay: read.number('weightDecay'),
    initialAccumulatorValue: read.number('initialAccumulatorValue'),
    eps: read.number('eps'),
  }, names, recordState);
}

function rmsprop(read: HyperparameterReader, { names }: ParameterLayout, recordState: boolean): Optimizer {
  return new Rmsprop({
    learningRate: read.number('learningRate'),
    alpha: read.number('alpha'),
    eps: read.number('eps'),
    weightDecay: read.number('weightDecay'),
    momentum: read.number('momentum'),
    centered: read.boolean('centered'),
  }, names, recordState);
}

/** Adam, and AdamW: the same moments with the weight decay taken out of the gradient (decoupled). */
const adam = (decoupledWeightDecay: boolean): Builder => (read, { names }, recordState) => new Adam({
  learningRate: read.number('learningRate'),
  betas: read.betas(),
  eps: read.number('eps'),
  weightDecay: read.number('weightDecay'),
  amsgrad: read.boolean('amsgrad'),
  decoupledWeightDecay,
}, names, recordState);

// The full-batch methods build matrices over all P parameters: each refuses a network over its limit.
function newton(read: HyperparameterReader, layout: ParameterLayout): Optimizer {
  checkParameterLimit('newton', parameterCount(layout));
  return new Newton({
    learningRate: read.number('learningRate', positive),
    damping: read.number('damping'),
    maxIter: read.number('maxIter', positiveInteger),
  }, layout.names);
}

function levenbergMarquardt(read: HyperparameterReader, layout: ParameterLayout): Optimizer {
  checkParameterLimit('levenberg-marquardt', parameterCount(layout));
  return new LevenbergMarquardt({
    damping: read.number('damping'),
    dampingFactor: read.number('dampingFactor', aboveOne),
    maxIter: read.number('maxIter', positiveInteger),
  }, layout.names);
}

function lbfgs(read: HyperparameterReader, layout: ParameterLayout): Optimizer {
  checkParameterLimit('lbfgs', parameterCount(layout));
  const maxIter = read.number('maxIter', positiveInteger);
  return new Lbfgs({
    learningRate: read.number('learningRate', positive),
    maxIter,
    maxEval: read.number('maxEval', positiveInteger, Math.floor((maxIter * 5) / 4)), // torch's max_eval default
    toleranceGrad: read.number('toleranceGrad'),
    toleranceChange: read.number('toleranceChange'),
    historySize: read.number('historySize', positiveInteger),
    lineSearch: read.choice('lineSearch', LINE_SEARCHES),
  }, layout.names);
}

function conjugateGradient(read: HyperparameterReader, layout: ParameterLayout): Optimizer {
  checkParameterLimit('conjugate-gradient', parameterCount(layout));
  return new ConjugateGradient({
    learningRate: read.number('learningRate', positive),
    lineSearch: read.choice('lineSearch', LINE_SEARCHES),
    maxIter: read.number('maxIter', positiveInteger),
    // Left out: restart every P steps, which ConjugateGradient takes from the parameter count.
    restart: read.optionalNumber('restart', positiveInteger),
  }, layout.names);
}

const BUILDERS: Record<OptimizerName, Builder> = {
  sgd, adagrad, rmsprop, adam: adam(false), adamw: adam(true),
  newton, lbfgs, 'conjugate-gradient': conjugateGradient, 'levenberg-marquardt': levenbergMarquardt,
};

function parameterCount(layout: ParameterLayout): number {
  return layout.sizes.reduce((sum, n) => sum + n, 0);
}

/** A model file's optimizer block → an Optimizer, with OPTIMIZER_DEFAULTS for what it leaves out. */
export function createOptimizer(spec: OptimizerSpec, layout: ParameterLayout, options: CreateOptions = {}): Optimizer {
  if (!Object.hasOwn(BUILDERS, spec.type)) throw new OptimizerConfigError('optimizer.type', `unknown optimizer ${JSON.stringify(spec.type)}`);
  const read = new HyperparameterReader(spec, OPTIMIZER_DEFAULTS[spec.type]);
  const optimizer = BUILDERS[spec.type](read, layout, options.recordState ?? true);
  read.rejectUnknown();
  return optimizer;
}
