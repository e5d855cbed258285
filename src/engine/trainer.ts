// The trainer: a step machine over one network (DESIGN.md §2). A step is one batch:
//   forward of layers[0] .. layers[L−1], loss, backward of layers[L−1] .. layers[0], update,
// and the machine can move one of those operations at a time (Step Into), a whole step (Step
// Over), an epoch or until a condition (Continue), and back again. Each operation fills its
// part of a StepRecord as it completes; a completed record converts to the §3 StepTrace.
//
// It knows nothing of any UI: the inspector, the debugger, the status bar and the CLI all drive
// the same object, ask `position` where it is, and `subscribe` to hear what happened.
import type { LayerRecord, ModelFile, Phase, StepRecord, StepTrace } from './types';
import type { TrainingData } from './model/load';
import { Rng } from './rng';
import { type BatchPlan, batchAt, epochOrder, planBatches } from './batching';
import {
  type BrokenDerivative, type LayerForward, type Network, backwardLayer, batchLoss, breakDerivative, brokenDerivativeProblem,
  createNetwork, forwardLayer, newLayerRecord, outputLoss, parameterNames, parameters, recordBackward, recordForward, setParameters,
} from './network';
import { type LossSpec, type Regularization, normalizeRegularization } from './losses';
import { type Objective, type Optimizer, createOptimizer } from './optimizers';
import { createObjective } from './objective';
import { type Evaluation, type SplitName, evaluateRows, gatherRows } from './evaluation';
import { type Checkpoint, CheckpointStore, RecentCache } from './history';
import { type NonFiniteDetail, type WatchedQuantity, NonFiniteError, firstNonFinite } from './nonFinite';
import { toStepTrace } from './trace';
import { type Allocate, Arena, ArenaSource, copyWith } from './arena';
import { localGradientLength } from './activations';

/** The data a model trains on, loaded and split by the model loader (positions are dataset rows). */
export type { TrainingData };

export interface TrainerOptions {
  /** Record every tensor of every step (default true). Off, steps are faster and records are not kept. */
  trace?: boolean;
  /** Measure train/validation loss (and accuracy) at the end of every epoch (default true). */
  evaluateEpochs?: boolean;
  /** Steps between checkpoints at first (default 32); the spacing doubles as checkpoints pile up. */
  checkpointInterval?: number;
  /** Most checkpoints kept at once (default 32). */
  maxCheckpoints?: number;
  /** Completed step records kept for instant access (default 64); older ones are recomputed by replay. */
  recordCacheSize?: number;
  /** A deliberately wrong derivative in the backward pass (lesson 6's exercise); see setBrokenDerivative. */
  brokenDerivative?: BrokenDerivative;
}

/** Optimizers whose curvature (exact Hessian, residual Jacobian) is computed with the true derivatives. */
const CURVATURE_OPTIMIZERS: readonly string[] = ['newton', 'levenberg-marquardt'];

/** Where the machine stands. Between steps `opIndex` is 0 and `nextPhase` is forward of layers[0]. */
export interface Position {
  completedSteps: number;
  step: number; // 1-based step the next operation belongs to (completedSteps + 1)
  epoch: number; // 1-based epoch of that step
  batch: number; // 1-based batch k of that step within its epoch
  batchesPerEpoch: number; // K
  opIndex: number; // operations of that step already done, 0 .. opsPerStep−1
  opsPerStep: number; // 2L + 2
  nextPhase: Phase;
}

export type StopReason =
  | { kind: 'steps' }
  | { kind: 'epoch-end'; epoch: number }
  | { kind: 'loss-below'; loss: number }
  | { kind: 'grad-norm-above'; gradNorm: number }
  | { kind: 'breakpoint'; phase: Phase }
  | { kind: 'non-finite'; error: NonFiniteError };

export interface RunCondition {
  /** At most this many step completions (a step in progress counts as one). */
  steps?: number;
  /** Stop when the current epoch's last batch is done. */
  toEpochEnd?: boolean;
  /** Stop after a step whose loss J is below this. */
  lossBelow?: number;
  /** Stop after a step whose gradient norm ‖∂J/∂θ‖₂ is above this. */
  gradNormAbove?: number;
  /** Asked before every operation except the first of the run; true stops before that operation. */
  breakpoint?: (phase: Phase, position: Position) => boolean;
}

