// A stand-in for the extension host in webview tests and the latency benchmark: it answers the
// webview's messages from real Trainer output (engineSteps.ts) through the real protocol codec.
// The extension does not yet export its own builders for the dataView, prediction and epoch
// messages, so these mirror the message shapes of src/protocol/messages.ts with engine functions
// (predict for the decision grid, the information measures for the prediction panel).
import type {
  DataView, EpochEvaluation, HostMessage, ModelSummary, Position, SamplePrediction, StepMessage, WebviewMessage,
} from '../../src/protocol/messages';
import { encodeRecord, tensorOf } from '../../src/protocol/traceCodec';
import { predict } from '../../src/engine/network';
import { crossEntropy, entropy, selfInformation } from '../../src/engine/information';
import type { EngineRun } from './engineSteps';

export const GRID_SIZE = 40;

export function summaryOf(run: EngineRun): ModelSummary {
  const m = run.model;
  const { split } = run.data;
  return {
    name: m.name, inputs: m.inputs, layers: m.layers.map((l) => ({ units: l.units, activation: l.activation })), loss: m.loss,
    regularization: { l1: m.regularization?.l1 ?? 0, l2: m.regularization?.l2 ?? 0 },
    optimizer: { type: m.optimizer.type, hyperparameters: Object.fromEntries(Object.entries(m.optimizer).filter(([k]) => k !== 'type')) as ModelSummary['optimizer']['hyperparameters'] },
    dataset: {
      samples: run.samples, train: split.train.length, validation: split.validation.length, test: split.test.length,
      batchSize: run.trainer.plan.size, batchesPerEpoch: run.trainer.plan.batchesPerEpoch,
      task: m.loss.includes('cross-entropy') ? 'classification' : 'regression',
    },
  };
}

/** The class probabilities of one output row: softmax as is, one sigmoid unit as [1 − p, p]. */
function classDistribution(output: Float64Array, units: number, row: number): number[] {
  const a = Array.from(output.subarray(row * units, (row + 1) * units));
  return units === 1 ? [1 - a[0], a[0]] : a;
}

export class StandInHost {
  readonly model: ModelSummary;
  current: number;
  /** The batch row whose prediction is shown (the webview's `select` message sets it). */
  sample = 0;
  constructor(readonly run: EngineRun) {
    this.model = summaryOf(run);
    this.current = run.records.length;
  }

  init(strings: Record<string, string> = {}, locale = 'en'): HostMessage {
    return { type: 'init', strings, locale, model: this.model, theme: 'light' };
  }

  position(step: number): Position {
    const perEpoch = this.model.dataset.batchesPerEpoch;
    return { step, epoch: Math.ceil(step / perEpoch), batchInEpoch: ((step - 1) % perEpoch) + 1, batchesPerEpoch: perEpoch, latestStep: this.run.records.length, running: false };
  }

  /** Step `step`; `incremental` sends only its own loss point, as a host does while stepping forward. */
  step(step: number, incremental = false): StepMessage {
    const from = incremental ? step : 1;
    const records = this.run.records.slice(from - 1, step);
    const series = (pick: (r: (typeof records)[number]) => number | undefined) => Float64Array.from(records, (r) => pick(r) ?? NaN);
    const message: StepMessage = {
      type: 'step', position: this.position(step), record: encodeRecord(this.run.records[step - 1]),
      history: { from, loss: series((r) => r.loss), lossAfter: series((r) => r.lossAfter), dataLoss: series((r) => r.dataLoss), regLoss: series((r) => r.regLoss) },
    };
    const prediction = this.prediction(step, this.sample);
    if (prediction) message.prediction = prediction;
    return message;
  }

  /** For classifiers: the output distribution of batch row `sample` at step `step` and its information figures. */
  prediction(step: number, sample: number): SamplePrediction | undefined {
    if (this.model.dataset.task !== 'classification') return undefined;
    const record = this.run.records[step - 1];
    const last = record.layers[record.layers.length - 1];
    const p = classDistribution(last.a!, last.units, sample);
    const t = classDistribution(this.run.batchOf(step).y, last.units, sample);
    const trueClass = t.indexOf(Math.max(...t));
    return {
      sample, datasetIndex: this.run.batchOf(step).datasetRows[sample], probabilities: Float64Array.from(p), trueClass,
      entropy: entropy(p), crossEntropy: crossEntropy(t, p), selfInformation: selfInformation(p[trueClass]),
    };
  }

