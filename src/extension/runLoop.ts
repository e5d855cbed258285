// The one run loop (DESIGN.md §1: only the session moves its engine). Every forward move of a
// session's trainer, whoever asks for it (the inspector's Step, Step Into, Run, Run Until, Go To
// Step; the debugger's Step In, Step Over, Step Out, Continue with its breakpoints and filters),
// is one call of `runLoop`: operation by operation, checking the caller's conditions after each,
// yielding to the event loop between slices so Pause and the views stay responsive.
import type { Phase } from '../engine/types';
import { NonFiniteError } from '../engine/nonFinite';
import type { Trainer } from '../engine/trainer';
import type { RunUntil } from '../protocol/messages';

/** Who moves a session: one at a time (see TrainingSession.advance). */
export type Mover = 'inspector' | 'debugger';

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
  | { kind: 'watched' }
  | Refusal;

/** Another mover is moving the session; nothing moved. */
export interface Refusal {
  kind: 'refused';
  by: Mover;
}

/** What a caller can do to a long move while it runs. */
export interface RunControl {
  isCancellationRequested?: () => boolean;
  /** Told after every step of the run, e.g. to move a progress bar. */
  onStep?: (stepsDone: number) => void;
}

export interface AdvanceRequest extends RunControl {
  mover: Mover;
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
  /** Safety bound on the steps of one move (a step in progress counts as one); none by default. */
  maxSteps?: number;
  /**
   * Asked after every operation with the phase just done (the debugger's targets, breakpoints and
   * filters); true stops the move there. Every operation of such a move is traced, since the
   * question may read any of it.
   */
  afterOperation?: (phase: Phase) => boolean;
}

/** How long a move works before it yields to the event loop (keeps the UI responsive). */
const SLICE_MS = 12;

/**
 * Moves `trainer` forward as `request` says until a condition holds, `shouldPause()` turns true,
 * the caller cancels or the step bound is reached. `stepsPerSecond()` is read at every yield, so
 * the speed can change while running. Tracing is switched per step and back on at the end.
 */
export async function runLoop(trainer: Trainer, request: AdvanceRequest, stepsPerSecond: () => number, shouldPause: () => boolean): Promise<RunOutcome> {
  try {
    return await loop(trainer, request, stepsPerSecond, shouldPause);
  } finally {
    trainer.setTracing(true);
  }
}

async function loop(trainer: Trainer, request: AdvanceRequest, stepsPerSecond: () => number, shouldPause: () => boolean): Promise<RunOutcome> {
  const { until, afterOperation } = request;
  const startEpoch = trainer.position.epoch;
  const maxSteps = request.maxSteps ?? Infinity;
  const stepLimit = until?.kind === 'steps' ? Math.min(until.value, maxSteps) : maxSteps;
  const speed = () => (request.fullSpeed ? 0 : stepsPerSecond());
  let done = 0;
  for (;;) {
    const sliceStart = Date.now();
    const timeUp = () => Date.now() - sliceStart >= SLICE_MS;
    let sliceOver = false;
    // At full speed only the slice's last step (time is up, or the move's last step) is traced: it
    // is the one the screen shows. A step begun traced is finished traced.
    let tracedStep = false;
    do {
      if (shouldPause()) return { kind: 'paused' };
      if (request.isCancellationRequested?.()) return { kind: 'cancelled' };
      if (done >= stepLimit) return until?.kind === 'steps' ? { kind: 'condition', reason: { kind: 'steps' } } : { kind: 'limit', steps: done };
      if (trainer.position.opIndex === 0) {
        tracedStep = afterOperation !== undefined || speed() > 0 || done + 1 >= stepLimit || timeUp();
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
        done++;
        request.onStep?.(done);
      }
      if (afterOperation?.(phase)) return { kind: 'watched' };
      if (stepDone) {
        const reason = stepCondition(trainer, until, request.toEpochEnd ? startEpoch : undefined);
        if (reason) return { kind: 'condition', reason };
      }
      sliceOver = afterOperation !== undefined ? timeUp() : stepDone && tracedStep;
    } while (!sliceOver);
    const perSecond = speed();
    await yieldToEventLoop(perSecond > 0 ? Math.max(0, 1000 / perSecond - (Date.now() - sliceStart)) : 0);
  }
}

/** The run-until condition that holds after the step just completed, if any. */
function stepCondition(trainer: Trainer, until: RunUntil | undefined, epochToEnd: number | undefined): ConditionMet | undefined {
  if (until?.kind === 'lossBelow') {
    const loss = trainer.lastCompleted!.loss!;
    if (loss < until.value) return { kind: 'loss-below', loss };
  }
  if (until?.kind === 'gradNormAbove' && trainer.gradNorm > until.value) return { kind: 'grad-norm-above', gradNorm: trainer.gradNorm };
  if (epochToEnd !== undefined && trainer.position.epoch !== epochToEnd) return { kind: 'epoch-end', epoch: epochToEnd };
  return undefined;
}

function yieldToEventLoop(ms: number): Promise<void> {
  return new Promise((resolve) => (ms > 0 ? setTimeout(resolve, ms) : setImmediate(resolve)));
}
