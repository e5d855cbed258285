// The one table of optimizer defaults: torch.optim's for the same names (camelCase of torch's:
// lr → learningRate, weight_decay → weightDecay). createOptimizer reads every hyperparameter a
// model file leaves out from here; test/unit/optimizerDefaults.test.ts holds the JSON Schema's
// `default` values and descriptions (what VS Code shows on hover) and the README's table to it.
// Two defaults depend on other values and are derived where they are used: L-BFGS's maxEval
// (maxIter · 5/4, as torch) and conjugate gradient's restart (the number of parameters).
import type { OptimizerName } from '../types';

export const OPTIMIZER_DEFAULTS = {
  sgd: { learningRate: 1e-3, momentum: 0, dampening: 0, nesterov: false, weightDecay: 0 },
  adagrad: { learningRate: 1e-2, lrDecay: 0, weightDecay: 0, initialAccumulatorValue: 0, eps: 1e-10 },
  rmsprop: { learningRate: 1e-2, alpha: 0.99, eps: 1e-8, weightDecay: 0, momentum: 0, centered: false },
  adam: { learningRate: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 0, amsgrad: false },
  adamw: { learningRate: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 1e-2, amsgrad: false },
  newton: { learningRate: 1, damping: 0, maxIter: 1 },
  lbfgs: { learningRate: 1, maxIter: 20, toleranceGrad: 1e-7, toleranceChange: 1e-9, historySize: 100, lineSearch: 'strong-wolfe' },
  'conjugate-gradient': { learningRate: 1, lineSearch: 'strong-wolfe', maxIter: 1 },
  'levenberg-marquardt': { damping: 1e-3, dampingFactor: 10, maxIter: 1 },
} as const satisfies Record<OptimizerName, Readonly<Record<string, number | boolean | string | readonly number[]>>>;
