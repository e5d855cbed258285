// Checks the schema cannot express: shapes between layers, loss/activation pairings, data widths,
// ratios that must add up. They run on a schema-valid file, so types are already right.
import { MAX_PARAMETERS } from '../limits';
import { REQUIRED_OUTPUT_ACTIVATION } from '../losses';
import { PARAMETER_LIMITS } from '../optimizers/fullBatch';
import type { Diagnostic, ModelFile } from '../types';
import type { JsonDocument, PathSegment } from './jsonText';
import { targetRowProblem } from './targets';
import { STREAMING_GENERATORS } from '../data/stream';

/** Shape problems in inline data are reported for this many rows, then summarized. */
const MAX_ROW_REPORTS = 3;

type Report = (segments: PathSegment[], message: string, severity?: Diagnostic['severity'], at?: 'key') => void;

/** Each check with the top-level fields it reads: it runs only when they passed the schema. */
const CHECKS: [readonly string[], (model: ModelFile, report: Report) => void][] = [
  [['inputs', 'layers'], checkLayers],
  [['loss', 'layers'], checkLoss],
  [['optimizer', 'loss', 'batch', 'regularization', 'inputs', 'layers'], checkOptimizer],
  [['data', 'inputs', 'layers', 'loss'], checkInlineData],
  [['split'], checkSplit],
  [['batch'], checkBatch],
  [['data', 'batch', 'optimizer', 'split'], checkOnline],
];

/** The problems of `model` that the schema cannot express, from the checks whose fields are `usable`. */
export function checkSemantics(model: ModelFile, doc: JsonDocument, usable: (fields: readonly string[]) => boolean = () => true): Diagnostic[] {
  const out: Diagnostic[] = [];
  const report: Report = (segments, message, severity = 'error', at) => out.push(doc.diagnostic(segments, message, { severity, at }));
  for (const [fields, check] of CHECKS) if (usable(fields)) check(model, report);
  return out;
}

/** Weights and biases of the network the file describes. */
export function parameterCount(model: ModelFile): number {
  return model.layers.reduce((sum, layer, l) => sum + layer.units * ((l === 0 ? model.inputs : model.layers[l - 1].units) + 1), 0);
}

function layerInputName(model: ModelFile, l: number): string {
  return l === 0 ? `"inputs" = ${model.inputs}` : `layers[${l - 1}].units = ${model.layers[l - 1].units}`;
}

function checkLayers(model: ModelFile, report: Report): void {
  const last = model.layers.length - 1;
  let parameters = 0;
  let widest = 0;
  model.layers.forEach((layer, l) => {
    const fanIn = l === 0 ? model.inputs : model.layers[l - 1].units;
    parameters += layer.units * (fanIn + 1);
    if (layer.units * fanIn > model.layers[widest].units * (widest === 0 ? model.inputs : model.layers[widest - 1].units)) widest = l;
    const at = `layers[${l}]`;
    if (layer.weights) {
      const w = layer.weights;
      const transposed = w.length === fanIn && w.every((row) => row.length === layer.units) && fanIn !== layer.units;
      const transposeHint = transposed ? ' It looks transposed: weights are [out][in] as in torch.nn.Linear.weight.' : '';
      if (w.length !== layer.units) {
        report(['layers', l, 'weights'], `${at}.weights: has ${w.length} row${w.length === 1 ? '' : 's'} but the layer has ${layer.units} units; weights are [out][in]: write ${layer.units} rows (one per unit) of ${fanIn} numbers (one per input: ${layerInputName(model, l)}).${transposeHint}`);
      } else {
        w.forEach((row, r) => {
          if (row.length !== fanIn) {
            report(['layers', l, 'weights', r], `${at}.weights[${r}]: has ${row.length} number${row.length === 1 ? '' : 's'} but the layer has ${fanIn} inputs (${layerInputName(model, l)}); each row holds one weight per input.`);
          }
        });
      }
    }
    if (layer.bias && layer.bias.length !== layer.units) {
      report(['layers', l, 'bias'], `${at}.bias: has ${layer.bias.length} number${layer.bias.length === 1 ? '' : 's'} but the layer has ${layer.units} units; write one bias per unit.`);
    }
    if (layer.slope !== undefined && layer.activation !== 'leaky-relu') {
      report(['layers', l, 'slope'], `${at}.slope: only "leaky-relu" has a slope; it is ignored for "${layer.activation}".`, 'warning', 'key');
    }
    if (layer.activation === 'softmax' && l !== last) {
      report(['layers', l, 'activation'], `${at}.activation: "softmax" is only allowed on the output layer (layers[${last}]); use "relu", "tanh" or "sigmoid" in hidden layers.`);
    }
    if (layer.activation === 'softmax' && l === last && layer.units === 1) {
      report(['layers', l, 'units'], `${at}.units: a softmax over 1 unit always outputs 1; use 2 or more units, or 1 "sigmoid" unit with "binary-cross-entropy".`);
    }
  });
  if (parameters > MAX_PARAMETERS) {
    report(['layers', widest, 'units'], `layers[${widest}].units: the network has ${parameters.toLocaleString('en-US')} weights and biases, more than the limit of ${MAX_PARAMETERS.toLocaleString('en-US')}; make layers[${widest}] (the largest) or "inputs" smaller.`);
  }
}

