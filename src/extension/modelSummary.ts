// The model as the inspector needs to know it (ModelSummary): its shape, loss, optimizer
// settings and the sizes of its data splits and batches. Also the context every webview message
// is validated against, so its numbers come from the trainer itself, not from a second reading.
import { ONLINE_LOSS_WINDOW } from '../engine/movingAverage';
import type { ModelFile } from '../engine/types';
import type { BatchPlan } from '../engine/batching';
import type { TrainingData } from '../engine/trainer';
import { isClassification } from '../engine/evaluation';
import { normalizeRegularization } from '../engine/losses';
import type { ModelSummary } from '../protocol/messages';

type Hyperparameter = ModelSummary['optimizer']['hyperparameters'][string];

function isHyperparameter(value: unknown): value is Hyperparameter {
  return (
    typeof value === 'number' ||
    typeof value === 'boolean' ||
    typeof value === 'string' ||
    (Array.isArray(value) && value.every((v) => typeof v === 'number'))
  );
}

export function summarizeModel(model: ModelFile, data: TrainingData, plan: BatchPlan): ModelSummary {
  const { type, ...rest } = model.optimizer;
  const hyperparameters: Record<string, Hyperparameter> = {};
  for (const [key, value] of Object.entries(rest)) if (isHyperparameter(value)) hyperparameters[key] = value;
  const regularization = normalizeRegularization(model.regularization);
  const { dataset, split } = data;
  const summary: ModelSummary = {
    inputs: model.inputs,
    layers: model.layers.map((layer) => ({ units: layer.units, activation: layer.activation })),
    loss: model.loss,
    regularization: { l1: regularization.l1, l2: regularization.l2 },
    optimizer: { type, hyperparameters },
    dataset: {
      samples: dataset.samples,
      train: split.train.length,
      validation: split.validation.length,
      test: split.test.length,
      batchSize: plan.size,
      batchesPerEpoch: plan.batchesPerEpoch,
      task: isClassification(model.loss) ? 'classification' : 'regression',
    },
  };
  if (model.name !== undefined) summary.name = model.name;
  if (dataset.inputNames) summary.dataset.inputNames = dataset.inputNames;
  if (dataset.outputNames) summary.dataset.classNames = dataset.outputNames;
  if (data.stream) summary.dataset.online = { samplesPerStep: data.stream.samplesPerStep, averageWindow: ONLINE_LOSS_WINDOW };
  return summary;
}
