// Stepping back with bounded memory (DESIGN.md §2). Training is deterministic, so any earlier
// state is "the nearest checkpoint at or before it, replayed forward". Checkpoints are taken at
// step boundaries every `interval` steps; when there are more than `maxCheckpoints`, the interval
// doubles and every other one is dropped, so memory stays bounded however long training runs
// while the replay distance grows only logarithmically with it. The History moves the step
// machine (trainer.ts) back, to any step, and searches back through what it did.
import type { Phase, StepRecord } from './types';
import { NonFiniteError } from './nonFinite';

/** Everything that determines the future of a training run at a step boundary. */
export interface Checkpoint {
  completedSteps: number;
  epoch: number; // 1-based epoch of the next step
  batchIndex: number; // 0-based batch of the next step within its epoch
  order: number[]; // this epoch's visiting order of the training split
  params: Float64Array[]; // copies, in parameters() order
  optimizer: unknown; // Optimizer.snapshot()
  rng: number[]; // Rng.getState()
}

export class CheckpointStore {
  private checkpoints: Checkpoint[] = [];
  private interval: number;

  constructor(
    initialInterval: number,
    private readonly maxCheckpoints: number,
  ) {
    if (!(initialInterval >= 1) || !(maxCheckpoints >= 2)) {
      throw new RangeError('checkpoint interval must be ≥ 1 and the checkpoint limit ≥ 2');
    }
    this.interval = initialInterval;
  }

  get count(): number {
    return this.checkpoints.length;
  }

  /** Whether a checkpoint belongs at this step boundary (and is not stored yet). */
  wants(completedSteps: number): boolean {
    return completedSteps % this.interval === 0 && !this.checkpoints.some((c) => c.completedSteps === completedSteps);
  }

  add(checkpoint: Checkpoint): void {
    this.checkpoints.push(checkpoint);
    this.checkpoints.sort((a, b) => a.completedSteps - b.completedSteps);
    while (this.checkpoints.length > this.maxCheckpoints) {
      this.interval *= 2;
      this.checkpoints = this.checkpoints.filter((c) => c.completedSteps % this.interval === 0);
    }
  }

  /** The latest checkpoint at or before `completedSteps` (step 0 is always kept). */
  atOrBefore(completedSteps: number): Checkpoint {
    let best: Checkpoint | undefined;
    for (const c of this.checkpoints) if (c.completedSteps <= completedSteps) best = c;
    if (!best) throw new Error(`no checkpoint at or before step ${completedSteps}`);
    return best;
  }
}

/** The most recent `capacity` values by key, oldest evicted first. */
export class RecentCache<V> {
  private readonly entries = new Map<number, V>();

  constructor(private readonly capacity: number) {}

  get(key: number): V | undefined {
    return this.entries.get(key);
  }

  set(key: number, value: V): void {
    this.entries.delete(key);
    this.entries.set(key, value);
    while (this.entries.size > this.capacity) {
      const oldest = this.entries.keys().next().value as number;
      this.entries.delete(oldest);
    }
  }

  clear(): void {
    this.entries.clear();
  }
}

/** What the history needs of the step machine it moves. */
export interface Replayable {
  readonly opsPerStep: number;
  /** Completed steps and operations of the step in progress. */
  at(): { completedSteps: number; opIndex: number };
  failed(): boolean;
  checkpoint(): Checkpoint;
  restore(checkpoint: Checkpoint): void;
  stepOp(): Phase;
  step(): StepRecord;
  /** Runs whole steps unrecorded until `completedSteps` are done. */
  replayTo(completedSteps: number): void;
  /** Runs `body` with events held back and, when `record` is true, every tensor recorded. */
  quietly<T>(body: () => T, record?: boolean): T;
  /** Tells the machine's listeners it moved (reset, go to, step back). */
  announceMove(): void;
}

export interface HistoryOptions {
  checkpointInterval: number;
  maxCheckpoints: number;
  recordCacheSize: number;
}

export class History {
  private checkpoints: CheckpointStore;
  /** Completed step records kept for instant access; older ones are recomputed by replay. */
  readonly recent: RecentCache<StepRecord>;

  constructor(
    private readonly machine: Replayable,
    private readonly options: HistoryOptions,
  ) {
    this.checkpoints = new CheckpointStore(options.checkpointInterval, options.maxCheckpoints);
    this.recent = new RecentCache(options.recordCacheSize);
  }

  /** Forgets everything but the machine's present state, step 0. */
  start(): void {
    this.checkpoints = new CheckpointStore(this.options.checkpointInterval, this.options.maxCheckpoints);
    this.checkpoints.add(this.machine.checkpoint());
    this.recent.clear();
  }