export type TrainerEvent =
  | { type: 'op'; phase: Phase; position: Position; record: StepRecord }
  | { type: 'step'; record: StepRecord; position: Position }
  | { type: 'epoch'; evaluations: Evaluation[] }
  | { type: 'moved'; position: Position } // reset, go to, step back
  | { type: 'stopped'; error: NonFiniteError };

export type TrainerListener = (event: TrainerEvent) => void;

/** The operation `opIndex` of a step in a network of `layerCount` layers. */
export function phaseAt(opIndex: number, layerCount: number): Phase {
  if (opIndex < layerCount) return { kind: 'forward', layer: opIndex };
  if (opIndex === layerCount) return { kind: 'loss' };
  if (opIndex <= 2 * layerCount) return { kind: 'backward', layer: 2 * layerCount - opIndex };
  return { kind: 'update' };
}

/** The step in progress: its record and what later operations of the step need. */
interface StepWork {
  record: StepRecord;
  rows: number;
  x: Float64Array;
  y: Float64Array;
  /** Where this step's tensors live (the record keeps them). */
  arena: Arena;
  forwards: LayerForward[];
  upstream?: Float64Array; // ∂J/∂a of the layer whose backward is next
  outputDelta?: Float64Array; // ∂J/∂z at the output, from the loss
  grads: Float64Array[]; // parameters() order, filled by the backward operations
}

export class Trainer {
  readonly plan: BatchPlan;
  readonly lossSpec: LossSpec;
  private readonly regularization: Regularization;
  private readonly layerCount: number;
  private readonly options: Required<Omit<TrainerOptions, 'brokenDerivative'>>;
  private broken: BrokenDerivative | undefined;
  private readonly listeners = new Set<TrainerListener>();

  private rng!: Rng;
  private net!: Network;
  private params!: Float64Array[];
  private names!: string[];
  /** Where each step's arena comes from. */
  private readonly arenas = new ArenaSource();
  /** Scratch for lossAfter's forward pass, overwritten every step. */
  private lossAfterArena = new Arena(0);
  private optimizer!: Optimizer;
  /** J on the whole training split, for the full-batch (second-order) methods. */
  private objective: Objective | undefined;
  private checkpoints!: CheckpointStore;
  private readonly recordCache: RecentCache<StepRecord>;

