// One training session per model document, shared by the inspector, the debugger, the status
// bar and the CLI code path (DESIGN.md §1), so all of them show the same step. It wraps the
// engine's Trainer with what an interactive front end needs: continuous runs that yield to the
// event loop, run-until conditions, loss history for the charts, the selection, and change events.
// No `vscode` import: tests and the debug adapter use it as is.
import type { ModelFile, Phase, StepRecord } from '../engine/types';
import { type LoadOptions, type LoadedModel, loadModel } from '../engine/model';
import { type Position as TrainerPosition, type StopReason, Trainer, type TrainingData } from '../engine/trainer';
import type { NonFiniteError } from '../engine/nonFinite';
import { type BrokenDerivative, batchLoss, cloneNetwork, setParameters } from '../engine/network';
import { type Evaluation, gatherRows } from '../engine/evaluation';
import { type ChainRuleExplanation, explainChainRule } from '../engine/chainRule';
import type { EpochEvaluation, LossHistory, ModelSummary, ParameterRef, Position, RunUntil, ViewState } from '../protocol/messages';
import { RUN_SPEED } from '../protocol/messages';
import type { ValidationContext } from '../protocol/validate';
import { summarizeModel } from './modelSummary';

export type ChangeKind = 'op' | 'step' | 'moved' | 'reset' | 'reload' | 'selection' | 'running' | 'stopped';

export interface SessionChange {
  kind: ChangeKind;
}

export interface Selection {
  layer: number;
  parameter?: ParameterRef;
  sample?: number;
  /** The operation the debugger's selected frame shows; a selection made in the inspector has none. */
  focus?: Phase;
}

export type RunOutcome =
  | { kind: 'condition'; reason: StopReason }
  | { kind: 'paused' }
  | { kind: 'cancelled' }
  | { kind: 'limit'; steps: number }
  | { kind: 'non-finite'; error: NonFiniteError };

/** What a caller can do to a long move while it runs. */
export interface RunControl {
  isCancellationRequested?: () => boolean;
  /** Told after every step of the run, e.g. to move a progress bar. */
  onStep?: (stepsDone: number) => void;
}

export interface RunOptions extends RunControl {
  /** Steps per second (sets the session's speed); 0 runs as fast as possible, yielding between slices. */
  stepsPerSecond?: number;
  /**
   * As fast as possible whatever the session's speed (the session's speed stays as it is). Steps
   * within a slice train untraced; the last one before each yield is traced, so whatever the
   * screen shows meanwhile is a complete record.
   */
  fullSpeed?: boolean;
  until?: RunUntil;
  /** Stops after one epoch ends. */
  toEpochEnd?: boolean;
  /** Safety bound on the steps of one run. */
  maxSteps: number;
}

export interface Disposable {
  dispose(): void;
}

/** A file that cannot train: the engine's diagnostics say where and why. */
export type LoadResult = { ok: true; session: TrainingSession } | { ok: false; loaded: LoadedModel };

/** How long a full-speed run works before it yields to the event loop (keeps the UI responsive). */
const SLICE_MS = 12;

export class TrainingSession {
  private trainer: Trainer;
  private parsedText: string;
  private summaryCache: ModelSummary;
  private listeners = new Set<(change: SessionChange) => void>();
  private latest = 0;
  private losses = { loss: [] as number[], lossAfter: [] as number[], dataLoss: [] as number[], regLoss: [] as number[] };
  private runState: { pause: boolean; done: Promise<RunOutcome> } | undefined;
  private unsubscribe: () => void;

  selection: Selection = { layer: 0 };
  /** The webview's last reported view state (restored after a window reload). */
  viewState: ViewState | undefined;
  /** Speed of continuous runs, adjustable while running; 0 means as fast as the UI allows. */
  stepsPerSecond: number = RUN_SPEED.default;

  private constructor(
    readonly uri: string,
    text: string,
    model: ModelFile,
    data: TrainingData,
  ) {
    this.parsedText = text;
    this.trainer = new Trainer(model, data);
    this.summaryCache = summarizeModel(model, data, this.trainer.plan);
    this.unsubscribe = this.listen();
  }

