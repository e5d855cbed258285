// A stand-in for the extension host in webview tests and the latency benchmark: it answers the
// webview's messages from real engine output (engineSteps.ts) through the real protocol codec.
import type { HostMessage, ModelSummary, Position, StepMessage, WebviewMessage } from '../../src/protocol/messages';
import { encodeRecord, tensorOf } from '../../src/protocol/traceCodec';
import { predict } from '../../src/engine/network';
import type { EngineRun } from './engineSteps';

export function summaryOf(run: EngineRun, batchSize: number): ModelSummary {
  const m = run.model;
  return {
    name: m.name, inputs: m.inputs, layers: m.layers.map((l) => ({ units: l.units, activation: l.activation })), loss: m.loss,
    regularization: { l1: m.regularization?.l1 ?? 0, l2: m.regularization?.l2 ?? 0 },
    optimizer: { type: m.optimizer.type, hyperparameters: Object.fromEntries(Object.entries(m.optimizer).filter(([k]) => k !== 'type')) as ModelSummary['optimizer']['hyperparameters'] },
    dataset: {
      samples: run.samples, train: run.samples, validation: 0, test: 0, batchSize, batchesPerEpoch: Math.ceil(run.samples / batchSize),
      task: m.loss.includes('cross-entropy') ? 'classification' : 'regression',
    },
  };
}

export class StandInHost {
  readonly model: ModelSummary;
  current: number;
  constructor(readonly run: EngineRun, readonly batchSize: number) {
    this.model = summaryOf(run, batchSize);
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
    return {
      type: 'step', position: this.position(step), record: encodeRecord(this.run.records[step - 1]),
      history: { from, loss: series((r) => r.loss), lossAfter: series((r) => r.lossAfter), dataLoss: series((r) => r.dataLoss), regLoss: series((r) => r.regLoss) },
    };
  }

  /** The decision grid of a 2-D classifier after `step`, computed by the engine. */
  dataView(step: number): HostMessage {
    const n = this.run.samples;
    const nx = 40;
    const values = new Float64Array(nx * nx);
    const cells = new Float64Array(nx * nx * 2);
    for (let r = 0; r < nx; r++) for (let c = 0; c < nx; c++) {
      cells[2 * (r * nx + c)] = -1.1 + (2.2 * (c + 0.5)) / nx;
      cells[2 * (r * nx + c) + 1] = -1.1 + (2.2 * (r + 0.5)) / nx;
    }
    values.set(predict(this.run.after[step - 1], cells, nx * nx));
    const label = new Float64Array(n);
    for (let i = 0; i < n; i++) label[i] = this.run.y[i] >= 0.5 ? 1 : 0;
    return {
      type: 'dataView', step,
      view: { kind: 'points', x: this.run.x.slice(), split: new Uint8Array(n), label, batch: this.run.records[step - 1].batch,
        grid: { xMin: -1.1, xMax: 1.1, yMin: -1.1, yMax: 1.1, nx, ny: nx, kind: 'probability', values } },
    };
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
