// Host → webview messages built from a session. Building is lazy (only when a post can go out),
// so a run of many steps between two frames encodes one record, not all of them.
import {
  type EvaluationMessage, type ExplanationMessage, type FocusMessage, type HostMessage, type InitMessage, LOSS_FIELDS, type RequestExplanationMessage,
  type RequestTensorMessage, type ShowMessage, type StepMessage, type TensorMessage, type ThemeKind, type ViewState,
} from '../protocol/messages';
import { type EncodedRecord, type RecordLayout, type Shown, type StepMessageRecord, encodeRecord, shownOf, tensorOf } from '../protocol/traceCodec';
import type { StepRecord } from '../engine/types';
import { gatherRows } from '../engine/evaluation';
import { unitHealth } from '../engine/unitHealth';
import { buildDataView } from './dataView';
import { batchRows } from '../engine/data/stream';
import { samplePrediction } from './samplePrediction';
import type { Selection, TrainingSession } from './session';
import type { InspectedSession } from './inspectedSession';
import { inspectorShortcuts } from './shortcuts';

/**
 * What the webview already holds, so each step message sends only the loss history it lacks:
 * the webview keeps its history before `from` and replaces the rest (so stepping back truncates).
 * It also keeps what the webview's views read (its last `show` message), so a step's record
 * carries only those numbers; until the webview says, every part goes.
 */
export class HistoryCursor {
  private sentThrough = 0;
  private sentEvaluations: string | undefined;
  private sentEpochs = 0;
  private sentDataView: string | undefined;
  private sentFocus: string | undefined;
  private shownParts: Shown | undefined;
  private sentLayout: string | undefined;
  private heardFromPage = 0;
  private pageSample: ViewState['sample'] | undefined;

  restart(): void {
    this.sentThrough = 0;
    this.sentEvaluations = undefined;
    this.sentEpochs = 0;
    this.sentDataView = undefined;
    this.sentFocus = undefined;
    this.shownParts = undefined;
    this.sentLayout = undefined;
  }

  /** `record` without its layers and table when the webview has them already (EncodedRecord.table). */
  unchangedLayout(record: EncodedRecord & RecordLayout): EncodedRecord {
    const key = JSON.stringify([record.layers, record.table]);
    if (key !== this.sentLayout) {
      this.sentLayout = key;
      return record;
    }
    const { layers: _layers, table: _table, ...rest } = record;
    return rest;
  }

  /**
   * Counts a message received from the page, whatever becomes of it (so the count is the page's
   * own count of its posts since `ready`, which starts both from 0).
   */
  hear(raw: unknown): void {
    const isReady = raw !== null && typeof raw === 'object' && (raw as { type?: unknown }).type === 'ready';
    this.heardFromPage = isReady ? 0 : this.heardFromPage + 1;
    if (isReady) this.pageSample = undefined;
  }

  /**
   * True when the page's view state names another sample than its last one: the page then waits
   * for the step (with that sample's prediction), which the host sends even if nothing else changed.
   */
  sampleChosen(sample: ViewState['sample']): boolean {
    const chosen = sample !== this.pageSample;
    this.pageSample = sample;
    return chosen;
  }

  /** How many of the page's messages since its `ready` have been received (StepMessage.heard). */
  get heard(): number {
    return this.heardFromPage;
  }

  /** The webview's views now read these parts and ranges (ShowMessage). */
  show(message: ShowMessage): void {
    this.shownParts = shownOf(message.tensors);
  }

  /** The parts (and ranges) of each tensor to send, or undefined for all of them (the webview has not said). */
  get shown(): Shown | undefined {
    return this.shownParts;
  }

  /** The first step whose loss to send, and records that everything through `through` is sent. */
  advance(through: number): number {
    const from = Math.min(this.sentThrough, through) + 1;
    this.sentThrough = through;
    return from;
  }

  /**
   * When the epoch list (`epochs` entries now) or the test looks changed size since they were last
   * sent: the first epoch entry to send (EvaluationMessage.from), and records that the webview
   * holds `epochs` entries; undefined when neither changed.
   */
  evaluationsFrom(epochs: number, testLooks: number): number | undefined {
    const key = `${epochs}:${testLooks}`;
    if (key === this.sentEvaluations) return undefined;
    this.sentEvaluations = key;
    const from = Math.min(this.sentEpochs, epochs);
    this.sentEpochs = epochs;
    return from;
  }

  /** True when the data view for `key` (weights and batch on screen) has not been sent yet. */
  dataViewChanged(key: string): boolean {
    if (key === this.sentDataView) return false;
    this.sentDataView = key;
    return true;
  }

  /**
   * The focus message for the debugger's focus in `selection` when it changed since the last one;
   * none when the selection has no focus (the inspector made it, and already shows it).
   */
  focusChanged(selection: Selection): FocusMessage | undefined {
    const { layer, focus } = selection;
    const key = focus ? `${layer}:${focus.kind}:${'layer' in focus ? focus.layer : ''}` : undefined;
    if (key === this.sentFocus) return undefined;
    this.sentFocus = key;
    return focus && { type: 'focus', layer, phase: focus };
  }
}