  /** Parses `text` and loads its data (files through `options`); a file that cannot train gives its diagnostics instead. */
  static load(uri: string, text: string, options: LoadOptions = {}): LoadResult {
    const loaded = loadModel(text, options);
    if (!loaded.model || !loaded.data) return { ok: false, loaded };
    return { ok: true, session: new TrainingSession(uri, text, loaded.model, loaded.data) };
  }

  // ---- what it shows

  get model(): ModelFile {
    return this.trainer.model;
  }

  get text(): string {
    return this.parsedText;
  }

  get name(): string {
    return this.model.name ?? this.uri.slice(this.uri.lastIndexOf('/') + 1);
  }

  get summary(): ModelSummary {
    return this.summaryCache;
  }

  get validationContext(): ValidationContext {
    return { model: this.summaryCache };
  }

  get engine(): Trainer {
    return this.trainer;
  }

  get running(): boolean {
    return this.runState !== undefined;
  }

  get stoppedBy(): NonFiniteError | undefined {
    return this.trainer.stoppedBy;
  }

  get completedSteps(): number {
    return this.trainer.position.completedSteps;
  }

  /** The newest step reached since the last reset (the history scrubber's end). */
  get latestStep(): number {
    return this.latest;
  }

  /** Where the session is, as the inspector shows it: the step on screen and the next operation. */
  get position(): Position {
    const p: TrainerPosition = this.trainer.position;
    const inProgress = p.opIndex > 0;
    let epoch = p.epoch;
    let batchInEpoch = p.batch;
    if (!inProgress && p.completedSteps > 0) {
      // At a step boundary the screen shows the step just completed, one batch back.
      if (p.batch === 1) {
        epoch -= 1;
        batchInEpoch = p.batchesPerEpoch;
      } else batchInEpoch -= 1;
    }
    return {
      step: inProgress ? p.step : p.completedSteps,
      epoch,
      batchInEpoch,
      batchesPerEpoch: p.batchesPerEpoch,
      next: inProgress ? p.nextPhase : undefined,
      latestStep: Math.max(this.latest, p.completedSteps),
      running: this.running,
    };
  }

  /** The record on screen: the step in progress, or the last completed step; undefined at step 0. */
  get record(): StepRecord | undefined {
    const current = this.trainer.currentRecord;
    if (current) return current;
    const done = this.completedSteps;
    return done > 0 ? (this.trainer.latestRecord ?? this.trainer.record(done)) : undefined;
  }

  /** The batch on screen as positions in the training split: the record's, or before the first step the first batch. */
  get batchOnScreen(): number[] {
    return this.record?.batch ?? this.trainer.nextBatch().batch;
  }

  /** The record of `step` if it exists: a completed step, or the one in progress. */
  recordAt(step: number): StepRecord | undefined {
    const current = this.trainer.currentRecord;
    if (current && current.step === step) return current;
    if (step >= 1 && step <= this.completedSteps) return this.trainer.record(step);
    return undefined;
  }

  /** Batch losses of steps from..through (1-based), for the loss chart. */
  lossHistory(from: number, through = this.completedSteps): LossHistory {
    const start = Math.max(from, 1) - 1;
    const end = Math.max(start, Math.min(through, this.losses.loss.length));
    const slice = (values: number[]) => Float64Array.from(values.slice(start, end));
    return {
      from: start + 1,
      loss: slice(this.losses.loss),
      lossAfter: slice(this.losses.lossAfter),
      dataLoss: slice(this.losses.dataLoss),
      regLoss: slice(this.losses.regLoss),
    };
  }

  /** Train/validation figures of every epoch ended so far, one entry per epoch. */
  get epochs(): EpochEvaluation[] {
    return epochFigures(this.trainer.evaluations);
  }

