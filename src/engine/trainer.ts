// The trainer: a step machine over one network (DESIGN.md §2). A step is one batch: forward of
// layers[0] .. layers[L−1], loss, backward of layers[L−1] .. layers[0], update; the machine moves
// one operation (stepOp) or one step (step) at a time, keeping the books (position, epochs,
// events). The arithmetic is operations.ts, going back history.ts, the NaN watch nonFinite.ts;
// runs until a condition go through runLoop.ts (the session's moves and the CLI's). It knows
// nothing of any UI: front ends read `position` and `subscribe` to hear what happened.
import type { ModelFile, Phase, StepRecord } from './types';
import type { TrainingData } from './model/load';
import { Rng } from './rng';
import { type BatchPlan, batchAt, epochOrder, planBatches } from './batching';
import { batchRows } from './data/stream';
import {
  type BrokenDerivative, type Network, breakDerivative, brokenDerivativeProblem, createNetwork, parameterNames, parameters, setParameters,
} from './network';
import { type LossSpec, normalizeRegularization } from './losses';
import { type Optimizer, createOptimizer } from './optimizers';
import { createObjective } from './objective';
import { type Evaluation, type SplitName, gatherRows } from './evaluation';
import { EvaluationLog } from './evaluationLog';
import { type NextOperation, phaseAt } from './phases';
import { type Checkpoint, History, type Replayable } from './history';
import { NonFiniteError } from './nonFinite';
import { Arena, ArenaSource } from './arena';
import { deferred } from './lazyField';
import { type StepContext, type StepWork, beginStepWork, runOperation } from './operations';

/** The data a model trains on, loaded and split by the model loader (positions are dataset rows). */
export type { TrainingData };

export interface TrainerOptions {
  /** Record every tensor of every step (default true). Off, steps are faster and records are not kept. */
  trace?: boolean;
  /** Measure train/validation loss (and accuracy) at the end of every epoch (default true). */
  evaluateEpochs?: boolean;
  /** Steps between checkpoints at first (default 32); the spacing doubles as checkpoints pile up. */
  checkpointInterval?: number;
  /** Most coarse checkpoints kept at once (default 1024; see history.ts). */
  maxCheckpoints?: number;
  /** Most bytes the checkpoints may take (default 128 MiB): a big model keeps fewer. */
  checkpointBytes?: number;
  /** Completed step records kept for instant access (default 64); older ones are recomputed by replay. */
  recordCacheSize?: number;
  /**
   * Most bytes the kept records may take (default 16 MiB): a big model keeps fewer. Holding many
   * large records costs more than their memory: every new step's tensors then come from fresh
   * pages (784-128-10 / batch 64: about 4 MB a record; 64 of them doubled a traced step's cost).
   */
  recordCacheBytes?: number;
  /** A deliberately wrong derivative in the backward pass (lesson 6's exercise); see setBrokenDerivative. */
  brokenDerivative?: BrokenDerivative;
}

/** Optimizers whose curvature (exact Hessian, residual Jacobian) is computed with the true derivatives. */
const CURVATURE_OPTIMIZERS: readonly string[] = ['newton', 'levenberg-marquardt'];

export type TrainerEvent =
  | { type: 'op'; phase: Phase; position: NextOperation; record: StepRecord }
  | { type: 'step'; record: StepRecord; position: NextOperation }
  | { type: 'epoch'; evaluations: Evaluation[] }
  | { type: 'moved'; position: NextOperation } // reset, go to, step back
  | { type: 'stopped'; error: NonFiniteError };

export type TrainerListener = (event: TrainerEvent) => void;

export class Trainer {
  readonly plan: BatchPlan;
  readonly lossSpec: LossSpec;
  private readonly layerCount: number;
  private readonly options: Required<Omit<TrainerOptions, 'brokenDerivative'>>;
  private broken: BrokenDerivative | undefined;
  private readonly listeners = new Set<TrainerListener>();
  /** Going back to any earlier state, records of past steps (checkpoints and replay). */
  readonly history: History;
  private readonly evaluationLog: EvaluationLog;

