// A model file → a readable PyTorch training script that takes the same steps as the engine
// (issue 13, item 3). The script embeds, as literals taken from the engine, the initial weights
// (drawn from the seed), the training split after the split and the normalization, and, when the
// file shuffles, each epoch's batch order; so it needs nothing but torch, and the recorder
// (`backprop_stepper`) only when asked for a trace. Everything else is written the way a person
// writes PyTorch: nn.Sequential of nn.Linear and activation modules, the loss as a formula
// (summed over output units, averaged over the batch), the penalty added to it, torch.optim.
//
// Pure: imports the engine only (no Node, no vscode). The CLI and the editor command write the file.
import type { ActivationName, LossName, ModelFile, OptimizerSpec } from '../engine/types';
import { Trainer, type TrainingData } from '../engine/trainer';
import { NonFiniteError } from '../engine/nonFinite';
import { onlineRefusal } from '../engine/data/stream';
import { normalizeRegularization } from '../engine/losses';

/** Methods torch.optim does not have; a script for them would not be plain PyTorch. */
export const NOT_EXPORTABLE: Readonly<Partial<Record<OptimizerSpec['type'], string>>> = {
  newton: 'Newton\'s method (exact Hessian with adaptive damping)',
  'conjugate-gradient': 'nonlinear conjugate gradient',
  'levenberg-marquardt': 'Levenberg–Marquardt',
};

/** Why a model cannot be exported (online data, or an optimizer not in torch.optim), or undefined. */
export function exportProblem(model: ModelFile): string | undefined {
  if ('generator' in model.data && model.data.online) return onlineRefusal('a PyTorch script (it carries the training set as tensors)');
  const method = NOT_EXPORTABLE[model.optimizer.type];
  if (!method) return undefined;
  return `optimizer "${model.optimizer.type}" (${method}) is not in torch.optim, so it cannot be exported as a plain ` +
    'PyTorch script; export a copy of the model with "sgd", "adam", "adamw", "rmsprop", "adagrad" or "lbfgs" instead';
}

export interface ScriptOptions {
  /** Shown in the script's docstring: the model file it came from. */
  source: string;
  /** Epochs of batch order written out when the file shuffles (without shuffling the script needs none). */
  epochs: number;
}

/** Epochs of shuffled batch order a script carries by default. */
export const DEFAULT_EXPORT_EPOCHS = 20;

export class ExportError extends Error {}