  private completedSteps = 0;
  private epoch = 1;
  private batchIndex = 0;
  private order: number[] = [];
  private opIndex = 0;
  private work: StepWork | undefined;
  private lastGradNorm = 0;
  private failure: NonFiniteError | undefined;
  private evaluationLog: Evaluation[] = [];
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
      maxCheckpoints: options.maxCheckpoints ?? 32,
      recordCacheSize: options.recordCacheSize ?? 64,
    };
    if (data.split.train.length === 0) throw new RangeError('the training split is empty: give "split.train" a share of the data');
    this.broken = options.brokenDerivative;
    this.lossSpec = { loss: model.loss, regularization: model.regularization };
    this.regularization = normalizeRegularization(model.regularization);
    this.layerCount = model.layers.length;
    this.recordCache = new RecentCache(this.options.recordCacheSize);
    this.build();
    this.plan = planBatches(model.batch, data.split.train.length, this.optimizer.fullBatch);
    this.startFromScratch();
  }

  // ---- where it is

  get position(): Position {
    return {
      completedSteps: this.completedSteps,
      step: this.completedSteps + 1,
      epoch: this.epoch,
      batch: this.batchIndex + 1,
      batchesPerEpoch: this.plan.batchesPerEpoch,
      opIndex: this.opIndex,
      opsPerStep: this.opsPerStep,
      nextPhase: this.nextPhase(),
    };
  }

  get opsPerStep(): number {
    return 2 * this.layerCount + 2;
  }

  nextPhase(): Phase {
    return phaseAt(this.opIndex, this.layerCount);
  }

  /**
   * The samples of the step in progress, or of the next step between steps: positions in the
   * training split (StepTrace.batch) and their rows of x and y.
   */
  nextBatch(allocate?: Allocate): { batch: number[]; x: Float64Array; y: Float64Array; rows: number } {
    if (this.work) return { batch: this.work.record.batch, x: this.work.x, y: this.work.y, rows: this.work.rows };
    const batch = batchAt(this.plan, this.order, this.batchIndex);
    const { x, y } = gatherRows(this.data.dataset, batch.map((position) => this.data.split.train[position]), allocate);
    return { batch, x, y, rows: batch.length };
  }

  /** The network with its current weights (live: do not modify). */
  get network(): Network {
    return this.net;
  }

  /** The error that stopped training, until the machine moves back or resets. */
  get stoppedBy(): NonFiniteError | undefined {
    return this.failure;
  }

  /** The step in progress (fields appear as its operations complete), or undefined between steps. */
  get currentRecord(): StepRecord | undefined {
    return this.work?.record;
  }

  /** The record of the most recent completed step, when it is in the cache (traced runs). */
  get latestRecord(): StepRecord | undefined {
    return this.recordCache.get(this.completedSteps);
  }

  /** The record of the step the last update completed (kept even when untraced: losses, batch). */
  get lastCompleted(): StepRecord | undefined {
    return this.finishedWork;
  }

  /** ‖∂J/∂θ‖₂ of the most recent completed step. */
  get gradNorm(): number {
    return this.lastGradNorm;
  }

  /** Epoch-end figures for train/validation, and requested evaluations, oldest first. */
  get evaluations(): readonly Evaluation[] {
    return this.evaluationLog;
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
    const snapshot = this.optimizer.snapshot();
    this.optimizer = this.newOptimizer();
    this.optimizer.restore(snapshot);
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
    return brokenDerivativeProblem(this.net, this.model.loss, broken);
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
    const phase = this.nextPhase();
    if (!this.work) this.work = this.beginStep();
    const problem = this.runPhase(phase, this.work);
    const finished = phase.kind === 'update' ? this.finishStep() : undefined;
    if (!finished) this.opIndex++;
    this.emit({ type: 'op', phase, position: this.position, record: finished?.record ?? this.work!.record });
    if (finished) this.emit({ type: 'step', record: finished.record, position: this.position });
    if (finished?.epochFigures) this.emit({ type: 'epoch', evaluations: finished.epochFigures });
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

  /** Runs until a condition holds (Continue). NaN/±Infinity ends the run with reason 'non-finite' instead of throwing. */
  runUntil(condition: RunCondition): StopReason {
    if (condition.steps === undefined && !condition.toEpochEnd) {
      throw new RangeError('runUntil needs a bound: "steps" or "toEpochEnd"');
    }
    let stepsLeft = condition.steps ?? Infinity;
    const startEpoch = this.epoch;
    let first = true;
    try {
      while (stepsLeft > 0) {
        if (!first && condition.breakpoint) {
          const phase = this.nextPhase();
          if (condition.breakpoint(phase, this.position)) return { kind: 'breakpoint', phase };
        }
        first = false;
        const phase = this.stepOp();
        if (phase.kind !== 'update') continue;
        stepsLeft--;
        const loss = this.finishedWork!.loss!;
        if (condition.lossBelow !== undefined && loss < condition.lossBelow) return { kind: 'loss-below', loss };
        if (condition.gradNormAbove !== undefined && this.lastGradNorm > condition.gradNormAbove) {
          return { kind: 'grad-norm-above', gradNorm: this.lastGradNorm };
        }
        if (condition.toEpochEnd && this.epoch !== startEpoch) return { kind: 'epoch-end', epoch: startEpoch };
      }
      return { kind: 'steps' };
    } catch (error) {
      if (error instanceof NonFiniteError) return { kind: 'non-finite', error };
      throw error;
    }
  }

  /** Finishes the current epoch. */
  runEpoch(): StopReason {
    return this.runUntil({ toEpochEnd: true });
  }

  // ---- moving back

  /** Back to step 0 with the initial weights and a fresh generator. */
  reset(): void {
    this.build();
    this.startFromScratch();
    this.emit({ type: 'moved', position: this.position });
  }

  /**
   * Moves to the state after `completedSteps` steps and `opIndex` operations of the next one,
   * exactly as it was reached the first time (restores the nearest checkpoint and replays).
   */
  goTo(completedSteps: number, opIndex = 0): void {
    if (!Number.isInteger(completedSteps) || completedSteps < 0) {
      throw new RangeError(`step must be a whole number ≥ 0, got ${completedSteps}`);
    }
    if (!Number.isInteger(opIndex) || opIndex < 0 || opIndex >= this.opsPerStep) {
      throw new RangeError(`operation must be in 0..${this.opsPerStep - 1}, got ${opIndex}`);
    }
    const ahead = completedSteps > this.completedSteps || (completedSteps === this.completedSteps && opIndex >= this.opIndex);
    if (!ahead || this.failure) this.restore(this.checkpoints.atOrBefore(completedSteps));
    this.quiet++;
    try {
      // Whole steps replay unrecorded (their records, if still wanted, are in the cache or recomputed
      // on request); the operations of the target step are recorded so its partial record is there.
      this.replaying = this.completedSteps < completedSteps;
      while (this.completedSteps < completedSteps) this.stepOp();
      this.replaying = false;
      while (this.opIndex < opIndex) this.stepOp();
    } catch (error) {
      // Going back to just after the operation that failed replays the failure: that is the state there.
      if (!(error instanceof NonFiniteError && this.completedSteps === completedSteps && this.opIndex === opIndex)) throw error;
    } finally {
      this.replaying = false;
      this.quiet--;
    }
    this.emit({ type: 'moved', position: this.position });
  }

  /** Back one operation; false at step 0 before any operation. */
  stepBackOp(): boolean {
    if (this.opIndex > 0) this.goTo(this.completedSteps, this.opIndex - 1);
    else if (this.completedSteps > 0) this.goTo(this.completedSteps - 1, this.opsPerStep - 1);
    else return false;
    return true;
  }

  /** Back to the start of the step in progress, or of the previous step; false at step 0. */
  stepBack(): boolean {
    if (this.opIndex > 0) this.goTo(this.completedSteps, 0);
    else if (this.completedSteps > 0) this.goTo(this.completedSteps - 1, 0);
    else return false;
    return true;
  }

  /**
   * The latest position before the current one at which `accept` (asked with the phase just done,
   * the machine standing right after it) is true, or undefined. Replays one checkpoint interval at
   * a time, newest first, quietly and recorded; leaves the machine somewhere in the searched range
   * (the caller goes to the position it wants).
   */
  latestBefore(accept: (phase: Phase) => boolean): { completedSteps: number; opIndex: number } | undefined {
    const ops = this.opsPerStep;
    // Positions count operations done since step 0; those below `end` are still to search.
    let end = this.completedSteps * ops + this.opIndex;
    const wasTracing = this.options.trace;
    this.setTracing(true);
    this.quiet++;
    try {
      while (end > 1) {
        // Position p is reached by the operation of step floor((p − 1) / ops); p = end − 1 is the newest.
        const start = this.checkpoints.atOrBefore(Math.floor((end - 2) / ops));
        this.restore(start);
        let found: number | undefined;
        for (let position = start.completedSteps * ops + 1; position < end; position++) {
          if (accept(this.stepOp())) found = position;
        }
        if (found !== undefined) return { completedSteps: Math.floor(found / ops), opIndex: found % ops };
        end = start.completedSteps * ops + 1;
      }
      return undefined;
    } finally {
      this.quiet--;
      this.setTracing(wasTracing);
    }
  }

  // ---- records and evaluations

  /**
   * The record of completed step `step` (1-based): from the cache, or recomputed by replaying to it
   * and returning to the current position (results are bit-identical either way).
   */
  record(step: number): StepRecord {
    return this.records(step, step)[0];
  }

  /**
   * The records of completed steps from..through (1-based, in order), exactly as they were first
   * made: one replay from the checkpoint before `from`, then back to the current position. Ranges
   * in the record cache cost nothing.
   */
  records(from: number, through: number): StepRecord[] {
    for (const step of [from, through]) {
      if (!Number.isInteger(step) || step < 1 || step > this.completedSteps) {
        throw new RangeError(`step ${step} has not been completed (completed steps: ${this.completedSteps})`);
      }
    }
    const cached = Array.from({ length: through - from + 1 }, (_, i) => this.recordCache.get(from + i));
    if (cached.every((record) => record !== undefined)) return cached as StepRecord[];
    const here = { completedSteps: this.completedSteps, opIndex: this.opIndex };
    const wasTracing = this.options.trace;
    this.setTracing(true);
    this.quiet++;
    try {
      this.goTo(from - 1);
      const out: StepRecord[] = [];
      while (this.completedSteps < through) out.push(this.step());
      this.goTo(here.completedSteps, here.opIndex);
      return out;
    } finally {
      this.quiet--;
      this.setTracing(wasTracing);
    }
  }

  /** The DESIGN.md §3 trace of completed step `step`. */
  trace(step: number): StepTrace {
    return toStepTrace(this.record(step));
  }

  /** Loss (and accuracy) of the current weights on one split; for 'test' this is the only way in. */
  evaluate(split: SplitName): Evaluation {
    const evaluation = this.measure(split, 'request');
    this.evaluationLog.push(evaluation);
    return evaluation;
  }

  // ---- internals

  private emit(event: TrainerEvent): void {
    if (this.quiet > 0) return;
    for (const listener of this.listeners) listener(event);
  }

  private newOptimizer(): Optimizer {
    return createOptimizer(this.model.optimizer, { names: this.names, sizes: this.params.map((p) => p.length) }, { recordState: this.options.trace });
  }

  /** Generator, network and optimizer as the model file defines them at step 0. */
  private build(): void {
    this.rng = new Rng(this.model.seed ?? 0);
    this.net = createNetwork(this.model, this.rng);
    if (this.broken) {
      const problem = this.brokenDerivativeProblem(this.broken);
      if (problem) throw new Error(problem);
      breakDerivative(this.net, this.model.loss, this.broken);
    }
    this.params = parameters(this.net);
    this.names = parameterNames(this.net);
    this.optimizer = this.newOptimizer();
    this.objective = undefined;
    if (this.optimizer.fullBatch) {
      const train = this.data.split.train;
      const { x, y } = gatherRows(this.data.dataset, train);
      this.objective = createObjective(this.net, this.lossSpec, { x, y, rows: train.length });
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
    this.evaluationLog = [];
    this.recordCache.clear();
    this.order = epochOrder(this.plan, this.rng);
    this.checkpoints = new CheckpointStore(this.options.checkpointInterval, this.options.maxCheckpoints);
    this.checkpoints.add(this.checkpoint());
  }

  private checkpoint(): Checkpoint {
    return {
      completedSteps: this.completedSteps,
      epoch: this.epoch,
      batchIndex: this.batchIndex,
      order: this.order.slice(),
      params: this.params.map((p) => p.slice()),
      optimizer: this.optimizer.snapshot(),
      rng: this.rng.getState(),
    };
  }

  private restore(c: Checkpoint): void {
    setParameters(this.net, c.params);
    this.optimizer.restore(c.optimizer);
    this.rng.setState(c.rng);
    this.completedSteps = c.completedSteps;
    this.epoch = c.epoch;
    this.batchIndex = c.batchIndex;
    this.order = c.order.slice();
    this.opIndex = 0;
    this.work = undefined;
    this.failure = undefined;
    this.finishedWork = undefined;
    // Epoch-end figures after the checkpoint come back as the replay passes them.
    this.evaluationLog = this.evaluationLog.filter((e) => e.trigger === 'request' || e.step <= c.completedSteps);
  }

  private get recording(): boolean {
    return this.options.trace && !this.replaying;
  }

  private beginStep(): StepWork {
    const arena = this.arenas.arena(stepSize(this.net, this.plan.size, this.data.dataset.outputs, this.recording));
    const { batch, x, y, rows } = this.nextBatch(arena.take);
    const layers: LayerRecord[] = this.net.layers.map((layer, l) =>
      this.recording
        ? newLayerRecord(layer, l, rows, arena.take)
        : { index: l, units: layer.units, inputs: layer.inputs, activation: layer.activation, rows, weights: layer.weights, bias: layer.bias },
    );
    return {
      record: { step: this.completedSteps + 1, epoch: this.epoch, batch, layers },
      rows, x, y, arena,
      forwards: new Array(this.layerCount),
      grads: new Array(2 * this.layerCount),
    };
  }

  /** Runs one operation on the step in progress; returns where it first produced NaN/±Infinity, if it did. */
  private runPhase(phase: Phase, w: StepWork): NonFiniteDetail | undefined {
    const { record } = w;
    switch (phase.kind) {
      case 'forward': {
        const l = phase.layer;
        const input = l === 0 ? w.x : w.forwards[l - 1].a;
        const pass = forwardLayer(this.net.layers[l], input, w.rows, w.arena.take);
        w.forwards[l] = pass;
        recordForward(record.layers[l], pass);
        return this.watchRows(phase, l, 'z', pass.z, w) ?? this.watchRows(phase, l, 'a', pass.a, w);
      }
      case 'loss': {
        const last = this.layerCount - 1;
        const out = outputLoss(this.net, this.lossSpec, w.forwards[last], w.y, w.arena.take);
        record.loss = out.loss;
        record.dataLoss = out.dataLoss;
        record.regLoss = out.regLoss;
        record.layers[last].upstream = out.upstream;
        w.upstream = out.upstream;
        w.outputDelta = out.delta;
        if (!Number.isFinite(out.dataLoss)) {
          const row = firstNonFinite(out.perSample);
          return this.detail(phase, last, 'dataLoss', out.dataLoss, row >= 0 ? { row, sample: record.batch[row] } : {});
        }
        if (!Number.isFinite(out.regLoss)) return this.detail(phase, last, 'regLoss', out.regLoss, {});
        return undefined;
      }
      case 'backward': {
        const l = phase.layer;
        const back = backwardLayer(this.net.layers[l], w.forwards[l], w.upstream!, {
          delta: l === this.layerCount - 1 ? w.outputDelta : undefined,
          regularization: this.regularization,
          recordLocalGrad: this.recording,
          downstream: l > 0,
          allocate: w.arena.take,
        });
        recordBackward(record.layers[l], back);
        w.grads[2 * l] = back.gradWeights;
        w.grads[2 * l + 1] = back.gradBias;
        if (back.downstream) {
          w.upstream = back.downstream;
          record.layers[l - 1].upstream = back.downstream;
        }
        return (
          this.watchRows(phase, l, 'delta', back.delta, w) ??
          this.watchWeights(phase, l, 'gradWeights', back.gradWeights) ??
          this.watchWeights(phase, l, 'gradBias', back.gradBias)
        );
      }
      case 'update':
        return this.update(phase, w);
    }
  }

  private update(phase: Phase, w: StepWork): NonFiniteDetail | undefined {
    const report = this.optimizer.step(this.params, w.grads, this.objective, w.arena.take);
    const { record } = w;
    let sumSquares = 0;
    for (const g of w.grads) for (let i = 0; i < g.length; i++) sumSquares += g[i] * g[i];
    this.lastGradNorm = Math.sqrt(sumSquares);
    if (this.recording) {
      const names = this.names;
      const allocate = w.arena.take;
      this.net.layers.forEach((layer, l) => {
        const r = record.layers[l];
        r.weightsAfter = copyWith(allocate, layer.weights);
        r.biasAfter = copyWith(allocate, layer.bias);
        r.updateWeights = addedStep(report.state[names[2 * l]], r.weights, r.weightsAfter, allocate);
        r.updateBias = addedStep(report.state[names[2 * l + 1]], r.bias, r.biasAfter, allocate);
      });
      record.lossAfter = batchLoss(this.net, this.lossSpec, w.x, w.y, w.rows, this.lossAfterScratch(w.rows));
      record.optimizer = { type: this.optimizer.type, state: report.state };
    }
    for (let l = 0; l < this.layerCount; l++) {
      const problem =
        this.watchWeights(phase, l, 'weights', this.net.layers[l].weights) ??
        this.watchWeights(phase, l, 'bias', this.net.layers[l].bias);
      if (problem) return problem;
    }
    return undefined;
  }

  /** Step bookkeeping after the update: position, epoch end, checkpoint, record cache. */
  private finishStep(): { record: StepRecord; epochFigures?: Evaluation[] } {
    const record = this.work!.record;
    this.work = undefined;
    this.finishedWork = record;
    this.completedSteps++;
    this.opIndex = 0;
    if (this.recording) this.recordCache.set(record.step, record);
    this.batchIndex++;
    let epochFigures: Evaluation[] | undefined;
    if (this.batchIndex === this.plan.batchesPerEpoch) {
      if (this.options.evaluateEpochs) {
        epochFigures = (['train', 'validation'] as const)
          .filter((split) => this.data.split[split].length > 0)
          .map((split) => this.measure(split, 'epoch-end'));
        this.evaluationLog.push(...epochFigures);
      }
      this.epoch++;
      this.batchIndex = 0;
      this.order = epochOrder(this.plan, this.rng);
    }
    if (this.checkpoints.wants(this.completedSteps)) this.checkpoints.add(this.checkpoint());
    return { record, epochFigures };
  }

  /** The lossAfter scratch, reset and large enough for a forward pass of `rows` samples. */
  private lossAfterScratch(rows: number): Allocate {
    const size = rows + this.net.layers.reduce((sum, layer) => sum + 2 * rows * layer.units, 0);
    if (this.lossAfterArena.capacity < size) this.lossAfterArena = new Arena(size);
    this.lossAfterArena.reset();
    return this.lossAfterArena.take;
  }

  private measure(split: SplitName, trigger: Evaluation['trigger']): Evaluation {
    const indices = this.data.split[split];
    if (indices.length === 0) throw new RangeError(`the ${split} split is empty: give "split.${split}" a share of the data`);
    const figures = evaluateRows(this.net, this.lossSpec, this.data.dataset, indices);
    // At an epoch end the counter has not moved on yet, so this is the epoch that just ended.
    return { split, step: this.completedSteps, epoch: this.epoch, trigger, ...figures };
  }

  private detail(
    phase: Phase, layer: number, quantity: WatchedQuantity, value: number, where: Partial<NonFiniteDetail>,
  ): NonFiniteDetail {
    return { step: this.completedSteps + 1, epoch: this.epoch, phase, layer, quantity, value, ...where };
  }

  /** rows × units arrays (z, a, δ): names the batch row and the unit. */
  private watchRows(phase: Phase, layer: number, quantity: WatchedQuantity, values: Float64Array, w: StepWork) {
    const i = firstNonFinite(values);
    if (i < 0) return undefined;
    const units = this.net.layers[layer].units;
    const row = Math.floor(i / units);
    return this.detail(phase, layer, quantity, values[i], { unit: i % units, row, sample: w.record.batch[row] });
  }

  /** units × inputs arrays (W, ∂J/∂W) or per-unit arrays (b, ∂J/∂b): names the unit and the input. */
  private watchWeights(phase: Phase, layer: number, quantity: WatchedQuantity, values: Float64Array) {
    const i = firstNonFinite(values);
    if (i < 0) return undefined;
    const { units, inputs } = this.net.layers[layer];
    if (values.length === units) return this.detail(phase, layer, quantity, values[i], { unit: i });
    return this.detail(phase, layer, quantity, values[i], { unit: Math.floor(i / inputs), input: i % inputs });
  }
}

/**
 * What the update added to a parameter: the optimizer's own `step` report when it gives one
 * (exactly the number added), else after − before. The report is not copied: the optimizer
 * never writes it again (the record keeps it as optimizer.state too), and reusing optimizers
 * put it in the step's arena.
 */
function addedStep(report: unknown, before: Float64Array, after: Float64Array, allocate: Allocate): Float64Array {
  const step = (report as { step?: unknown } | undefined)?.step;
  if (step instanceof Float64Array && step.length === after.length) return step;
  const out = allocate(after.length);
  for (let i = 0; i < out.length; i++) out[i] = after[i] - before[i];
  return out;
}

/**
 * Numbers one step's arena should hold for batches of up to `rows` samples: x and y; per layer
 * z, a and δ (∂J/∂a of a hidden layer is the ∂J/∂input of the layer above), ∂J/∂input below the
 * top, the gradients; ∂J/∂a and the per-sample losses at the output; when recording also the
 * local gradient, the weights before and after, and the update. Anything beyond it is allocated separately.
 */
function stepSize(net: Network, rows: number, outputs: number, recording: boolean): number {
  let size = rows * (net.inputs + 2 * outputs + 1);
  net.layers.forEach((layer, l) => {
    const { units, inputs, activation } = layer;
    const parameterCount = units * inputs + units;
    size += 3 * rows * units + parameterCount + (l > 0 ? rows * inputs : 0);
    if (recording) size += localGradientLength(activation, rows, units) + 3 * parameterCount;
  });
  return size;
}
