// The smallest models the tests start from: one definition each, varied by spreading over them.
import type { ModelSummary } from '../../src/protocol/messages';

/** A valid model file's content: two inputs, one sigmoid unit, MSE, plain SGD, two inline samples. */
export const TINY_MODEL = {
  inputs: 2,
  layers: [{ units: 1, activation: 'sigmoid' }],
  loss: 'mse',
  optimizer: { type: 'sgd', learningRate: 0.1 },
  data: { x: [[0, 0], [1, 1]], y: [[0], [1]] },
};

/** The summary the host sends for a 2-3-1 ReLU/sigmoid classifier on four samples in batches of two. */
export const SMALL_SUMMARY: ModelSummary = {
  inputs: 2,
  layers: [{ units: 3, activation: 'relu' }, { units: 1, activation: 'sigmoid' }],
  loss: 'binary-cross-entropy',
  regularization: { l1: 0, l2: 0 },
  optimizer: { type: 'sgd', hyperparameters: { learningRate: 0.1 } },
  dataset: { samples: 4, train: 4, validation: 0, test: 0, batchSize: 2, batchesPerEpoch: 2, task: 'classification' },
};