  private rng!: Rng;
  /** Network, optimizer and what the operations need (operations.ts), as the model file defines them. */
  private ctx!: StepContext;
  /** Where each recorded step's arena comes from (its record keeps the tensors). */
  private readonly recordedArenas = new ArenaSource();
  /**
   * Memory every step reuses for what no record keeps: all tensors of an unrecorded step; a
   * recorded step's batch rows and large ∂J/∂W, which its record gathers or computes again when
   * read (StepWork.gatherInput, operations.ts). Reset as each step begins: the step before is then
   * over, and nothing of it points here (untraced records hold no tensors; nextBatch gathers its own copies).
   */
  private readonly reused = new Arena(0);

  private completedSteps = 0;
  private epoch = 1;
  private batchIndex = 0;
  private order: number[] = [];
  /** The generator's state this epoch's order was drawn from (a checkpoint keeps it, not the order). */
  private orderRng: number[] = [];
  private opIndex = 0;
  private work: StepWork | undefined;
  private lastGradNorm = 0;
  private failure: NonFiniteError | undefined;
  /** The record of the step the last update completed (kept even when untraced, for run conditions). */
  private finishedWork: StepRecord | undefined;
  /** True while replaying whole steps towards a target: nothing is recorded. */
  private replaying = false;
  /** Above 0, events are not announced (replays, records recomputed on request). */
  private quiet = 0;

  constructor(
    readonly model: ModelFile,
    readonly data: TrainingData,
    options: TrainerOptions = {},
  ) {
    this.options = {
      trace: options.trace ?? true,
      evaluateEpochs: options.evaluateEpochs ?? true,
      checkpointInterval: options.checkpointInterval ?? 32,
      maxCheckpoints: options.maxCheckpoints ?? 1024,
      checkpointBytes: options.checkpointBytes ?? 128 * 2 ** 20,
      recordCacheSize: options.recordCacheSize ?? 64,
      recordCacheBytes: options.recordCacheBytes ?? 16 * 2 ** 20,
    };
    if (!data.stream && data.split.train.length === 0) throw new RangeError('the training split is empty: give "split.train" a share of the data');
    this.broken = options.brokenDerivative;
    this.lossSpec = { loss: model.loss, regularization: model.regularization };
    this.layerCount = model.layers.length;
    this.evaluationLog = new EvaluationLog(data, this.lossSpec);
    this.history = new History(this.replayable(), this.options, () => this.replayer());
    this.build();
    // Online, an epoch is as many fresh samples as the reference sample holds (see load.ts).
    const epochSamples = data.stream ? data.dataset.samples : data.split.train.length;
    this.plan = planBatches(model.batch, epochSamples, this.ctx.optimizer.fullBatch);
    this.startFromScratch();
  }

  // ---- where it is

  get position(): NextOperation {
    return {
      completedSteps: this.completedSteps,
      step: this.completedSteps + 1,
      epoch: this.epoch,
      batch: this.batchIndex + 1,
      batchesPerEpoch: this.plan.batchesPerEpoch,
      opIndex: this.opIndex,
      opsPerStep: this.opsPerStep,
      nextPhase: phaseAt(this.opIndex, this.layerCount),
    };
  }

  get opsPerStep(): number {
    return 2 * this.layerCount + 2;
  }

  /**
   * The samples of the step in progress, or of the next step between steps: positions in the
   * training split (StepTrace.batch), or stream sample numbers in online mode, and their rows of x and y.
   */
  nextBatch(): { batch: number[]; x: Float64Array; y: Float64Array; rows: number } {
    const batch = this.upcomingBatch();
    return { batch, ...batchRows(this.data, batch), rows: batch.length };
  }

  /** The batch of the step in progress, or of the next step between steps (see nextBatch). */
  private upcomingBatch(): number[] {
    if (this.work) return this.work.record.batch;
    const stream = this.data.stream;
    return stream ? stream.batchOfStep(this.completedSteps + 1) : batchAt(this.plan, this.order, this.batchIndex);
  }

