// A recorded trace file as a read-only inspector session (issue 13, item 2): the scrubber, Step and
// Step Back move through the recorded steps, every view shows the recorded numbers, and the chain
// rule is explained from them (engine's explainRecordedStep). Nothing is recomputed: there is no
// model, data or loss function behind a trace, so no finite-difference check, no data view, no
// prediction and no epoch evaluations. No `vscode` import: tests drive it as the panel does.
import type { ActivationName, StepRecord } from '../engine/types';
import { type ChainRuleExplanation, explainRecordedStep } from '../engine/chainRule';
import type { HostMessage, LossHistory, ModelSummary, ParameterRef, RunUntil, StepMessage, StepOnScreen, ViewState } from '../protocol/messages';
import { RUN_SPEED } from '../protocol/messages';
import type { TraceContents } from '../protocol/traceFile';
import { buildRankGradients } from './rankGradients';
import type { ValidationContext } from '../protocol/validate';
import type { InspectedSession } from './inspectedSession';
import { type HistoryCursor, stepRecord } from './inspectorMessages';
import type { Disposable, Selection, SessionChange } from './session';

/** How a move through the trace ended. */
export type TraceMove = { moved: true } | { moved: false; reason: 'end' | 'start' | 'not-found' };

export class TraceSession implements InspectedSession {
  readonly summary: ModelSummary;
  readonly records: readonly StepRecord[];
  selection: Selection = { layer: 0 };
  viewState: ViewState | undefined;
  stepsPerSecond: number = RUN_SPEED.default;
  /** records[index] is on screen. */
  private index = 0;
  private readonly listeners = new Set<(change: SessionChange) => void>();
  private playing: { stop: boolean; done: Promise<TraceMove> } | undefined;

  constructor(
    readonly uri: string,
    readonly name: string,
    readonly contents: TraceContents,
    /** A data-parallel recording: every rank's trace (index = rank, this one included), shown side by side. */
    readonly ranks?: readonly TraceContents[],
  ) {
    if (contents.records.length === 0) throw new Error(`${name} has no steps to show`);
    this.records = contents.records;
    this.summary = summarizeTrace(name, contents);
  }

  get validationContext(): ValidationContext {
    return { model: this.summary };
  }

  get record(): StepRecord {
    return this.records[this.index];
  }

  get latestStep(): number {
    return this.records[this.records.length - 1].step;
  }

  get running(): boolean {
    return this.playing !== undefined;
  }

  get position(): StepOnScreen {
    const record = this.record;
    const perEpoch = this.summary.dataset.batchesPerEpoch;
    return {
      step: record.step,
      epoch: record.epoch,
      batchInEpoch: Math.min(perEpoch, Math.max(1, record.step - (record.epoch - 1) * perEpoch)),
      batchesPerEpoch: perEpoch,
      latestStep: this.latestStep,
      running: this.running,
    };
  }

  /** Every record of a trace is at hand. */
  async prepareRecord(): Promise<void> {}

  recordAt(step: number): StepRecord | undefined {
    return this.records.find((r) => r.step === step);
  }

  explain(step: number, parameter: ParameterRef): ChainRuleExplanation | undefined {
    const record = this.recordAt(step);
    return record && explainRecordedStep(record, parameter);
  }

  /** Recorded losses of steps from..through (1-based); steps the file does not hold are NaN. */
  lossHistory(from: number, through: number): LossHistory {
    const start = Math.max(from, 1);
    const length = Math.max(0, through - start + 1);
    const series = (pick: (r: StepRecord) => number | undefined) => {
      const out = new Float64Array(length).fill(NaN);
      for (const r of this.records) if (r.step >= start && r.step <= through) out[r.step - start] = pick(r) ?? NaN;
      return out;
    };
    return { from: start, loss: series((r) => r.loss), lossAfter: series((r) => r.lossAfter), dataLoss: series((r) => r.dataLoss), regLoss: series((r) => r.regLoss) };
  }