  /**
   * The chain rule for one parameter at `step`, computed from the weights before that step's
   * update on that step's batch (the same inputs the trace's gradients came from).
   */
  explain(step: number, parameter: ParameterRef): ChainRuleExplanation | undefined {
    const record = this.recordAt(step);
    if (!record || record.layers.some((layer) => !layer.weights || !layer.bias)) return undefined;
    const net = cloneNetwork(this.trainer.network);
    setParameters(net, record.layers.flatMap((layer) => [layer.weights, layer.bias]));
    const { x, y } = this.batchRows(record.batch);
    return explainChainRule(net, { loss: this.model.loss, regularization: this.model.regularization }, { x, y, rows: record.batch.length }, parameter);
  }

  // ---- events

  onDidChange(listener: (change: SessionChange) => void): Disposable {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  private fire(kind: ChangeKind): void {
    for (const listener of [...this.listeners]) listener({ kind });
  }

  private listen(): () => void {
    return this.trainer.subscribe((event) => {
      if (event.type === 'step') this.remember(event.record);
      // Untraced steps of a fast run have no record to show; the run's traced steps announce it.
      if ((event.type === 'op' || event.type === 'step') && !this.trainer.tracing) return;
      if (event.type === 'op') this.fire('op');
      else if (event.type === 'step') this.fire('step');
      else if (event.type === 'moved') this.fire('moved');
      else if (event.type === 'stopped') this.fire('stopped');
    });
  }

  private remember(record: StepRecord): void {
    const i = record.step - 1;
    this.losses.loss[i] = record.loss!;
    this.losses.lossAfter[i] = record.lossAfter ?? this.lossAfter(record);
    this.losses.dataLoss[i] = record.dataLoss!;
    this.losses.regLoss[i] = record.regLoss!;
    this.latest = Math.max(this.latest, record.step);
  }

  /**
   * J on a just-completed step's batch with the updated weights, for a step trained untraced
   * (the trainer records lossAfter only when tracing): the same engine function on the same rows.
   */
  private lossAfter(record: StepRecord): number {
    const { x, y } = this.batchRows(record.batch);
    return batchLoss(this.trainer.network, this.trainer.lossSpec, x, y, record.batch.length);
  }

  /** x and y of a batch given as positions in the training split. */
  private batchRows(batch: readonly number[]): { x: Float64Array; y: Float64Array } {
    const data = this.trainer.data;
    return gatherRows(data.dataset, batch.map((position) => data.split.train[position]));
  }

  select(selection: Selection): void {
    this.selection = { ...selection };
    this.fire('selection');
  }

  /**
   * The debugger selected the frame of operation `phase`: the inspector highlights it and shows
   * `layer` (the layer it works on; the update has none, so the layer shown stays).
   */
  focusOn(phase: Phase, layer = this.selection.layer): void {
    const current = this.selection;
    if (current.layer === layer && current.focus && samePhase(current.focus, phase)) return;
    this.select({ ...current, layer, focus: phase });
  }

  // ---- moving (each returns after the move; NaN/±Infinity ends with the trainer's error, reported as a change)

  /** One operation (Step Into). */
  async stepInto(): Promise<NonFiniteError | undefined> {
    await this.pause();
    return this.guard(() => this.trainer.stepOp());
  }

  /** The rest of the current step, or one whole step (Step Over). */
  async step(): Promise<NonFiniteError | undefined> {
    await this.pause();
    return this.guard(() => this.trainer.step());
  }

  async stepBack(): Promise<boolean> {
    await this.pause();
    return this.trainer.stepBack();
  }

  async reset(): Promise<void> {
    await this.pause();
    this.trainer.reset();
    this.latest = 0;
    this.clearLosses();
    this.fire('reset');
  }

  // ---- lesson 6: break a derivative

  /** The deliberately wrong derivative backward uses, if any. */
  get brokenDerivative(): BrokenDerivative | undefined {
    return this.trainer.brokenDerivative;
  }

  /** Why `broken` cannot apply to this session's model, or undefined. */
  brokenDerivativeProblem(broken: BrokenDerivative): string | undefined {
    return this.trainer.brokenDerivativeProblem(broken);
  }

  /**
   * Breaks a derivative (or with undefined restores the true ones) and starts over at step 0, as
   * Trainer.setBrokenDerivative explains: the history must come from one set of derivatives.
   * Throws the reason when it cannot apply, changing nothing.
   */
  async setBrokenDerivative(broken: BrokenDerivative | undefined): Promise<void> {
    await this.pause();
    this.trainer.setBrokenDerivative(broken);
    this.latest = 0;
    this.clearLosses();
    this.fire('reset');
  }

  /**
   * Shows completed step `step` (0 = before training). Earlier steps restore a checkpoint and
   * replay; later ones train forward as a full-speed run (untraced, yielding, cancellable through
   * `control`), recording each step's loss on the way.
   */
  async goToStep(step: number, control: RunControl = {}): Promise<RunOutcome> {
    await this.pause();
    if (step > this.completedSteps) {
      return this.run({ ...control, fullSpeed: true, until: { kind: 'steps', value: step - this.completedSteps }, maxSteps: Infinity });
    }
    if (step < this.completedSteps || this.trainer.position.opIndex > 0) this.trainer.goTo(step);
    return { kind: 'condition', reason: { kind: 'steps' } };
  }

  /** Runs until paused, cancelled, a condition holds or the step limit; yields between steps. */
  run(options: RunOptions): Promise<RunOutcome> {
    if (this.runState) return this.runState.done;
    if (options.stepsPerSecond !== undefined) this.stepsPerSecond = options.stepsPerSecond;
    const state = { pause: false, done: Promise.resolve<RunOutcome>({ kind: 'paused' }) };
    this.runState = state;
    state.done = this.loop(options, state).finally(() => {
      this.runState = undefined;
      this.fire('running');
    });
    this.fire('running');
    return state.done;
  }

  /** Asks a run in progress to stop after its current step, and waits for it. */
  async pause(): Promise<void> {
    const state = this.runState;
    if (!state) return;
    state.pause = true;
    await state.done;
  }

  private async loop(options: RunOptions, state: { pause: boolean }): Promise<RunOutcome> {
    try {
      return await this.runSlices(options, state);
    } finally {
      this.trainer.setTracing(true);
    }
  }

  private async runSlices(options: RunOptions, state: { pause: boolean }): Promise<RunOutcome> {
    const until = options.until;
    const startEpoch = this.trainer.position.epoch;
    const stepLimit = until?.kind === 'steps' ? Math.min(until.value, options.maxSteps) : options.maxSteps;
    const speed = () => (options.fullSpeed ? 0 : this.stepsPerSecond);
    let done = 0;
    for (;;) {
      const sliceStart = Date.now();
      let sliceOver: boolean;
      do {
        if (state.pause) return { kind: 'paused' };
        if (options.isCancellationRequested?.()) return { kind: 'cancelled' };
        if (done >= stepLimit) return until?.kind === 'steps' ? { kind: 'condition', reason: { kind: 'steps' } } : { kind: 'limit', steps: done };
        // At full speed the slice's last step (time is up, or the run's last step) is the one the
        // screen will show, so only it is traced; a step begun traced is finished traced.
        sliceOver = speed() > 0 || done + 1 >= stepLimit || Date.now() - sliceStart >= SLICE_MS;
        this.trainer.setTracing(sliceOver || this.trainer.position.opIndex > 0);
        const reason = this.trainer.runUntil({
          steps: 1,
          lossBelow: until?.kind === 'lossBelow' ? until.value : undefined,
          gradNormAbove: until?.kind === 'gradNormAbove' ? until.value : undefined,
        });
        done++;
        options.onStep?.(done);
        if (reason.kind === 'non-finite') return { kind: 'non-finite', error: reason.error };
        if (reason.kind !== 'steps') return { kind: 'condition', reason };
        if (options.toEpochEnd && this.trainer.position.epoch !== startEpoch) {
          return { kind: 'condition', reason: { kind: 'epoch-end', epoch: startEpoch } };
        }
      } while (!sliceOver);
      const perSecond = speed();
      await yieldToEventLoop(perSecond > 0 ? Math.max(0, 1000 / perSecond - (Date.now() - sliceStart)) : 0);
    }
  }

  /** Completes the current epoch, yielding to the event loop like a run. */
  runEpoch(options: Omit<RunOptions, 'toEpochEnd' | 'until'>): Promise<RunOutcome> {
    return this.run({ ...options, toEpochEnd: true });
  }

  // ---- the model changed on disk or in the editor

  /** Starts over on a new model text; on failure the session keeps its current model. */
  async replaceModel(text: string, options: LoadOptions = {}): Promise<LoadResult> {
    const loaded = loadModel(text, options);
    if (!loaded.model || !loaded.data) return { ok: false, loaded };
    await this.pause();
    this.unsubscribe();
    this.parsedText = text;
    const broken = this.trainer.brokenDerivative;
    this.trainer = new Trainer(loaded.model, loaded.data);
    // The broken derivative stays while it still fits the edited model.
    if (broken && !this.trainer.brokenDerivativeProblem(broken)) this.trainer.setBrokenDerivative(broken);
    this.summaryCache = summarizeModel(loaded.model, loaded.data, this.trainer.plan);
    this.unsubscribe = this.listen();
    this.latest = 0;
    this.clearLosses();
    this.selection = { layer: 0 };
    this.fire('reload');
    return { ok: true, session: this };
  }

  dispose(): void {
    if (this.runState) this.runState.pause = true;
    this.unsubscribe();
    this.listeners.clear();
  }

  private clearLosses(): void {
    this.losses = { loss: [], lossAfter: [], dataLoss: [], regLoss: [] };
  }

  private guard(move: () => unknown): NonFiniteError | undefined {
    try {
      move();
      return undefined;
    } catch (error) {
      if (this.trainer.stoppedBy === error) return error as NonFiniteError;
      throw error;
    }
  }
}

export function samePhase(a: Phase, b: Phase): boolean {
  return a.kind === b.kind && ('layer' in a ? a.layer : -1) === ('layer' in b ? b.layer : -1);
}

function yieldToEventLoop(ms: number): Promise<void> {
  return new Promise((resolve) => (ms > 0 ? setTimeout(resolve, ms) : setImmediate(resolve)));
}

/** The sessions of open model documents, keyed by the document's URI string. */
export class SessionRegistry {
  private readonly sessions = new Map<string, TrainingSession>();
  private activeUri: string | undefined;
  private readonly listeners = new Set<(session: TrainingSession | undefined) => void>();