  /** The network with its current weights (live: do not modify). */
  get network(): Network {
    return this.ctx.net;
  }

  /** The error that stopped training, until the machine moves back or resets. */
  get stoppedBy(): NonFiniteError | undefined {
    return this.failure;
  }

  /** The step in progress (fields appear as its operations complete), or undefined between steps. */
  get currentRecord(): StepRecord | undefined {
    return this.work?.record;
  }

  /** The record of the step the last update completed (kept even when untraced: losses, batch). */
  get lastCompleted(): StepRecord | undefined {
    return this.finishedWork;
  }

  /** ‖∂J/∂θ‖₂ of the most recent completed step. */
  get gradNorm(): number {
    return this.lastGradNorm;
  }

  /**
   * Epoch-end figures for train/validation, and requested evaluations, oldest first: every epoch
   * end trained since the last reset, also those after the position after a move back.
   */
  get evaluations(): readonly Evaluation[] {
    return this.evaluationLog.entries;
  }

  /** The epoch-end figures alone, in step order (a new list when training starts over). */
  get epochEnds(): readonly Evaluation[] {
    return this.evaluationLog.epochEndEntries;
  }

  get tracing(): boolean {
    return this.options.trace;
  }

  subscribe(listener: TrainerListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Turns full recording on or off; the optimizer keeps its state, only its reporting changes. */
  setTracing(on: boolean): void {
    if (on === this.options.trace) return;
    this.options.trace = on;
    const snapshot = this.ctx.optimizer.snapshot();
    this.ctx.optimizer = this.newOptimizer();
    this.ctx.optimizer.restore(snapshot);
  }

  /** The deliberately wrong derivative backward uses, if any. */
  get brokenDerivative(): BrokenDerivative | undefined {
    return this.broken;
  }

  /** Why `broken` cannot apply to this model (see brokenDerivativeProblem), or undefined. */
  brokenDerivativeProblem(broken: BrokenDerivative): string | undefined {
    if (CURVATURE_OPTIMIZERS.includes(this.model.optimizer.type)) {
      return `${this.model.optimizer.type} computes its curvature with the true derivatives; break a derivative with a first-order optimizer such as sgd`;
    }
    return brokenDerivativeProblem(this.ctx.net, this.model.loss, broken);
  }

  /**
   * Breaks a derivative in the backward pass (lesson 6), or with undefined restores the true
   * ones, and resets to step 0: the steps taken so far followed the other derivative, and
   * stepping back replays from checkpoints, so keeping them would mix two trainings in one
   * history. Throws with brokenDerivativeProblem's reason, changing nothing.
   */
  setBrokenDerivative(broken: BrokenDerivative | undefined): void {
    const problem = broken && this.brokenDerivativeProblem(broken);
    if (problem) throw new Error(problem);
    this.broken = broken;
    this.reset();
  }

  // ---- moving forward

  /** One operation (Step Into). Returns the phase it ran; throws NonFiniteError when it produced NaN/±Infinity. */
  stepOp(): Phase {
    if (this.failure) throw this.failure;
    const phase = phaseAt(this.opIndex, this.layerCount);
    if (!this.work) this.work = this.beginStep();
    const problem = runOperation(this.ctx, phase, this.work, { step: this.completedSteps + 1, epoch: this.epoch, phase });
    const finished = phase.kind === 'update' ? this.finishStep() : undefined;
    if (!finished) this.opIndex++;
    // Quiet (a replay), no event is built: a replay runs thousands of operations per slice.
    if (this.quiet === 0) {
      this.emit({ type: 'op', phase, position: this.position, record: finished?.record ?? this.work!.record });
      if (finished) this.emit({ type: 'step', record: finished.record, position: this.position });
      if (finished?.epochFigures) this.emit({ type: 'epoch', evaluations: finished.epochFigures });
    }
    if (problem) {
      this.failure = new NonFiniteError(problem);
      this.emit({ type: 'stopped', error: this.failure });
      throw this.failure;
    }
    return phase;
  }

  /** Runs to the end of the current step (Step Over) and returns its record. */
  step(): StepRecord {
    do this.stepOp();
    while (this.opIndex !== 0);
    return this.finishedWork!;
  }

  // ---- moving back (going to earlier steps, records of past steps: `history`, history.ts)

  /** Back to step 0 with the initial weights and a fresh generator. */
  reset(): void {
    this.build();
    this.startFromScratch();
    this.emit({ type: 'moved', position: this.position });
  }

  // ---- evaluations

  /** Loss (and accuracy) of the current weights on one split; for 'test' this is the only way in. */
  evaluate(split: SplitName): Evaluation {
    // Between steps right after an epoch's last batch, the weights are that epoch's (the counter has moved on).
    const epochJustEnded = this.opIndex === 0 && this.completedSteps > 0 && this.batchIndex === 0;
    return this.evaluationLog.measure(this.ctx.net, split, 'request', this.completedSteps, epochJustEnded ? this.epoch - 1 : this.epoch);
  }

  // ---- internals

  private emit(event: TrainerEvent): void {
    if (this.quiet > 0) return;
    for (const listener of this.listeners) listener(event);
  }

  private quietly<T>(body: () => T, record = false): T {
    const wasTracing = this.options.trace;
    if (record) this.setTracing(true);
    this.quiet++;
    try {
      return body();
    } finally {
      this.quiet--;
      this.setTracing(wasTracing);
    }
  }

  private replayTo(completedSteps: number): void {
    this.replaying = true;
    try {
      while (this.completedSteps < completedSteps) this.stepOp();
    } finally {
      this.replaying = false;
    }
  }

  /** This machine as its history moves it. */
  private replayable(): Replayable {
    return {
      opsPerStep: this.opsPerStep,
      at: () => ({ completedSteps: this.completedSteps, opIndex: this.opIndex }),
      failed: () => this.failure !== undefined,
      checkpoint: () => this.checkpoint(),
      restore: (c) => this.restore(c),
      stepOp: () => this.stepOp(),
      step: () => this.step(),
      replayTo: (completedSteps) => this.replayTo(completedSteps),
      quietly: (body, record) => this.quietly(body, record),
      announceMove: () => this.emit({ type: 'moved', position: this.position }),
    };
  }

  /**
   * A second machine of the same training (model, data, derivatives), for replays that must not
   * move this one: untraced (its optimizer reports nothing on the many whole steps it replays; the
   * one step a replay records turns tracing on for that step), no epoch evaluations (they do not
   * change training), and no history of its own beyond step 0 (it replays from this one's checkpoints).
   */
  private replayer(): Replayable {
    const twin = new Trainer(this.model, this.data, {
      trace: false, evaluateEpochs: false, checkpointInterval: Number.MAX_SAFE_INTEGER, maxCheckpoints: 2, recordCacheSize: 1, brokenDerivative: this.broken,
    });
    return twin.replayable();
  }

  private newOptimizer(): Optimizer {
    const params = this.ctx.params;
    return createOptimizer(this.model.optimizer, { names: this.ctx.names, sizes: params.map((p) => p.length) }, { recordState: this.options.trace });
  }

  /** Generator, network and optimizer as the model file defines them at step 0. */
  private build(): void {
    this.rng = new Rng(this.model.seed ?? 0);
    const net = createNetwork(this.model, this.rng);
    if (this.broken) {
      const problem = brokenDerivativeProblem(net, this.model.loss, this.broken);
      if (problem) throw new Error(problem);
      breakDerivative(net, this.model.loss, this.broken);
    }
    const recording = this.options.trace;
    this.ctx = {
      net, lossSpec: this.lossSpec, regularization: normalizeRegularization(this.model.regularization),
      params: parameters(net), names: parameterNames(net), optimizer: undefined!, objective: undefined, recording, scratch: new Arena(0),
      parameterCopies: new ArenaSource(), parametersAsRecorded: undefined,
    };
    this.ctx.optimizer = this.newOptimizer();
    if (this.ctx.optimizer.fullBatch) {
      const train = this.data.split.train;
      const { x, y } = gatherRows(this.data.dataset, train);
      this.ctx.objective = createObjective(net, this.lossSpec, { x, y, rows: train.length });
    }
  }

  private startFromScratch(): void {
    this.completedSteps = 0;
    this.epoch = 1;
    this.batchIndex = 0;
    this.opIndex = 0;
    this.work = undefined;
    this.finishedWork = undefined;
    this.lastGradNorm = 0;
    this.failure = undefined;
    this.evaluationLog.clear();
    this.drawOrder();
    this.history.start();
  }

  /** This epoch's visiting order, drawn from the generator (which a checkpoint can redraw it from). */
  private drawOrder(): void {
    this.orderRng = this.rng.getState();
    this.order = epochOrder(this.plan, this.rng);
  }

  private checkpoint(): Checkpoint {
    return {
      completedSteps: this.completedSteps,
      epoch: this.epoch,
      batchIndex: this.batchIndex,
      orderRng: this.orderRng,
      params: this.ctx.params.map((p) => p.slice()),
      optimizer: this.ctx.optimizer.snapshot(),
      rng: this.rng.getState(),
    };
  }

  private restore(c: Checkpoint): void {
    setParameters(this.ctx.net, c.params);
    this.ctx.parametersAsRecorded = undefined;
    this.ctx.optimizer.restore(c.optimizer);
    this.rng.setState(c.rng);
    this.completedSteps = c.completedSteps;
    this.epoch = c.epoch;
    this.batchIndex = c.batchIndex;
    this.orderRng = c.orderRng;
    const orderDrawer = new Rng(0);
    orderDrawer.setState(c.orderRng);
    this.order = epochOrder(this.plan, orderDrawer);
    this.opIndex = 0;
    this.work = undefined;
    this.failure = undefined;
    this.finishedWork = undefined;
  }

  private beginStep(): StepWork {
    const recording = this.options.trace && !this.replaying;
    this.ctx.recording = recording;
    this.reused.reset();
    const arena = recording ? this.recordedArenas.arena() : this.reused;
    const batch = this.upcomingBatch();
    // A recorded step's large input (784-128-10 / batch 64: 400 KB) would be fresh memory each
    // step; it follows from the data and the batch's indices, so its record gathers it again when read.
    const gatherAgain = recording && deferred(batch.length * this.data.dataset.inputs);
    const { x, y } = batchRows(this.data, batch, (gatherAgain ? this.reused : arena).take);
    const gatherInput = gatherAgain ? () => batchRows(this.data, batch).x : undefined;
    const header = { step: this.completedSteps + 1, epoch: this.epoch, batch };
    return beginStepWork(this.ctx, header, { x, y, rows: batch.length, gatherInput }, { arena, reused: this.reused });
  }

  /** Step bookkeeping after the update: position, epoch end, checkpoint, record cache. */
  private finishStep(): { record: StepRecord; epochFigures?: Evaluation[] } {
    const { record, gradNorm } = this.work!;
    const recorded = this.ctx.recording;
    this.work = undefined;
    this.finishedWork = record;
    this.lastGradNorm = gradNorm!;
    this.completedSteps++;
    this.opIndex = 0;
    this.batchIndex++;
    let epochFigures: Evaluation[] | undefined;
    if (this.batchIndex === this.plan.batchesPerEpoch) {
      if (this.options.evaluateEpochs) epochFigures = this.evaluationLog.epochEnd(this.ctx.net, this.completedSteps, this.epoch);
      this.epoch++;
      this.batchIndex = 0;
      this.drawOrder();
    }
    this.history.completed(recorded ? record : undefined);
    return { record, epochFigures };
  }
}