/**
 * A record as a step message carries it: the parts (and ranges) the page's views read, its layout
 * only when it changed, its step not at all (the message's position has it), and its losses only
 * when the page's history will not hold them: the history sent through `historyThrough` has its
 * step's entry, the same numbers, when it is complete.
 */
export function stepRecord(record: StepRecord, cursor: HistoryCursor, historyThrough: number): StepMessageRecord {
  const { step: _step, ...encoded } = cursor.unchangedLayout(encodeRecord(record, 'summary', cursor.shown));
  if (historyThrough < record.step || LOSS_FIELDS.some((key) => encoded[key] === undefined)) return encoded;
  const { loss: _loss, lossAfter: _lossAfter, dataLoss: _dataLoss, regLoss: _regLoss, ...rest } = encoded;
  return rest;
}

export function buildInitMessage(
  session: InspectedSession,
  context: { strings: Record<string, string>; locale: string; theme: ThemeKind },
): InitMessage {
  const init: InitMessage = {
    type: 'init', documentUri: session.uri, strings: context.strings, locale: context.locale, model: session.summary, theme: context.theme,
    shortcuts: inspectorShortcuts(),
  };
  if (session.viewState) init.viewState = session.viewState;
  return init;
}

/**
 * The newest state of the session (the step message last): the step on screen with the chosen sample's prediction and its
 * dead and saturated units, the debugger's focus when it changed, the epoch figures and test looks when they changed, and the data view when the weights or the batch on screen
 * changed (the webview keeps the last one it got, so an unchanged view is not sent again).
 */
export function buildSnapshotMessages(session: TrainingSession, cursor: HistoryCursor): HostMessage[] {
  const messages: HostMessage[] = [];
  const position = session.position;
  const record = session.recordOnScreen;
  // The history goes through the last complete step whose losses are kept (the cursor notes what went).
  const through = Math.min(position.next ? position.step - 1 : position.step, session.lossesKept);
  const step: StepMessage = {
    type: 'step',
    position,
    record: stepRecord(record, cursor, through),
    history: session.lossHistory(cursor.advance(through), through),
    heard: cursor.heard,
  };
  const data = session.engine.data;
  const { dataset, split } = data;
  const prediction = samplePrediction(record, session.model.loss, batchRows(data, record.batch).y, (position) => (data.stream ? position : split.train[position]), session.selection.sample);
  if (prediction) step.prediction = prediction;
  // Online there is no training set; the reference sample is drawn from the same generator.
  const healthRows = data.stream ? split.validation : split.train;
  const health = unitHealth(record, session.engine.network, () => ({ x: gatherRows(dataset, healthRows).x, rows: healthRows.length }));
  if (health.some((layer) => layer.dead.length > 0 || layer.saturated.length > 0)) step.unitHealth = health;
  const focus = cursor.focusChanged(session.selection);
  if (focus) messages.push(focus);
  // Only the epochs the page lacks: a million steps end 125,000 of them.
  const testLooks = session.testLooks;
  const from = cursor.evaluationsFrom(session.epochCount, testLooks.length);
  if (from !== undefined) {
    const evaluation: EvaluationMessage = { type: 'evaluation', from, epochs: session.epochsFrom(from), testLooks };
    messages.push(evaluation);
  }
  // The weights change only when a step completes, the batch on screen with the record.
  if (cursor.dataViewChanged(`${session.completedSteps}:${record.step}`)) {
    const { dataset, split } = session.engine.data;
    const view = buildDataView({
      network: session.engine.network,
      loss: session.model.loss,
      dataset,
      split,
      // Online, the batch's fresh samples are not rows of the reference sample the plot shows.
      batch: session.engine.data.stream ? [] : session.batchOnScreen.map((position) => split.train[position]),
    });
    messages.push({ type: 'dataView', step: position.step, view });
  }
  // The step closes the snapshot: a page that has rendered it has everything the step brought.
  messages.push(step);
  return messages;
}

/** The answer to a webview's request for a full tensor; undefined when the step has no such tensor. */
export async function buildTensorMessage(session: InspectedSession, request: RequestTensorMessage): Promise<TensorMessage | undefined> {
  await session.prepareRecord(request.step);
  const record = session.recordAt(request.step);
  const tensor = record && tensorOf(record, request.name);
  return tensor && { type: 'tensor', step: request.step, name: tensor.name, shape: tensor.shape, data: tensor.data };
}

/**
 * The chain rule of one parameter at a step, from the engine or a recorded trace; undefined while
 * the step is not complete. Throws (InspectedSession.explain) when it cannot be shown.
 */
export async function buildExplanationMessage(session: InspectedSession, request: RequestExplanationMessage): Promise<ExplanationMessage | undefined> {
  await session.prepareRecord(request.step);
  const explanation = session.explain(request.step, request.parameter);
  return explanation && { type: 'explanation', step: request.step, explanation };
}
