// createOptimizer: a model file's optimizer block → an Optimizer with torch.optim's defaults.
// Hyperparameter names are camelCase of torch's (lr → learningRate, weight_decay → weightDecay).
import type { OptimizerSpec } from '../types';
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

export type { CarriedState, Objective, Optimizer, OptimizerReport } from './optimizer';
export { OptimizerConfigError } from './hyperparameters';
export { PARAMETER_LIMITS } from './fullBatch';

/** The parameters an optimizer will update, in torch's nn.Sequential order [W0, b0, W1, b1, ...]. */
export interface ParameterLayout {
  names: readonly string[]; // "layers[0].weights", "layers[0].bias", ...
  sizes: readonly number[]; // element counts
}

export interface CreateOptions {
  /** Copy state tensors into each step's report (default true); untraced training can skip it. */
  recordState?: boolean;
}

export function createOptimizer(spec: OptimizerSpec, layout: ParameterLayout, options: CreateOptions = {}): Optimizer {
  const read = new HyperparameterReader(spec);
  const record = options.recordState ?? true;
  const names = layout.names;
  const parameterCount = layout.sizes.reduce((sum, n) => sum + n, 0);
  let optimizer: Optimizer;
  switch (spec.type) {
    case 'sgd': {
      const sgd = {
        learningRate: read.number('learningRate', 1e-3),
        momentum: read.number('momentum', 0),
        dampening: read.number('dampening', 0),
        nesterov: read.boolean('nesterov', false),
        weightDecay: read.number('weightDecay', 0),
      };
      if (sgd.nesterov && (sgd.momentum <= 0 || sgd.dampening !== 0)) {
        throw new OptimizerConfigError('optimizer.nesterov', 'Nesterov momentum needs momentum > 0 and dampening = 0 (as in torch.optim.SGD)');
      }
      optimizer = new Sgd(sgd, names, record);
      break;
    }
    case 'adagrad':
      optimizer = new Adagrad(
        {
          learningRate: read.number('learningRate', 1e-2),
          lrDecay: read.number('lrDecay', 0),
          weightDecay: read.number('weightDecay', 0),
          initialAccumulatorValue: read.number('initialAccumulatorValue', 0),
          eps: read.number('eps', 1e-10),
        },
        names,
        record,
      );
      break;
    case 'rmsprop':
      optimizer = new Rmsprop(
        {
          learningRate: read.number('learningRate', 1e-2),
          alpha: read.number('alpha', 0.99),
          eps: read.number('eps', 1e-8),
          weightDecay: read.number('weightDecay', 0),
          momentum: read.number('momentum', 0),
          centered: read.boolean('centered', false),
        },
        names,
        record,
      );
      break;
    case 'adam':
    case 'adamw':
      optimizer = new Adam(
        {
          learningRate: read.number('learningRate', 1e-3),
          betas: read.betas([0.9, 0.999]),
          eps: read.number('eps', 1e-8),
          weightDecay: read.number('weightDecay', spec.type === 'adamw' ? 1e-2 : 0),
          amsgrad: read.boolean('amsgrad', false),
          decoupledWeightDecay: spec.type === 'adamw',
        },
        names,
        record,
      );
      break;
    case 'newton':
      checkParameterLimit('newton', parameterCount);
      optimizer = new Newton(
        {
          learningRate: read.number('learningRate', 1, positive),
          damping: read.number('damping', 0),
          maxIter: read.number('maxIter', 1, positiveInteger),
        },
        names,
      );
      break;
    case 'levenberg-marquardt':
      checkParameterLimit('levenberg-marquardt', parameterCount);
      optimizer = new LevenbergMarquardt(
        {
          damping: read.number('damping', 1e-3),
          dampingFactor: read.number('dampingFactor', 10, aboveOne),
          maxIter: read.number('maxIter', 1, positiveInteger),
        },
        names,
      );
      break;
    case 'lbfgs': {
      checkParameterLimit('lbfgs', parameterCount);
      const maxIter = read.number('maxIter', 20, positiveInteger);
      optimizer = new Lbfgs(
        {
          learningRate: read.number('learningRate', 1, positive),
          maxIter,
          maxEval: read.number('maxEval', Math.floor((maxIter * 5) / 4), positiveInteger),
          toleranceGrad: read.number('toleranceGrad', 1e-7),
          toleranceChange: read.number('toleranceChange', 1e-9),
          historySize: read.number('historySize', 100, positiveInteger),
          lineSearch: read.choice('lineSearch', 'strong-wolfe', ['strong-wolfe', 'none'] as const),
        },
        names,
      );
      break;
    }
    case 'conjugate-gradient':
      checkParameterLimit('conjugate-gradient', parameterCount);
      optimizer = new ConjugateGradient(
        {
          learningRate: read.number('learningRate', 1, positive),
          lineSearch: read.choice('lineSearch', 'strong-wolfe', ['strong-wolfe', 'none'] as const),
          maxIter: read.number('maxIter', 1, positiveInteger),
          restart: spec.restart === undefined ? undefined : read.number('restart', 1, positiveInteger),
        },
        names,
      );
      break;
    default:
      throw new OptimizerConfigError('optimizer.type', `unknown optimizer ${JSON.stringify(spec.type)}`);
  }
  read.rejectUnknown();
  return optimizer;
}