  /** Books a step the machine just completed (its record, when recorded). */
  completed(record: StepRecord | undefined): void {
    if (record) this.recent.set(record.step, record);
    const { completedSteps } = this.machine.at();
    if (this.checkpoints.wants(completedSteps)) this.checkpoints.add(this.machine.checkpoint());
  }

  /**
   * Moves to the state after `completedSteps` steps and `opIndex` operations of the next one,
   * exactly as it was reached the first time (restores the nearest checkpoint and replays).
   */
  goTo(completedSteps: number, opIndex = 0): void {
    const ops = this.machine.opsPerStep;
    if (!Number.isInteger(completedSteps) || completedSteps < 0) throw new RangeError(`step must be a whole number ≥ 0, got ${completedSteps}`);
    if (!Number.isInteger(opIndex) || opIndex < 0 || opIndex >= ops) throw new RangeError(`operation must be in 0..${ops - 1}, got ${opIndex}`);
    const here = this.machine.at();
    const ahead = completedSteps > here.completedSteps || (completedSteps === here.completedSteps && opIndex >= here.opIndex);
    if (!ahead || this.machine.failed()) this.machine.restore(this.checkpoints.atOrBefore(completedSteps));
    this.machine.quietly(() => {
      try {
        // Whole steps replay unrecorded (their records, if still wanted, are in the cache or
        // recomputed on request); the operations of the target step are recorded.
        this.machine.replayTo(completedSteps);
        while (this.machine.at().opIndex < opIndex) this.machine.stepOp();
      } catch (error) {
        // Going back to just after the operation that failed replays the failure: that is the state there.
        const at = this.machine.at();
        if (!(error instanceof NonFiniteError && at.completedSteps === completedSteps && at.opIndex === opIndex)) throw error;
      }
    });
    this.machine.announceMove();
  }

  /** Back one operation; false at step 0 before any operation. */
  stepBackOp(): boolean {
    const { completedSteps, opIndex } = this.machine.at();
    if (opIndex > 0) this.goTo(completedSteps, opIndex - 1);
    else if (completedSteps > 0) this.goTo(completedSteps - 1, this.machine.opsPerStep - 1);
    else return false;
    return true;
  }

  /** Back to the start of the step in progress, or of the previous step; false at step 0. */
  stepBack(): boolean {
    const { completedSteps, opIndex } = this.machine.at();
    if (opIndex > 0) this.goTo(completedSteps, 0);
    else if (completedSteps > 0) this.goTo(completedSteps - 1, 0);
    else return false;
    return true;
  }

  /** The record of completed step `step` (1-based), bit-identical to when it was made. */
  record(step: number): StepRecord {
    return this.records(step, step)[0];
  }

  /**
   * The records of completed steps from..through (1-based, in order), exactly as they were first
   * made: one replay from the checkpoint before `from`, then back to the current position. Ranges
   * in the record cache cost nothing.
   */
  records(from: number, through: number): StepRecord[] {
    const here = this.machine.at();
    for (const step of [from, through]) {
      if (!Number.isInteger(step) || step < 1 || step > here.completedSteps) {
        throw new RangeError(`step ${step} has not been completed (completed steps: ${here.completedSteps})`);
      }
    }
    const cached = Array.from({ length: through - from + 1 }, (_, i) => this.recent.get(from + i));
    if (cached.every((record) => record !== undefined)) return cached as StepRecord[];
    return this.machine.quietly(() => {
      this.goTo(from - 1);
      const out: StepRecord[] = [];
      while (this.machine.at().completedSteps < through) out.push(this.machine.step());
      this.goTo(here.completedSteps, here.opIndex);
      return out;
    }, true);
  }

  /**
   * The latest position before the current one at which `accept` (asked with the phase just done,
   * the machine standing right after it) is true, or undefined. Replays one checkpoint interval at
   * a time, newest first, quietly and recorded; leaves the machine somewhere in the searched range
   * (the caller goes to the position it wants).
   */
  latestBefore(accept: (phase: Phase) => boolean): { completedSteps: number; opIndex: number } | undefined {
    const ops = this.machine.opsPerStep;
    const here = this.machine.at();
    // Positions count operations done since step 0; those below `end` are still to search.
    let end = here.completedSteps * ops + here.opIndex;
    return this.machine.quietly(() => {
      while (end > 1) {
        // Position p is reached by the operation of step floor((p − 1) / ops); p = end − 1 is the newest.
        const start = this.checkpoints.atOrBefore(Math.floor((end - 2) / ops));
        this.machine.restore(start);
        let found: number | undefined;
        for (let position = start.completedSteps * ops + 1; position < end; position++) {
          if (accept(this.machine.stepOp())) found = position;
        }
        if (found !== undefined) return { completedSteps: Math.floor(found / ops), opIndex: found % ops };
        end = start.completedSteps * ops + 1;
      }
      return undefined;
    }, true);
  }
}
