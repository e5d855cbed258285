// One training session per model document, shared by the inspector, the debugger, the status
// bar and the CLI code path (DESIGN.md §1), so all of them show the same step. It wraps the
// engine's Trainer with what an interactive front end needs: continuous runs that yield to the
// event loop, run-until conditions, loss history for the charts, the selection, and change events.
// No `vscode` import: tests and the debug adapter use it as is.
import type { ModelFile, Phase, StepRecord } from '../engine/types';
import { type LoadOptions, type LoadedModel, loadModel, loadModelAsync } from '../engine/model';
import { Trainer, type TrainingData } from '../engine/trainer';
import { HistoryRestartedError, MoveSupersededError } from '../engine/history';
import type { NextOperation } from '../engine/phases';
import type { NonFiniteError } from '../engine/nonFinite';
import { type BrokenDerivative, cloneNetwork, setParameters } from '../engine/network';
import type { Evaluation } from '../engine/evaluation';
import { batchRows } from '../engine/data/stream';
import { ONLINE_LOSS_WINDOW, movingAverages } from '../engine/movingAverage';
import { Float64Series } from '../engine/float64Series';
import { type ChainRuleExplanation, explainChainRule } from '../engine/chainRule';
import { type TestLook, lookAtTestSet, testLooksIn } from '../engine/testSet';
import { countAtOrBefore } from '../engine/stepOrder';
import type { EpochEvaluation, LossHistory, ModelSummary, ParameterRef, RunUntil, StepOnScreen, ViewState } from '../protocol/messages';
import { RUN_SPEED } from '../protocol/messages';
import type { ValidationContext } from '../protocol/validate';
import { summarizeModel } from './modelSummary';
import { type RunControl, type RunOutcome as LoopOutcome, type RunRequest, runLoop } from '../engine/runLoop';

export type { RunControl };

/** Who moves a session: one at a time (see TrainingSession.advance). */
export type Mover = 'inspector' | 'debugger';

/** Another mover is moving the session; nothing moved. */
export interface Refusal {
  kind: 'refused';
  by: Mover;
}

/** How a session's move ended: the run loop's outcome, or refused because another mover runs. */
export type RunOutcome = LoopOutcome | Refusal;

export interface AdvanceRequest extends RunRequest {
  mover: Mover;
  /** Steps per second (sets the session's speed); 0 runs as fast as possible, yielding between slices. */
  stepsPerSecond?: number;
}

export type ChangeKind = 'op' | 'step' | 'moved' | 'reset' | 'reload' | 'selection' | 'running' | 'stopped' | 'testLook';

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

/**
 * What the session's readers may ask its trainer (the debugger's state, the inspector's messages):
 * the trainer's own read-only members, and none that moves it.
 */
export type TrainerView = Pick<Trainer, 'network' | 'data' | 'plan' | 'tracing' | 'position' | 'opsPerStep' | 'nextBatch' | 'lossSpec'>;

export interface Disposable {
  dispose(): void;
}

/** A file that cannot train: the engine's diagnostics say where and why. */
export type LoadResult = { ok: true; session: TrainingSession } | { ok: false; loaded: LoadedModel };

