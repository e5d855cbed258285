// The one run loop (DESIGN.md §1: only the session moves its engine). Every forward move of a
// trainer over more than one operation, whoever asks for it (the inspector's Step, Step Into, Run,
// Run Until, Go To Step; the debugger's Step In, Step Over, Step Out, Continue with its breakpoints
// and filters, through TrainingSession.advance; the CLI's `run` and `evaluate`), is one call of
// `runLoop` or `runLoopSync`: operation by operation, checking the caller's conditions after each.
// `runLoop` yields to the event loop between slices so Pause and the views stay responsive;
// `runLoopSync` is the same loop for callers with nothing else to serve (the CLI).
import type { Phase } from './types';
import { NonFiniteError } from './nonFinite';
import type { Trainer } from './trainer';
import { SLICE_MS, yieldToEventLoop } from './slices';

/** Run until: a loss below a value, a gradient norm above one, a number of steps, or NaN/±Infinity. */
export type RunCondition =
  | { kind: 'lossBelow'; value: number }
  | { kind: 'gradNormAbove'; value: number }
  | { kind: 'steps'; value: number }
  | { kind: 'nan' };

/** The condition that ended a run: its step count, its epoch's end, or the run-until test. */
export type ConditionMet =
  | { kind: 'steps' }
  | { kind: 'epoch-end'; epoch: number }
  | { kind: 'loss-below'; loss: number }
  | { kind: 'grad-norm-above'; gradNorm: number };

export type RunOutcome =
  | { kind: 'condition'; reason: ConditionMet }
  | { kind: 'paused' }
  | { kind: 'cancelled' }
  | { kind: 'limit'; steps: number }
  | { kind: 'non-finite'; error: NonFiniteError }
  /** The caller's `afterOperation` asked to stop. */
  | { kind: 'watched' };

/** What a caller can do to a long move while it runs. */
export interface RunControl {
  isCancellationRequested?: () => boolean;
  /** Told after every step of the run, e.g. to move a progress bar. */
  onStep?: (stepsDone: number) => void;
}

export interface RunRequest extends RunControl {
  /**
   * As fast as possible whatever the pace: steps train untraced, except the last one of each
   * slice and of the move, so whatever the screen shows meanwhile is a complete record.
   */
  fullSpeed?: boolean;
  until?: RunCondition;
  /** Stops after one epoch ends. */
  toEpochEnd?: boolean;
  /** Safety bound on the steps of one move (a step in progress counts as one); none by default. */
  maxSteps?: number;
  /**
   * Asked after every operation with the phase just done (the debugger's targets, breakpoints and
   * filters); true stops the move there. Every operation of such a move is traced, since the
   * question may read any of it.
   */
  afterOperation?: (phase: Phase) => boolean;
}

/**
 * Moves `trainer` forward as `request` says until a condition holds, `shouldPause()` turns true,
 * the caller cancels or the step bound is reached, yielding to the event loop between slices.
 * `stepsPerSecond()` (0: as fast as possible) is read at every yield, so the speed can change
 * while running. Tracing is switched per step and back on at the end.
 */
export async function runLoop(trainer: Trainer, request: RunRequest, stepsPerSecond: () => number, shouldPause: () => boolean): Promise<RunOutcome> {
  const speed = () => (request.fullSpeed ? 0 : stepsPerSecond());
  const run = new Run(trainer, request);
  try {
    for (;;) {
      const sliceStart = Date.now();
      const outcome = run.slice(sliceStart, speed() > 0, shouldPause);
      if (outcome) return outcome;
      const perSecond = speed();
      await yieldToEventLoop(perSecond > 0 ? Math.max(0, 1000 / perSecond - (Date.now() - sliceStart)) : 0);
    }
  } finally {
    trainer.setTracing(true);
  }
}

/**
 * The same loop without yielding, for a caller with nothing else to serve (the CLI): every step
 * is traced unless `request.fullSpeed`. Returns when a condition holds, the caller cancels or the
 * step bound is reached.
 */
export function runLoopSync(trainer: Trainer, request: RunRequest): RunOutcome {
  const run = new Run(trainer, request);
  try {
    for (;;) {
      const outcome = run.slice(Date.now(), !request.fullSpeed, () => false);
      if (outcome) return outcome;
    }
  } finally {
    trainer.setTracing(true);
  }
}

/** One move in progress: its request and how far it has come. */
class Run {
  private readonly startEpoch: number;
  private readonly stepLimit: number;
  private done = 0;

  constructor(
    private readonly trainer: Trainer,
    private readonly request: RunRequest,
  ) {
    this.startEpoch = trainer.position.epoch;
    const maxSteps = request.maxSteps ?? Infinity;
    this.stepLimit = request.until?.kind === 'steps' ? Math.min(request.until.value, maxSteps) : maxSteps;
  }

  /**
   * Moves until the slice is over (undefined: the caller may yield, then call again) or the move
   * ends (its outcome). `traceEveryStep`: a paced run traces every step it shows.
   */
  slice(sliceStart: number, traceEveryStep: boolean, shouldPause: () => boolean): RunOutcome | undefined {
    const { trainer, request, stepLimit } = this;
    const { until, afterOperation } = request;
    const timeUp = () => Date.now() - sliceStart >= SLICE_MS;
    let sliceOver = false;
    // At full speed only the slice's last step (time is up, or the move's last step) is traced: it
    // is the one the screen shows. A step begun traced is finished traced.
    let tracedStep = false;
    do {
      if (shouldPause()) return { kind: 'paused' };
      if (request.isCancellationRequested?.()) return { kind: 'cancelled' };
      if (this.done >= stepLimit) return until?.kind === 'steps' ? { kind: 'condition', reason: { kind: 'steps' } } : { kind: 'limit', steps: this.done };
      if (trainer.position.opIndex === 0) {
        tracedStep = afterOperation !== undefined || traceEveryStep || this.done + 1 >= stepLimit || timeUp();
        trainer.setTracing(tracedStep);
      }
      let phase: Phase;
      try {
        phase = trainer.stepOp();
      } catch (error) {
        if (error instanceof NonFiniteError) return { kind: 'non-finite', error };
        throw error;
      }
      const stepDone = phase.kind === 'update';
      if (stepDone) {
        this.done++;
        request.onStep?.(this.done);
      }
      if (afterOperation?.(phase)) return { kind: 'watched' };
      if (stepDone) {
        const reason = stepCondition(trainer, until, request.toEpochEnd ? this.startEpoch : undefined);
        if (reason) return { kind: 'condition', reason };
      }
      sliceOver = afterOperation !== undefined ? timeUp() : stepDone && tracedStep;
    } while (!sliceOver);
    return undefined;
  }
}

/** The run-until condition that holds after the step just completed, if any. */
function stepCondition(trainer: Trainer, until: RunCondition | undefined, epochToEnd: number | undefined): ConditionMet | undefined {
  if (until?.kind === 'lossBelow') {
    const loss = trainer.lastCompleted!.loss!;
    if (loss < until.value) return { kind: 'loss-below', loss };
  }
  if (until?.kind === 'gradNormAbove' && trainer.gradNorm > until.value) return { kind: 'grad-norm-above', gradNorm: trainer.gradNorm };
  if (epochToEnd !== undefined && trainer.position.epoch !== epochToEnd) return { kind: 'epoch-end', epoch: epochToEnd };
  return undefined;
}