function checkLoss(model: ModelFile, report: Report): void {
  const last = model.layers.length - 1;
  const output = model.layers[last].activation;
  const required = REQUIRED_OUTPUT_ACTIVATION[model.loss];
  // cross-entropy and binary cross-entropy are computed from the output layer's z (like torch's
  // CrossEntropyLoss / BCEWithLogitsLoss), so they are defined only with their own activation.
  if (required && output !== required) {
    const other = model.loss === 'cross-entropy' ? '"binary-cross-entropy" with a 1-unit "sigmoid" output' : '"cross-entropy" with a "softmax" output';
    report(['loss'], `loss: "${model.loss}" needs a "${required}" output layer, but layers[${last}].activation is "${output}"; set layers[${last}].activation to "${required}", or use ${other}.`);
  } else if (output === 'softmax' && !required) {
    report(['loss'], `loss: "${model.loss}" on a softmax output is allowed (PyTorch allows it too), but softmax outputs are normally trained with "cross-entropy", whose gradient does not vanish when a class is confidently wrong.`, 'warning');
  }
}

function checkOptimizer(model: ModelFile, report: Report): void {
  const o = model.optimizer;
  if (o.type === 'sgd' && o.nesterov && ((o.momentum ?? 0) <= 0 || (o.dampening ?? 0) !== 0)) {
    report(['optimizer', 'nesterov'], 'optimizer.nesterov: Nesterov momentum needs "momentum" > 0 and "dampening": 0 (as torch.optim.SGD requires); set a momentum such as 0.9 or remove "nesterov".', 'error', 'key');
  }
  if (o.type === 'levenberg-marquardt' && model.loss !== 'mse') {
    report(['optimizer', 'type'], `optimizer.type: "levenberg-marquardt" minimizes a sum of squared residuals, so it needs "loss": "mse" (this file has "${model.loss}"); use "newton" or "lbfgs" for other losses.`);
  }
  if (o.type in PARAMETER_LIMITS) {
    const limit = PARAMETER_LIMITS[o.type as keyof typeof PARAMETER_LIMITS];
    const parameters = parameterCount(model);
    if (parameters > limit) {
      report(['optimizer', 'type'], `optimizer.type: "${o.type}" works on networks of at most ${limit.toLocaleString('en-US')} weights and biases; this network has ${parameters.toLocaleString('en-US')}. Use fewer or smaller layers, or a first-order optimizer such as "adam".`);
    }
  }
  if (o.type === 'levenberg-marquardt' && (model.regularization?.l1 ?? 0) > 0) {
    report(['regularization', 'l1'], `regularization.l1: "levenberg-marquardt" minimizes a sum of squares, and an l1 penalty |w| is not one; remove "l1" (l2 is fine) or use "newton" or "lbfgs".`);
  }
  if (o.type in PARAMETER_LIMITS && model.batch && model.batch.mode !== 'batch') {
    report(['batch', 'mode'], `batch.mode: "${o.type}" works on the whole training set in every step, so "${model.batch.mode}" is ignored.`, 'warning');
  }
}