  /** Every epoch evaluated by the trainer up to `step`, as the evaluation message carries them. */
  evaluation(step: number): HostMessage {
    const byEpoch = new Map<number, EpochEvaluation>();
    for (const e of this.run.evaluations) {
      if (e.trigger !== 'epoch-end' || e.step > step) continue;
      const entry = byEpoch.get(e.epoch) ?? { epoch: e.epoch, step: e.step, trainLoss: NaN };
      if (e.split === 'train') {
        entry.trainLoss = e.loss;
        if (e.accuracy !== undefined) entry.trainAccuracy = e.accuracy;
      } else if (e.split === 'validation') {
        entry.validationLoss = e.loss;
        if (e.accuracy !== undefined) entry.validationAccuracy = e.accuracy;
      }
      byEpoch.set(e.epoch, entry);
    }
    return { type: 'evaluation', epochs: [...byEpoch.values()] };
  }

  /** 0 train, 1 validation, 2 test for each dataset row. */
  private splitMarks(): Uint8Array {
    const marks = new Uint8Array(this.run.samples);
    for (const i of this.run.data.split.validation) marks[i] = 1;
    for (const i of this.run.data.split.test) marks[i] = 2;
    return marks;
  }

  /** What the data view shows after `step`: 2-D points with the engine's decision grid, else the batch table. */
  dataView(step: number): HostMessage {
    const { inputs, outputs } = this.run.data.dataset;
    const batch = this.run.batchOf(step);
    let view: DataView;
    if (inputs === 2) {
      const n = this.run.samples;
      const [xMin, xMax, yMin, yMax] = [-1.1, 1.1, -1.1, 1.1];
      const cells = new Float64Array(GRID_SIZE * GRID_SIZE * 2);
      for (let r = 0; r < GRID_SIZE; r++) for (let c = 0; c < GRID_SIZE; c++) {
        cells[2 * (r * GRID_SIZE + c)] = xMin + ((xMax - xMin) * (c + 0.5)) / GRID_SIZE;
        cells[2 * (r * GRID_SIZE + c) + 1] = yMin + ((yMax - yMin) * (r + 0.5)) / GRID_SIZE;
      }
      const out = predict(this.run.after[step - 1], cells, GRID_SIZE * GRID_SIZE);
      const values = outputs === 1 ? out : Float64Array.from({ length: GRID_SIZE * GRID_SIZE }, (_, i) => {
        const row = out.subarray(i * outputs, (i + 1) * outputs);
        return row.indexOf(Math.max(...row));
      });
      const label = Float64Array.from({ length: n }, (_, i) => {
        const t = classDistribution(this.run.y, outputs, i);
        return this.model.dataset.task === 'classification' ? t.indexOf(Math.max(...t)) : t[0];
      });
      view = {
        kind: 'points', x: this.run.x.slice(), split: this.splitMarks(), label, batch: batch.datasetRows,
        grid: { xMin, xMax, yMin, yMax, nx: GRID_SIZE, ny: GRID_SIZE, kind: outputs === 1 ? 'probability' : 'class', values },
      };
    } else {
      view = {
        kind: 'table', columns: Array.from({ length: inputs }, (_, i) => `x${i + 1}`), rows: batch.rows, values: batch.x, batch: batch.datasetRows,
      };
    }
    return { type: 'dataView', step, view };
  }

  /** The host's answers to one webview message. */
  handle(message: WebviewMessage): HostMessage[] {
    switch (message.type) {
      case 'command':
        if (message.command.name === 'goToStep') {
          this.current = message.command.step;
          return [this.step(this.current)];
        }
        return [];
      case 'select':
        if (message.sample === undefined || message.sample === this.sample) return [];
        this.sample = message.sample;
        return [this.step(this.current)];
      case 'requestExplanation':
        return [{ type: 'explanation', step: message.step, explanation: this.run.explain(message.step, message.parameter) }];
      case 'requestTensor': {
        const tensor = tensorOf(this.run.records[message.step - 1], message.name);
        return tensor ? [{ type: 'tensor', step: message.step, name: message.name, shape: tensor.shape, data: tensor.data }] : [];
      }
      default:
        return [];
    }
  }
}
