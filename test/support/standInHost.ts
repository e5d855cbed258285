// A stand-in for the extension host in webview tests and the latency benchmark: it answers the
// webview's messages from real Trainer output (engineSteps.ts) through the real protocol codec.
// The data view and the prediction come from the host's own builders (src/extension/dataView.ts,
// samplePrediction.ts: vscode-free), the dead and saturated units from the engine's unitHealth as
// the host computes them; the epoch evaluation message is assembled here from the
// trainer's evaluations.
import type {
  HostMessage, ModelSummary, StepOnScreen, SamplePrediction, StepMessage, WebviewMessage,
} from '../../src/protocol/messages';
import { encodeRecord, tensorOf } from '../../src/protocol/traceCodec';
import { buildDataView } from '../../src/extension/dataView';
import { samplePrediction } from '../../src/extension/samplePrediction';
import { epochFigures } from '../../src/extension/session';
import { unitHealth } from '../../src/engine/unitHealth';
import { gatherRows } from '../../src/engine/evaluation';
import type { EngineRun } from './engineSteps';

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

  position(step: number): StepOnScreen {
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
    const { dataset, split } = this.run.data;
    message.unitHealth = unitHealth(this.run.records[step - 1], this.run.before[step - 1], () => ({ x: gatherRows(dataset, split.train).x, rows: split.train.length }));
    return message;
  }

  /** For classifiers: the output distribution of batch row `sample` at step `step`, as the host computes it. */
  prediction(step: number, sample: number): SamplePrediction | undefined {
    const { dataset, split } = this.run.data;
    return samplePrediction(this.run.records[step - 1], this.run.model.loss, dataset.y, (position) => split.train[position], sample);
  }

  /** Every epoch evaluated by the trainer up to `step`, as the evaluation message carries them. */
  evaluation(step: number): HostMessage {
    return { type: 'evaluation', epochs: epochFigures(this.run.evaluations, step) };
  }

  /** What the data view shows after `step` (the network after its update), built by the host's own function. */
  dataView(step: number): HostMessage {
    const view = buildDataView({
      network: this.run.after[step - 1], loss: this.run.model.loss, dataset: this.run.data.dataset, split: this.run.data.split,
      batch: this.run.batchOf(step).datasetRows,
    });
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