function checkInlineData(model: ModelFile, report: Report): void {
  if (!('x' in model.data)) return;
  const { x, y } = model.data;
  const outputs = model.layers[model.layers.length - 1].units;
  if (x.length !== y.length) {
    report(['data', 'y'], `data.y: has ${y.length} rows but data.x has ${x.length}; write one target row per input row.`);
  }
  const rowProblems = (rows: number[][], name: 'x' | 'y', width: number, widthName: string) => {
    let reported = 0;
    let more = 0;
    rows.forEach((row, i) => {
      let problem: string | undefined;
      if (row.length !== width) problem = `has ${row.length} number${row.length === 1 ? '' : 's'} but ${widthName} is ${width}`;
      else if (name === 'y') problem = targetRowProblem(model.loss, row);
      if (!problem) return;
      if (reported < MAX_ROW_REPORTS) {
        reported++;
        report(['data', name, i], `data.${name}[${i}]: ${problem}.`);
      } else more++;
    });
    if (more > 0) report(['data', name], `data.${name}: ${more} more row${more === 1 ? '' : 's'} with the same kind of problem.`);
  };
  rowProblems(x, 'x', model.inputs, '"inputs"');
  rowProblems(y, 'y', outputs, `the output layer's units (layers[${model.layers.length - 1}].units)`);
}

function checkSplit(model: ModelFile, report: Report): void {
  if (!model.split) return;
  const { train, validation = 0, test = 0 } = model.split;
  const sum = train + validation + test;
  if (Math.abs(sum - 1) > 1e-9) {
    const advice = sum > 1 ? 'lower them' : `e.g. add "test": ${+(1 - train - validation).toFixed(6)}`;
    report(['split'], `split: train + validation + test = ${+sum.toFixed(9)}; the ratios must sum to 1 (${advice}).`, 'error', 'key');
  }
}

function checkBatch(model: ModelFile, report: Report): void {
  const batch = model.batch;
  if (!batch) return;
  if (batch.mode === 'mini-batch' && batch.size === undefined) {
    report(['batch'], 'batch: "mini-batch" needs a "size", e.g. "size": 32.', 'error', 'key');
  }
  if (batch.mode !== 'mini-batch' && batch.size !== undefined && !(batch.mode === 'stochastic' && batch.size === 1)) {
    report(['batch', 'size'], `batch.size: only "mini-batch" uses a size; "${batch.mode}" ${batch.mode === 'batch' ? 'uses the whole training set' : 'uses one sample'} per step, so it is ignored.`, 'warning', 'key');
  }
}

/** Why whole-batch training cannot be online, in the lecture's words (훈련 단위). */
export const ONLINE_WHOLE_BATCH_REASON =
  'whole-batch training puts the whole training set into every step, and online the training data keeps growing, so there is no whole set to put in (the lecture, 훈련 단위: "훈련 데이터가 점진적으로 계속 늘어나는 경우엔 불가능 (Online Training)")';

function checkOnline(model: ModelFile, report: Report): void {
  const data = model.data;
  if (!('generator' in data) || !data.online) return;
  const mode = model.batch?.mode ?? 'batch';
  if (!model.batch) {
    report(['data', 'online'], `data.online: without "batch" a model trains on the whole batch, but ${ONLINE_WHOLE_BATCH_REASON}; add "batch": { "mode": "mini-batch", "size": 16 } or { "mode": "stochastic" }.`, 'error', 'key');
  } else if (mode === 'batch') {
    report(['batch', 'mode'], `batch.mode: "batch" cannot train online ("data.online": true): ${ONLINE_WHOLE_BATCH_REASON}; use "mini-batch" with a "size", or "stochastic".`);
  }
  if (model.optimizer.type in PARAMETER_LIMITS) {
    report(['optimizer', 'type'], `optimizer.type: "${model.optimizer.type}" works on the whole training set in every step and cannot train online ("data.online": true): ${ONLINE_WHOLE_BATCH_REASON}; use a first-order optimizer such as "sgd" or "adam".`);
  }
  if (!STREAMING_GENERATORS.includes(data.generator)) {
    report(['data', 'generator'], `data.generator: "${data.generator}" places its points along its arms by index rather than drawing them, so it cannot stream fresh samples ("data.online": true); use one of ${STREAMING_GENERATORS.map((g) => `"${g}"`).join(', ')}.`);
  }
  if (model.split) {
    report(['split'], 'split: online training ("data.online": true) has no fixed dataset to split: every step trains on fresh samples, and the reference sample of "data.samples" is the validation split; remove "split".', 'error', 'key');
  }
  if (model.batch?.shuffle) {
    report(['batch', 'shuffle'], 'batch.shuffle: online every step draws fresh samples, so there is nothing to shuffle; it is ignored.', 'warning', 'key');
  }
}