/** The script's text. Throws ExportError (with exportProblem's reason) for the methods torch.optim lacks. */
export function pytorchScript(model: ModelFile, data: TrainingData, options: ScriptOptions): string {
  const problem = exportProblem(model);
  if (problem) throw new ExportError(problem);
  const trainer = new Trainer(model, data, { trace: false, evaluateEpochs: false });
  const plan = trainer.plan;
  const layers = trainer.network.layers;
  const { dataset, split } = data;
  const rows = (flat: Float64Array, width: number, indices: readonly number[]) =>
    indices.map((r) => Array.from(flat.subarray(r * width, (r + 1) * width)));
  const lbfgs = model.optimizer.type === 'lbfgs';
  const normalize = 'normalize' in model.data ? model.data.normalize : undefined;

  // The initial weights are read before shuffledOrders steps the trainer (its arrays are live).
  const modules = layers.flatMap((layer) => [`nn.Linear(${layer.inputs}, ${layer.units})`, activationModule(layer.activation, layer.slope)]);
  const weights = layers.map((layer, l) =>
    `    (  # layers[${l}]: weight [out][in], bias${model.layers[l].weights && model.layers[l].bias ? '' : ' (drawn)'}\n` +
    `        ${pyMatrix(rows(layer.weights, layer.inputs, range(layer.units)), 8)},\n` +
    `        ${pyList(Array.from(layer.bias))},\n    ),`,
  );
  const epochOrders = plan.shuffle ? shuffledOrders(trainer, options.epochs) : undefined;

  const lines = [
    '#!/usr/bin/env python3',
    `"""${pyDocText(model.name ?? options.source)}: the model file ${pyDocText(options.source)} as a PyTorch training script.`,
    '',
    'Written by Backprop Stepper (`node dist/cli.js export-pytorch`). It takes the same steps as',
    `\`node dist/cli.js run ${pyDocText(options.source)} --steps N --json\`, in float64 with plain PyTorch:`,
    'the same initial weights, training data, batch order, loss, regularization and optimizer.',
    'The initial weights, the training split (after the split and the normalization) and the',
    'shuffled batch order are written out below as the engine computed them.',
    '',
    '    python3 this_file.py --steps 10                          # train and print the loss',
    '    python3 this_file.py --steps 10 --trace run.trace.jsonl  # and record every step',
    '',
    'Recording needs the backprop_stepper package (the python/ folder of Backprop Stepper):',
    'PYTHONPATH=path/to/backprop-stepper/python, or pip install path/to/backprop-stepper/python.',
    '"""',
    'import argparse',
    'import sys',
    'from contextlib import nullcontext',
    '',
    'import torch',
    'from torch import nn',
    '',
    'torch.set_default_dtype(torch.float64)  # the engine computes in float64',
    '',
    '# The network. nn.Linear.weight is [out][in], as "weights" in the model file.',
    'model = nn.Sequential(',
    ...modules.map((m) => `    ${m},`),
    ')',
    '',
    '# Initial weights and biases: the model file\'s, or where it gives none (marked "drawn") drawn by the engine',
    `# from seed ${model.seed ?? 0} like nn.Linear's default U(-1/sqrt(in), 1/sqrt(in)) (the engine's generator, not torch's).`,
    'INITIAL = [',
    ...weights,
    ']',
    'with torch.no_grad():',
    '    for linear, (weight, bias) in zip(model[0::2], INITIAL):',
    '        linear.weight.copy_(torch.tensor(weight, dtype=torch.float64))',
    '        linear.bias.copy_(torch.tensor(bias, dtype=torch.float64))',
    '',
    `# The training split: ${split.train.length} of ${dataset.samples} samples` +
      (split.train.length < dataset.samples ? ' (the validation and test samples are left out)' : '') +
      (normalize ? `, inputs scaled with "${normalize}" statistics of the training samples.` : '.'),
    '# Row i is position i of the split; a step\'s "batch" lists these positions.',
    `X_TRAIN = torch.tensor(${pyMatrix(rows(dataset.x, dataset.inputs, split.train), 0)}, dtype=torch.float64)`,
    `Y_TRAIN = torch.tensor(${pyMatrix(rows(dataset.y, dataset.outputs, split.train), 0)}, dtype=torch.float64)`,
    '',
    '',
    ...lossLines(model.loss),
    '',
    '',
    ...penaltyLines(model),
    '',
    '',
    'def loss_fn(output, target):',
    '    """J: the loss the gradients are taken of."""',
    '    return data_loss(output, target) + penalty()',
    '',
    '',
    `optimizer = ${optimizerLine(model.optimizer)}`,
    '',
    ...batchLines(plan, epochOrders),
    '',
    '',
    'def main():',
    '    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])',
    `    parser.add_argument("--steps", type=int, default=${plan.batchesPerEpoch}, help="training steps (default: one epoch)")`,
    '    parser.add_argument("--trace", help="record every step into this trace file (JSON Lines; *.bptrace: the binary form)")',
    '    args = parser.parse_args()',
    '    recorder = open_recorder(args.trace) if args.trace else None',
    '    for step, (epoch, batch) in enumerate(batches(args.steps), start=1):',
    '        x, y = X_TRAIN[batch], Y_TRAIN[batch]',
    ...(lbfgs
      ? [
          '',
          '        def closure():  # L-BFGS evaluates J several times per step',
          '            optimizer.zero_grad()',
          '            loss = loss_fn(model(x), y)',
          '            loss.backward()',
          '            return loss',
          '',
          '        with recording(recorder, x, y, batch, epoch):',
          '            loss = optimizer.step(closure)',
        ]
      : [
          '        with recording(recorder, x, y, batch, epoch):',
          '            optimizer.zero_grad()',
          '            loss = loss_fn(model(x), y)',
          '            loss.backward()',
          '            optimizer.step()',
        ]),
    '        print(f"step {step} epoch {epoch}: J = {loss.item():.17g}")',
    '    if recorder:',
    '        recorder.close()',
    '',
    '',
    'def open_recorder(path):',
    '    try:',
    '        from backprop_stepper import Recorder',
    '    except ImportError:',
    '        sys.exit("--trace needs the backprop_stepper package: set PYTHONPATH to the python/ folder of "',
    '                 "Backprop Stepper, or pip install that folder")',
    '    return Recorder(model, optimizer, path, loss_fn=data_loss, reg_fn=penalty)',
    '',
    '',
    'def recording(recorder, x, y, batch, epoch):',
    '    """The recorder\'s step context, or one that does nothing."""',
    '    if recorder is None:',
    '        return nullcontext()',
    '    return recorder.step(x, y, indices=batch, epoch=epoch)',
    '',
    '',
    'if __name__ == "__main__":',
    '    main()',
    '',
  ];
  return lines.join('\n');
}

