// createOptimizer: a model file's optimizer block → an Optimizer, one builder per method, with
// torch.optim's defaults from the one table in ./defaults.ts. Hyperparameter names are camelCase
// of torch's (lr → learningRate, weight_decay → weightDecay).
import type { OptimizerName, OptimizerSpec } from '../types';
import { OPTIMIZER_DEFAULTS } from './defaults';
import type { Optimizer } from './optimizer';
import { HyperparameterReader, OptimizerConfigError, aboveOne, positive, positiveInteger } from './hyperparameters';
import { Adagrad, type AdagradOptions } from './adagrad';
import { Adam, type AdamOptions } from './adam';
import { ConjugateGradient, type ConjugateGradientOptions } from './conjugateGradient';
import { PARAMETER_LIMITS, checkParameterLimit } from './fullBatch';
import { Lbfgs, type LbfgsOptions } from './lbfgs';
import { LevenbergMarquardt, type LevenbergMarquardtOptions } from './levenbergMarquardt';
import { Newton, type NewtonOptions } from './newton';
import { Rmsprop, type RmspropOptions } from './rmsprop';
import { Sgd, type SgdOptions } from './sgd';

export type { CarriedState, Objective, Optimizer, OptimizerReport } from './optimizer';
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

const CHOICES = { lineSearch: ['strong-wolfe', 'none'] } as const;

function sgd(read: HyperparameterReader, { names }: ParameterLayout, recordState: boolean): Optimizer {
  const settings = read.settings<SgdOptions>();
  if (settings.nesterov && (settings.momentum <= 0 || settings.dampening !== 0)) {
    throw new OptimizerConfigError('optimizer.nesterov', 'Nesterov momentum needs momentum > 0 and dampening = 0 (as in torch.optim.SGD)');
  }
  return new Sgd(settings, names, recordState);
}

const adagrad: Builder = (read, { names }, recordState) => new Adagrad(read.settings<AdagradOptions>(), names, recordState);
const rmsprop: Builder = (read, { names }, recordState) => new Rmsprop(read.settings<RmspropOptions>(), names, recordState);

/** Adam, and AdamW: the same moments with the weight decay taken out of the gradient (decoupled). */
const adam = (decoupledWeightDecay: boolean): Builder => (read, { names }, recordState) =>
  new Adam({ ...read.settings<Omit<AdamOptions, 'decoupledWeightDecay'>>(), decoupledWeightDecay }, names, recordState);

const newton: Builder = (read, { names }) => new Newton(read.settings<NewtonOptions>({ learningRate: positive, maxIter: positiveInteger }), names);

const levenbergMarquardt: Builder = (read, { names }) =>
  new LevenbergMarquardt(read.settings<LevenbergMarquardtOptions>({ dampingFactor: aboveOne, maxIter: positiveInteger }), names);

function lbfgs(read: HyperparameterReader, { names }: ParameterLayout): Optimizer {
  const settings = read.settings<Omit<LbfgsOptions, 'maxEval'>>({ learningRate: positive, maxIter: positiveInteger, historySize: positiveInteger }, CHOICES);
  // torch's max_eval default depends on max_iter.
  return new Lbfgs({ ...settings, maxEval: read.number('maxEval', positiveInteger, Math.floor((settings.maxIter * 5) / 4)) }, names);
}

function conjugateGradient(read: HyperparameterReader, { names }: ParameterLayout): Optimizer {
  return new ConjugateGradient({
    ...read.settings<Omit<ConjugateGradientOptions, 'restart'>>({ learningRate: positive, maxIter: positiveInteger }, CHOICES),
    // Left out: restart every P steps, which ConjugateGradient takes from the parameter count.
    restart: read.optionalNumber('restart', positiveInteger),
  }, names);
}

const BUILDERS: Record<OptimizerName, Builder> = {
  sgd, adagrad, rmsprop, adam: adam(false), adamw: adam(true),
  newton, lbfgs, 'conjugate-gradient': conjugateGradient, 'levenberg-marquardt': levenbergMarquardt,
};


/** A model file's optimizer block → an Optimizer, with OPTIMIZER_DEFAULTS for what it leaves out. */
export function createOptimizer(spec: OptimizerSpec, layout: ParameterLayout, options: CreateOptions = {}): Optimizer {
  if (!Object.hasOwn(BUILDERS, spec.type)) throw new OptimizerConfigError('optimizer.type', `unknown optimizer ${JSON.stringify(spec.type)}`);
  // The full-batch methods build matrices over all P parameters: each refuses a network over its limit.
  if (Object.hasOwn(PARAMETER_LIMITS, spec.type)) {
    checkParameterLimit(spec.type as keyof typeof PARAMETER_LIMITS, layout.sizes.reduce((sum, n) => sum + n, 0));
  }
  const read = new HyperparameterReader(spec, OPTIMIZER_DEFAULTS[spec.type]);
  const optimizer = BUILDERS[spec.type](read, layout, options.recordState ?? true);
  read.rejectUnknown();
  return optimizer;
}