  onDidChange(listener: (change: SessionChange) => void): Disposable {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  private fire(kind: SessionChange['kind']): void {
    for (const listener of [...this.listeners]) listener({ kind });
  }

  select(selection: Selection): void {
    this.selection = { ...selection };
    this.fire('selection');
  }

  // ---- moving through the recorded steps

  private moveTo(index: number): void {
    if (index === this.index) return;
    this.index = index;
    this.fire('moved');
  }

  /** The next recorded step. */
  step(): TraceMove {
    if (this.index === this.records.length - 1) return { moved: false, reason: 'end' };
    this.moveTo(this.index + 1);
    return { moved: true };
  }

  stepBack(): TraceMove {
    if (this.index === 0) return { moved: false, reason: 'start' };
    this.moveTo(this.index - 1);
    return { moved: true };
  }

  /** The last recorded step at or before `step` (the first one for steps before it). */
  goToStep(step: number): void {
    let index = 0;
    this.records.forEach((r, i) => {
      if (r.step <= step) index = i;
    });
    this.moveTo(index);
  }

  /** The last recorded step of the epoch on screen, or of the next epoch when already there. */
  endOfEpoch(): TraceMove {
    const last = (epoch: number) => this.records.reduce((found, r, i) => (r.epoch === epoch ? i : found), -1);
    let target = last(this.record.epoch);
    if (target === this.index) target = last(this.records[Math.min(this.index + 1, this.records.length - 1)].epoch);
    if (target === this.index) return { moved: false, reason: 'end' };
    this.moveTo(target);
    return { moved: true };
  }

  /** The first later step where `until` holds, read off the records. */
  runUntil(until: RunUntil): TraceMove {
    const holds = (r: StepRecord, i: number): boolean => {
      switch (until.kind) {
        case 'steps': return i >= this.index + until.value;
        case 'lossBelow': return r.loss !== undefined && r.loss < until.value;
        case 'gradNormAbove': return gradientNorm(r) > until.value;
        case 'nan': return !isFiniteRecord(r);
      }
    };
    const found = this.records.findIndex((r, i) => i > this.index && holds(r, i));
    if (found < 0) {
      if (until.kind === 'steps' && this.index < this.records.length - 1) this.moveTo(this.records.length - 1);
      return { moved: false, reason: 'not-found' };
    }
    this.moveTo(found);
    return { moved: true };
  }

  /** Plays the recorded steps forward at the session's speed until the end or a pause. */
  play(): Promise<TraceMove> {
    if (this.playing) return this.playing.done;
    const state = { stop: false, done: Promise.resolve<TraceMove>({ moved: true }) };
    this.playing = state;
    state.done = (async () => {
      let moved = false;
      while (!state.stop) {
        const move = this.step();
        if (!move.moved) return moved ? { moved: true as const } : move;
        moved = true;
        await new Promise((resolve) => setTimeout(resolve, this.stepsPerSecond > 0 ? 1000 / this.stepsPerSecond : 0));
      }
      return { moved: true as const };
    })().finally(() => {
      this.playing = undefined;
      this.fire('running');
    });
    this.fire('running');
    return state.done;
  }

  async pause(): Promise<void> {
    const state = this.playing;
    if (!state) return;
    state.stop = true;
    await state.done;
  }

  dispose(): void {
    if (this.playing) this.playing.stop = true;
    this.listeners.clear();
  }
}

/** ‖∂J/∂θ‖₂ of a recorded step (weights and biases of every layer). */
function gradientNorm(record: StepRecord): number {
  let sum = 0;
  for (const layer of record.layers) for (const g of [layer.gradWeights, layer.gradBias]) if (g) for (const v of g) sum += v * v;
  return Math.sqrt(sum);
}

function isFiniteRecord(record: StepRecord): boolean {
  if (![record.loss, record.lossAfter].every((v) => v === undefined || Number.isFinite(v))) return false;
  return record.layers.every((layer) => Object.values(layer).every((v) => !(v instanceof Float64Array) || v.every(Number.isFinite)));
}

/**
 * Steps per epoch K, which a trace does not state. Epoch E starts at step (E − 1)·K + 1, so the
 * first recorded step S of an epoch E ≥ 2 bounds K ≤ (S − 1)/(E − 1), with equality when that
 * step was recorded (every step, or a multiple of `every`): the smallest bound. A trace within one
 * epoch gives the steps it reaches.
 */
function stepsPerEpoch(records: readonly StepRecord[]): number {
  const firstOfEpoch = new Map<number, number>();
  for (const r of records) if (!firstOfEpoch.has(r.epoch)) firstOfEpoch.set(r.epoch, r.step);
  const bounds = [...firstOfEpoch].filter(([epoch]) => epoch >= 2).map(([epoch, step]) => (step - 1) / (epoch - 1));
  if (bounds.length > 0) return Math.max(1, Math.floor(Math.min(...bounds)));
  return Math.max(1, records[records.length - 1].step);
}

/** What the inspector needs to know of the network a trace recorded, from its steps. */
export function summarizeTrace(name: string, contents: TraceContents): ModelSummary {
  const records = contents.records;
  const first = records[0];
  const layers = first.layers.map((l) => ({ units: l.units, activation: l.activation as ActivationName }));
  const optimizer = first.optimizer;
  const output = layers[layers.length - 1].activation;
  return {
    name,
    inputs: first.layers[0].inputs,
    layers,
    loss: null,
    regularization: null,
    optimizer: { type: optimizer?.type ?? 'unknown', hyperparameters: contents.hyperparameters ?? {} },
    dataset: {
      samples: 0, train: 0, validation: 0, test: 0,
      batchSize: Math.max(...records.map((r) => r.layers[0].rows)),
      batchesPerEpoch: stepsPerEpoch(records),
      task: output === 'softmax' ? 'classification' : 'regression',
    },
  };
}

/**
 * The messages of a trace session's newest state: the step on screen with the recorded losses.
 * No prediction, unit health or data view: those need the data and the model, which a trace
 * does not carry.
 */
export function buildTraceSnapshot(session: TraceSession, cursor: HistoryCursor): HostMessage[] {
  const position = session.position;
  const message: StepMessage = {
    type: 'step',
    position,
    record: stepRecord(session.record, cursor, position.step),
    history: session.lossHistory(cursor.advance(position.step), position.step),
    heard: cursor.heard,
  };
  const ranks = session.ranks && buildRankGradients(session.record, session.ranks);
  if (ranks) message.ranks = ranks;
  const messages: HostMessage[] = [];
  // A live session's paused operation (LiveTraceSession); a trace file's selection has no focus.
  const focus = cursor.focusChanged(session.selection);
  if (focus) messages.push(focus);
  if (cursor.evaluationsFrom(0, 0) !== undefined) messages.push({ type: 'evaluation', from: 0, epochs: [], testLooks: [] });
  // The step closes the snapshot, as buildSnapshotMessages's does.
  messages.push(message);
  return messages;
}