function activationModule(activation: ActivationName, slope: number): string {
  switch (activation) {
    case 'identity': return 'nn.Identity()';
    case 'sigmoid': return 'nn.Sigmoid()';
    case 'tanh': return 'nn.Tanh()';
    case 'relu': return 'nn.ReLU()';
    case 'leaky-relu': return `nn.LeakyReLU(${pyNumber(slope)})`;
    case 'softmax': return 'nn.Softmax(dim=1)';
  }
}

function lossLines(loss: LossName): string[] {
  const formula: Record<LossName, string[]> = {
    mse: ['    return ((output - target) ** 2).sum(dim=1).mean()'],
    mae: ['    return (output - target).abs().sum(dim=1).mean()'],
    'cross-entropy': [
      '    # the output is the softmax layer\'s p; t one-hot (or a distribution)',
      '    return -(target * torch.log(output)).sum(dim=1).mean()',
    ],
    'binary-cross-entropy': [
      '    # the output is the sigmoid layer\'s p',
      '    return -(target * torch.log(output) + (1 - target) * torch.log(1 - output)).sum(dim=1).mean()',
    ],
  };
  return [
    'def data_loss(output, target):',
    `    """${loss}: summed over the output units, averaged over the samples of the batch."""`,
    ...formula[loss],
  ];
}

function penaltyLines(model: ModelFile): string[] {
  const { l1, l2 } = normalizeRegularization(model.regularization);
  const terms = [
    ...(l1 !== 0 ? [`${pyNumber(l1)} * linear.weight.abs().sum()`] : []),
    ...(l2 !== 0 ? [`${pyNumber(l2)} * (linear.weight ** 2).sum()`] : []),
  ];
  return [
    'def penalty():',
    terms.length === 0
      ? '    """No regularization in the model file."""'
      : '    """Regularization on the weights only (not the biases), per layer."""',
    terms.length === 0 ? '    return 0.0' : `    return sum(${terms.join(' + ')} for linear in model[0::2])`,
  ];
}

/** torch.optim's name of each hyperparameter the model file may set. */
const TORCH_HYPERPARAMETER: Readonly<Record<string, string>> = {
  learningRate: 'lr', momentum: 'momentum', dampening: 'dampening', nesterov: 'nesterov', weightDecay: 'weight_decay',
  lrDecay: 'lr_decay', initialAccumulatorValue: 'initial_accumulator_value', eps: 'eps', alpha: 'alpha', centered: 'centered',
  betas: 'betas', amsgrad: 'amsgrad', maxIter: 'max_iter', maxEval: 'max_eval', toleranceGrad: 'tolerance_grad',
  toleranceChange: 'tolerance_change', historySize: 'history_size', lineSearch: 'line_search_fn',
};

const TORCH_OPTIMIZER: Readonly<Record<string, string>> = {
  sgd: 'SGD', adagrad: 'Adagrad', rmsprop: 'RMSprop', adam: 'Adam', adamw: 'AdamW', lbfgs: 'LBFGS',
};

/**
 * `torch.optim.X(model.parameters(), ...)` with the hyperparameters the model file sets; the rest
 * are torch's defaults, which are the engine's (the differential test holds them against each
 * other), except two the script must spell out: SGD's learning rate (the engine's default 1e-3;
 * torch 1.13 has none) and L-BFGS's line search (the engine's default strong Wolfe; torch's none).
 */