export class TrainingSession {
  private trainer: Trainer;
  private parsedText: string;
  private summaryCache: ModelSummary;
  private listeners = new Set<(change: SessionChange) => void>();
  private latest = 0;
  private losses = TrainingSession.noLosses();
  private readonly epochRows = new EpochRows();
  private readonly testLookList = new TestLooks();
  private runState: { mover: Mover; pause: boolean; done: Promise<RunOutcome> } | undefined;
  /** The moves back asked for, in order: each asks where to go when the one before has landed. */
  private movesBack: Promise<unknown> = Promise.resolve();
  /** Moves back asked for and not landed yet: forward moves wait for them. */
  private movesBackPending = 0;
  /** Counts Go To Step requests: a Go To not landed yet when a newer one is asked gives way to it. */
  private goTosAsked = 0;
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
    return TrainingSession.fromLoaded(uri, text, loadModel(text, options));
  }

  /** A session on `text` as loaded (the extension host loads with loadModelAsync, its data read off the event loop). */
  static fromLoaded(uri: string, text: string, loaded: LoadedModel): LoadResult {
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

  /** The trainer, to read (moving it is the session's alone: see advance). */
  get engine(): TrainerView {
    return this.trainer;
  }

  get running(): boolean {
    return this.runState !== undefined;
  }

  /** Who is moving the session now, if anyone. */
  get mover(): Mover | undefined {
    return this.runState?.mover;
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
  get position(): StepOnScreen {
    const p: NextOperation = this.trainer.position;
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
      // A step in progress is the newest one unless history went further already.
      latestStep: Math.max(this.latest, inProgress ? p.step : p.completedSteps),
      running: this.running,
    };
  }

  /** The record on screen: the step in progress, or the last completed step; undefined at step 0. */
  get record(): StepRecord | undefined {
    const current = this.trainer.currentRecord;
    if (current) return current;
    const done = this.completedSteps;
    return done > 0 ? this.trainer.history.record(done) : undefined;
  }

  /**
   * What the views show: the record on screen, or at step 0 what is known before training (issue
   * 10 item 3): the initial weights and biases, on the first batch, every computed field still absent.
   */
  get recordOnScreen(): StepRecord {
    const record = this.record;
    if (record) return record;
    const { batch, rows } = this.trainer.nextBatch();
    const layers = this.trainer.network.layers.map((layer, index) => ({
      index, units: layer.units, inputs: layer.inputs, activation: layer.activation, rows, weights: layer.weights.slice(), bias: layer.bias.slice(),
    }));
    return { step: 0, epoch: 1, batch, layers };
  }

  /** The batch on screen as positions in the training split: the record's, or before the first step the first batch. */
  get batchOnScreen(): number[] {
    return this.record?.batch ?? this.trainer.nextBatch().batch;
  }

  /**
   * Readies the record of `step` for recordAt and explain without holding the event loop: an old
   * step's record is replayed on a second machine in slices that yield (engine/history.ts).
   */
  async prepareRecord(step: number): Promise<void> {
    if (Number.isInteger(step) && step >= 1 && step <= this.completedSteps) await this.trainer.history.recordInSlices(step);
  }

  /** The record of `step` if it exists: a completed step, or the one in progress (see prepareRecord). */
  recordAt(step: number): StepRecord | undefined {
    const current = this.trainer.currentRecord;
    if (current && current.step === step) return current;
    if (step >= 1 && step <= this.completedSteps) return this.trainer.history.record(step);
    return undefined;
  }

  /**
   * The records of completed steps from..through, in order, as the session made them (its model,
   * its broken derivative, its history): one replay from the session's own checkpoints.
   */
  recordsBetween(from: number, through: number): StepRecord[] {
    return this.trainer.history.records(from, through);
  }

  /** How many steps' losses the history holds: a step's are kept just after the change that completed it. */
  get lossesKept(): number {
    return this.losses.loss.length;
  }

  /** Batch losses of steps from..through (1-based), for the loss chart. */
  lossHistory(from: number, through = this.completedSteps): LossHistory {
    const start = Math.max(from, 1) - 1;
    const end = Math.max(start, Math.min(through, this.losses.loss.length));
    const { loss, lossAfter, dataLoss, regLoss } = this.losses;
    return {
      from: start + 1,
      loss: loss.copy(start, end),
      lossAfter: lossAfter.copy(start, end),
      dataLoss: dataLoss.copy(start, end),
      regLoss: regLoss.copy(start, end),
      ...(this.trainer.data.stream && { lossAverage: this.lossAverages(start, end) }),
    };
  }

  /** The online loss's moving average at steps start+1..end (its window reaching back before them). */
  private lossAverages(start: number, end: number): Float64Array {
    const windowStart = Math.max(0, start - ONLINE_LOSS_WINDOW + 1);
    const losses = this.losses.loss.copy(windowStart, end);
    return Float64Array.from(movingAverages(losses, ONLINE_LOSS_WINDOW, start - windowStart, end - windowStart));
  }

  /** Train/validation figures of every epoch ended up to the step on screen, one entry per epoch. */
  get epochs(): EpochEvaluation[] {
    return this.epochsFrom(0);
  }

  /** How many epochs ended up to the step on screen (the length of `epochs`, without building it). */
  get epochCount(): number {
    return this.epochRows.count(this.trainer.epochEnds, this.completedSteps);
  }

  /** `epochs` from entry `from` on (a view that holds the entries before it is sent only the rest). */
  epochsFrom(from: number): EpochEvaluation[] {
    return this.epochRows.through(this.trainer.epochEnds, this.completedSteps, from);
  }

  /** Each look at the test split since the last reset, oldest first (kept across Step Back and Go To). */
  get testLooks(): Evaluation[] {
    return this.testLookList.all(this.trainer.evaluations);
  }

  /**
   * Evaluate on Test Set: the test split's J and accuracy with the weights of the step on screen,
   * recorded as a look (the only way the trainer reaches the test split). Throws NoTestSplitError
   * for a model without one.
   */
  lookAtTestSet(): TestLook {
    const look = lookAtTestSet(this.trainer);
    this.fire('testLook');
    return look;
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
    const { x, y } = batchRows(this.trainer.data, record.batch);
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
    this.losses.loss.set(i, record.loss!);
    this.losses.lossAfter.set(i, record.lossAfter!);
    this.losses.dataLoss.set(i, record.dataLoss!);
    this.losses.regLoss.set(i, record.regLoss!);
    this.latest = Math.max(this.latest, record.step);
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

  // ---- moving (each returns after the move; NaN/±Infinity ends it with the trainer's error, reported as a change)
  //
  // One mover at a time: a move asked for while another mover's run goes on is refused (the
  // outcome says by whom, and the caller tells the user); the same mover's new move pauses its
  // run first (Step while running). Pause stops any run: it is the user's explicit stop.

  /** One operation (Step Into). */
  stepInto(mover: Mover = 'inspector'): Promise<RunOutcome> {
    return this.advance({ mover, afterOperation: () => true });
  }

  /** The rest of the current step, or one whole step (Step Over). */
  step(mover: Mover = 'inspector'): Promise<RunOutcome> {
    return this.advance({ mover, until: { kind: 'steps', value: 1 }, fullSpeed: true });
  }

  /**
   * The inspector's Step Back: within a step (after Step Into) one operation back, as the
   * debugger's; between steps, back to the previous step. False at step 0.
   */
  stepBack(mover: Mover = 'inspector'): Promise<boolean | Refusal> {
    const { history } = this.trainer;
    return this.moveBackTo(mover, () => (this.trainer.position.opIndex > 0 ? history.positionBeforeOp() : history.positionBeforeStep()));
  }

  /** Back one operation; false at step 0 before any operation. */
  stepBackOperation(mover: Mover): Promise<boolean | Refusal> {
    return this.moveBackTo(mover, () => this.trainer.history.positionBeforeOp());
  }

  /**
   * Goes to the earlier position `target` names, asked when the moves back asked before it have
   * landed (pressing Step Back twice goes back twice), replaying in slices that yield
   * (history.goToInSlices); false when there is none, training started over meanwhile, or
   * `superseded()` turned true before it landed.
   */
  private moveBackTo(
    mover: Mover, target: () => { completedSteps: number; opIndex: number } | undefined, superseded?: () => boolean,
  ): Promise<boolean | Refusal> {
    this.movesBackPending++;
    const move = this.movesBack
      .then(() =>
        this.moveBack(mover, async () => {
          const position = target();
          if (!position) return false;
          return this.replayTo(position.completedSteps, position.opIndex, superseded);
        }),
      )
      .finally(() => this.movesBackPending--);
    this.movesBack = move.catch(() => undefined);
    return move;
  }

  /**
   * history.goToInSlices: false when training started over meanwhile (the reset or new model won)
   * or the move was superseded (the newer one wins); nothing else moved then.
   */
  private async replayTo(completedSteps: number, opIndex: number, superseded?: () => boolean): Promise<boolean> {
    try {
      await this.trainer.history.goToInSlices(completedSteps, opIndex, superseded);
      return true;
    } catch (error) {
      if (error instanceof HistoryRestartedError || error instanceof MoveSupersededError) return false;
      throw error;
    }
  }

  /**
   * Back to the latest earlier position whose operation `accept` takes (asked with the trainer at
   * that position, quietly), or to step 0 when none does: true when one was found. The trainer
   * searches one checkpoint interval at a time, newest first (Reverse Continue).
   */
  reverseTo(mover: Mover, accept: (phase: Phase) => boolean): Promise<boolean | Refusal> {
    return this.moveBack(mover, () => {
      const found = this.trainer.history.latestBefore(accept);
      this.trainer.history.goTo(found?.completedSteps ?? 0, found?.opIndex ?? 0);
      return found !== undefined;
    });
  }

  private async moveBack(mover: Mover, move: () => boolean | Promise<boolean>): Promise<boolean | Refusal> {
    const refusal = await this.claim(mover);
    return refusal ?? move();
  }

  /** Operations of one step: forward of each layer, the loss, backward of each layer, the update. */
  get operationsPerStep(): number {
    return this.trainer.opsPerStep;
  }

  /** Operations done since step 0 (completed steps × operations per step + those of the step in progress). */
  get operationsDone(): number {
    const p = this.trainer.position;
    return p.completedSteps * p.opsPerStep + p.opIndex;
  }

  /** Back to step 0 with the initial weights; refused while another mover runs. */
  async reset(mover: Mover = 'inspector'): Promise<Refusal | undefined> {
    const refusal = await this.claim(mover);
    if (refusal) return refusal;
    this.trainer.reset();
    this.latest = 0;
    this.clearLosses();
    this.fire('reset');
    return undefined;
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
   * Shows completed step `step` (0 = before training). Earlier steps are a move back (replayed
   * from a checkpoint in slices that yield; 'cancelled' when training started over meanwhile);
   * later ones train forward as a full-speed run (untraced, yielding, cancellable through
   * `control`), recording each step's loss on the way. A newer Go To Step asked before this one
   * lands wins: this one stops replaying at its next slice, or does not start, and is 'cancelled'.
   */
  async goToStep(step: number, control: RunControl = {}, mover: Mover = 'inspector'): Promise<RunOutcome> {
    const asked = ++this.goTosAsked;
    const superseded = () => asked !== this.goTosAsked;
    await this.movesBack; // where to go from is known when the moves back asked before have landed
    const refusal = await this.claim(mover);
    if (refusal) return refusal;
    if (superseded()) return { kind: 'cancelled' };
    // Beyond the newest step reached, train on; up to it, replay from the nearest checkpoint.
    if (step > this.completedSteps && step > this.latest) {
      return this.advance({ ...control, mover, fullSpeed: true, until: { kind: 'steps', value: step - this.completedSteps } });
    }
    if (step !== this.completedSteps || this.trainer.position.opIndex > 0) {
      const moved = await this.moveBackTo(mover, () => ({ completedSteps: step, opIndex: 0 }), superseded);
      if (moved !== true) return moved === false ? { kind: 'cancelled' } : moved;
    }
    return { kind: 'condition', reason: { kind: 'steps' } };
  }

  /**
   * The one way forward: moves the trainer through the run loop (engine/runLoop.ts) until the request's
   * condition holds, it is paused or cancelled; the session is `running` meanwhile, moved by
   * `request.mover`. Refused, without moving, while another mover runs.
   */
  advance(request: AdvanceRequest): Promise<RunOutcome> {
    // Synchronous when the session is free, so `running` and `mover` are true from the call on.
    if (this.movesBackPending > 0) return this.movesBack.then(() => this.advance(request));
    if (this.runState) return this.claim(request.mover).then((refusal) => refusal ?? this.advance(request));
    if (this.trainer.stoppedBy) return Promise.resolve({ kind: 'non-finite', error: this.trainer.stoppedBy });
    if (request.stepsPerSecond !== undefined) this.stepsPerSecond = request.stepsPerSecond;
    const state = { mover: request.mover, pause: false, done: Promise.resolve<RunOutcome>({ kind: 'paused' }) };
    this.runState = state;
    state.done = runLoop(this.trainer, request, () => this.stepsPerSecond, () => state.pause).finally(() => {
      this.runState = undefined;
      this.fire('running');
    });
    this.fire('running');
    return state.done;
  }

  /**
   * Makes way for `mover`: its own run is paused; another mover's run refuses it. Runs that end
   * while waiting are waited out, so the caller moves alone.
   */
  private async claim(mover: Mover): Promise<Refusal | undefined> {
    while (this.runState) {
      if (this.runState.mover !== mover) return { kind: 'refused', by: this.runState.mover };
      await this.pause();
    }
    return undefined;
  }

  /** Asks a run in progress (whoever moves it) to stop after its current operation, and waits for it. */
  async pause(): Promise<void> {
    const state = this.runState;
    if (!state) return;
    state.pause = true;
    await state.done;
  }

  // ---- the model changed on disk or in the editor

  /** Starts over on a new model text; on failure the session keeps its current model. */
  async replaceModel(text: string, options: LoadOptions = {}): Promise<LoadResult> {
    const loaded = await loadModelAsync(text, options);
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
    this.losses = TrainingSession.noLosses();
  }

  /** The loss history the charts draw, every step's four losses (about 32 bytes a step, in chunks). */
  private static noLosses() {
    return { loss: new Float64Series(), lossAfter: new Float64Series(), dataLoss: new Float64Series(), regLoss: new Float64Series() };
  }
}

export function samePhase(a: Phase, b: Phase): boolean {
  return a.kind === b.kind && ('layer' in a ? a.layer : -1) === ('layer' in b ? b.layer : -1);
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

/**
 * Figures derived from one of the trainer's append-only lists of evaluations (a new list once
 * training starts over), brought up to date by folding in only the entries logged since the last
 * look: a million steps of the history bench log 250,000 evaluations, and the inspector looks at
 * every frame.
 */
abstract class EvaluationFold {
  private source: readonly Evaluation[] | undefined;
  private folded = 0;

  /** Folds in what `source` logged since the last call; starts over when it is a new list. */
  protected update(source: readonly Evaluation[]): void {
    if (source !== this.source) {
      this.source = source;
      this.folded = 0;
      this.startOver();
    }
    if (this.folded < source.length) this.foldIn(source.slice(this.folded));
    this.folded = source.length;
  }

  protected abstract startOver(): void;

  /** Takes in the entries logged since the last update, oldest first. */
  protected abstract foldIn(entries: readonly Evaluation[]): void;
}

/** The test looks among the trainer's evaluations (testLooksIn), kept as they are logged. */
class TestLooks extends EvaluationFold {
  private looks: Evaluation[] = [];

  /** The looks of `evaluations` (the trainer's log), oldest first, as a new list. */
  all(evaluations: readonly Evaluation[]): Evaluation[] {
    this.update(evaluations);
    return this.looks.slice();
  }

  protected startOver(): void {
    this.looks = [];
  }

  protected foldIn(entries: readonly Evaluation[]): void {
    this.looks.push(...testLooksIn(entries));
  }
}

/**
 * The loss view's epoch rows, one per epoch, folded from the trainer's epoch-end evaluations as
 * they are logged (each epoch end once, in step order), so the rows up to a step cost a binary
 * search and a copy, not a pass over the whole log (a million steps of the history bench end
 * 125,000 epochs).
 */
class EpochRows extends EvaluationFold {
  private rows: EpochEvaluation[] = [];

  /**
   * The rows of the epochs `epochEnds` ended at or before `lastStep` (`epochEnds` is a new list
   * when training starts over), from row `from` on.
   */
  through(epochEnds: readonly Evaluation[], lastStep: number, from = 0): EpochEvaluation[] {
    const count = this.count(epochEnds, lastStep); // brings `rows` up to date first
    return this.rows.slice(from, count);
  }

  /** How many rows `through` has from row 0. */
  count(epochEnds: readonly Evaluation[], lastStep: number): number {
    this.update(epochEnds);
    return countAtOrBefore(this.rows, (row) => row.step, lastStep);
  }

  protected startOver(): void {
    this.rows = [];
  }

  protected foldIn(entries: readonly Evaluation[]): void {
    for (const e of entries) this.fold(e);
  }

  private fold(e: Evaluation): void {
    let row = this.rows[this.rows.length - 1];
    if (row?.epoch !== e.epoch) {
      row = { epoch: e.epoch, step: e.step, trainLoss: NaN };
      this.rows.push(row);
    }
    if (e.split === 'train') {
      row.trainLoss = e.loss;
      if (e.accuracy !== undefined) row.trainAccuracy = e.accuracy;
    } else if (e.split === 'validation') {
      row.validationLoss = e.loss;
      if (e.accuracy !== undefined) row.validationAccuracy = e.accuracy;
    }
  }
}