  get(uri: string): TrainingSession | undefined {
    return this.sessions.get(uri);
  }

  add(session: TrainingSession): TrainingSession {
    this.sessions.get(session.uri)?.dispose();
    this.sessions.set(session.uri, session);
    this.setActive(session.uri);
    return session;
  }

  /** The session the user last worked with (commands without an explicit target act on it). */
  get active(): TrainingSession | undefined {
    return this.activeUri === undefined ? undefined : this.sessions.get(this.activeUri);
  }

  setActive(uri: string | undefined): void {
    if (uri !== undefined && !this.sessions.has(uri)) return;
    if (uri === this.activeUri) return;
    this.activeUri = uri;
    for (const listener of this.listeners) listener(this.active);
  }

  onDidChangeActive(listener: (session: TrainingSession | undefined) => void): Disposable {
    this.listeners.add(listener);
    return { dispose: () => this.listeners.delete(listener) };
  }

  remove(uri: string): void {
    this.sessions.get(uri)?.dispose();
    this.sessions.delete(uri);
    if (this.activeUri === uri) this.setActive(this.sessions.keys().next().value);
  }

  all(): TrainingSession[] {
    return [...this.sessions.values()];
  }

  dispose(): void {
    for (const session of this.sessions.values()) session.dispose();
    this.sessions.clear();
    this.listeners.clear();
  }
}

/** The trainer's epoch-end evaluations up to `lastStep`, one entry per epoch as the loss view shows them. */
export function epochFigures(evaluations: readonly Evaluation[], lastStep = Infinity): EpochEvaluation[] {
  const byEpoch = new Map<number, EpochEvaluation>();
  for (const e of evaluations) {
    if (e.trigger !== 'epoch-end' || e.step > lastStep) continue;
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
  return [...byEpoch.values()];
}