function optimizerLine(spec: OptimizerSpec): string {
  const settings: [string, string][] = [];
  for (const [key, value] of Object.entries(spec)) {
    if (key === 'type' || value === undefined) continue;
    const name = TORCH_HYPERPARAMETER[key];
    if (!name) throw new ExportError(`optimizer.${key} has no torch.optim counterpart`);
    settings.push([name, key === 'lineSearch' ? (value === 'strong-wolfe' ? '"strong_wolfe"' : 'None') : pyValue(value)]);
  }
  const has = (name: string) => settings.some(([n]) => n === name);
  if (spec.type === 'sgd' && !has('lr')) settings.unshift(['lr', '0.001']);
  if (spec.type === 'lbfgs' && !has('line_search_fn')) settings.push(['line_search_fn', '"strong_wolfe"']);
  return `torch.optim.${TORCH_OPTIMIZER[spec.type]}(model.parameters(), ${settings.map(([n, v]) => `${n}=${v}`).join(', ')})`;
}

function batchLines(plan: Trainer['plan'], epochOrders: number[][] | undefined): string[] {
  const head = [
    'def batches(steps):',
    `    """(epoch, positions) of each step: batches of ${plan.size} consecutive positions of the epoch\'s order, the last one shorter."""`,
    `    size, samples = ${plan.size}, ${plan.samples}`,
  ];
  if (!epochOrders) {
    return [
      '# Batch order: the training split in order every epoch (no shuffling).',
      ...head,
      '    for step in range(steps):',
      '        epoch, k = divmod(step, (samples + size - 1) // size)',
      '        yield epoch + 1, list(range(k * size, min((k + 1) * size, samples)))',
    ];
  }
  return [
    `# Batch order: a new shuffle of the training split every epoch, drawn by the engine's seeded generator;`,
    `# ${epochOrders.length} epoch${epochOrders.length === 1 ? '' : 's'} written out (export with a larger --epochs for more).`,
    'EPOCH_ORDERS = [',
    ...epochOrders.map((order) => `    ${pyList(order)},`),
    ']',
    '',
    '',
    ...head,
    '    per_epoch = (samples + size - 1) // size',
    '    if steps > per_epoch * len(EPOCH_ORDERS):',
    '        sys.exit(f"this script holds the batch order of {len(EPOCH_ORDERS)} epochs ({per_epoch * len(EPOCH_ORDERS)} steps); "',
    '                 "export it again with a larger --epochs")',
    '    for step in range(steps):',
    '        epoch, k = divmod(step, per_epoch)',
    '        yield epoch + 1, EPOCH_ORDERS[epoch][k * size:(k + 1) * size]',
  ];
}

/**
 * The positions of each epoch's order, read off the engine's own trainer (untraced) as it
 * steps, so the script follows exactly the batches the engine trains on. Stops early, with
 * what it has, if training breaks down on a non-finite value.
 */
function shuffledOrders(trainer: Trainer, epochs: number): number[][] {
  const orders: number[][] = [];
  try {
    for (let e = 0; e < epochs; e++) {
      const order: number[] = [];
      for (let k = 0; k < trainer.plan.batchesPerEpoch; k++) order.push(...trainer.step().batch);
      orders.push(order);
    }
  } catch (error) {
    if (!(error instanceof NonFiniteError)) throw error;
  }
  return orders;
}

// ---- Python literals

function range(n: number): number[] {
  return Array.from({ length: n }, (_, i) => i);
}

/** A float literal Python reads back to the same float64 (JS's shortest round-trip form). */
export function pyNumber(x: number): string {
  if (Object.is(x, -0)) return '-0.0';
  if (!Number.isFinite(x)) throw new ExportError(`cannot write ${x} into a script`);
  return String(x);
}

function pyList(values: readonly number[]): string {
  return `[${values.map(pyNumber).join(', ')}]`;
}

/** Rows on their own lines, indented by `indent`. */
function pyMatrix(matrix: readonly (readonly number[])[], indent: number): string {
  if (matrix.length === 0) return '[]';
  const pad = ' '.repeat(indent + 4);
  return `[\n${matrix.map((row) => `${pad}${pyList(row)},`).join('\n')}\n${' '.repeat(indent)}]`;
}

function pyValue(value: unknown): string {
  if (typeof value === 'boolean') return value ? 'True' : 'False';
  if (typeof value === 'number') return pyNumber(value);
  if (Array.isArray(value)) return `(${value.map(pyValue).join(', ')})`;
  return JSON.stringify(value);
}

/** Text safe inside a """docstring""". */
function pyDocText(text: string): string {
  return text.replace(/\\/g, '/').replace(/"""/g, "'''");
}
