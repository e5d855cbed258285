// Stepping back with bounded memory (DESIGN.md §2). Training is deterministic, so any earlier
// state is "the nearest checkpoint at or before it, replayed forward". Checkpoints come in two
// levels. Coarse ones are taken at step boundaries every `interval` steps; when there are more
// than the store holds, the interval doubles and every other one is dropped, so memory stays
// bounded however long training runs and going to any step replays at most one interval. Fine
// ones split the interval last trained or replayed through into FINE_PER_INTERVAL parts, so
// pressing Step Back again and again (and fetching neighbouring old records) replays at most
// one part. The History moves the step machine (trainer.ts) back, to any step, and searches back
// through what it did; the moves and record fetches a front end makes replay on a second machine
// in slices that yield to the event loop, and this machine jumps to the result at the end.
import type { Phase, StepRecord } from './types';
import { NonFiniteError } from './nonFinite';
import { REPLAY_SLICE_MS, SliceClock } from './slices';
import { countAtOrBefore } from './stepOrder';

/** Everything that determines the future of a training run at a step boundary. */
export interface Checkpoint {
  completedSteps: number;
  epoch: number; // 1-based epoch of the next step
  batchIndex: number; // 0-based batch of the next step within its epoch
  orderRng: number[]; // Rng state this epoch's visiting order was drawn from (the order is redrawn on restore)
  params: Float64Array[]; // copies, in parameters() order
  optimizer: unknown; // Optimizer.snapshot()
  rng: number[]; // Rng.getState()
}

/** Fine checkpoints per coarse interval (in the one interval they cover at a time). */
export const FINE_PER_INTERVAL = 16;

export interface CheckpointLimits {
  /** Steps between coarse checkpoints at first; the spacing doubles as they pile up. */
  initialInterval: number;
  /** Most coarse checkpoints kept at once. */
  maxCheckpoints: number;
  /** Most bytes all checkpoints (coarse and fine) may take; fewer coarse ones are kept for a big model. */
  maxBytes: number;
}

export class CheckpointStore {
  private coarse: Checkpoint[] = [];
  private interval: number;
  /** Fine checkpoints, all inside the coarse interval starting at `fineBase` (sorted). */
  private fine: Checkpoint[] = [];
  private fineBase = -1;
  /** Coarse checkpoints the byte budget allows, known from the first checkpoint's size. */
  private coarseLimit: number;
  private bytesPerCheckpoint = 0;

  constructor(private readonly limits: CheckpointLimits) {
    if (!(limits.initialInterval >= 1) || !(limits.maxCheckpoints >= 2) || !(limits.maxBytes > 0)) {
      throw new RangeError('checkpoint interval must be ≥ 1, the checkpoint limit ≥ 2 and the byte budget > 0');
    }
    this.interval = limits.initialInterval;
    this.coarseLimit = limits.maxCheckpoints;
  }

  get count(): number {
    return this.coarse.length + this.fine.length;
  }

  /** Steps between coarse checkpoints now (the longest replay going to any step). */
  get coarseInterval(): number {
    return this.interval;
  }

  /** Steps between fine checkpoints now (the longest replay stepping back within their interval). */
  get fineInterval(): number {
    return Math.ceil(this.interval / FINE_PER_INTERVAL);
  }

  /** Approximate bytes the checkpoints take now. */
  get bytes(): number {
    return this.count * this.bytesPerCheckpoint;
  }

  /** Whether a checkpoint belongs at this step boundary (and is not stored yet). */
  wants(completedSteps: number): boolean {
    if (completedSteps % this.interval === 0) return !this.has(this.coarse, completedSteps);
    return completedSteps % this.fineInterval === 0 && !this.has(this.fine, completedSteps);
  }

  add(checkpoint: Checkpoint): void {
    if (this.bytesPerCheckpoint === 0) {
      this.bytesPerCheckpoint = approximateBytes(checkpoint);
      const affordable = Math.floor(this.limits.maxBytes / this.bytesPerCheckpoint) - FINE_PER_INTERVAL;
      this.coarseLimit = Math.max(2, Math.min(this.limits.maxCheckpoints, affordable));
    }
    const step = checkpoint.completedSteps;
    if (step % this.interval === 0) {
      insertSorted(this.coarse, checkpoint);
      while (this.coarse.length > this.coarseLimit) {
        this.interval *= 2;
        this.coarse = this.coarse.filter((c) => c.completedSteps % this.interval === 0);
        this.fine = [];
        this.fineBase = -1;
      }
      return;
    }
    const base = step - (step % this.interval);
    if (base !== this.fineBase) {
      this.fine = [];
      this.fineBase = base;
    }
    insertSorted(this.fine, checkpoint);
  }

  /** The latest checkpoint at or before `completedSteps` (step 0 is always kept). */
  atOrBefore(completedSteps: number): Checkpoint {
    const coarse = latestAtOrBefore(this.coarse, completedSteps);
    const fine = latestAtOrBefore(this.fine, completedSteps);
    const best = fine && (!coarse || fine.completedSteps > coarse.completedSteps) ? fine : coarse;
    if (!best) throw new Error(`no checkpoint at or before step ${completedSteps}`);
    return best;
  }

  private has(list: Checkpoint[], completedSteps: number): boolean {
    return latestAtOrBefore(list, completedSteps)?.completedSteps === completedSteps;
  }
}

function latestAtOrBefore(list: Checkpoint[], completedSteps: number): Checkpoint | undefined {
  const count = countAtOrBefore(list, (c) => c.completedSteps, completedSteps);
  return count > 0 ? list[count - 1] : undefined;
}

function insertSorted(list: Checkpoint[], checkpoint: Checkpoint): void {
  let i = list.length;
  while (i > 0 && list[i - 1].completedSteps > checkpoint.completedSteps) i--;
  list.splice(i, 0, checkpoint);
}

/**
 * Bytes a checkpoint or step record holds, roughly: its typed arrays' bytes (an array it refers
 * to twice counted once: a record's update is also its optimizer's report), and 8 bytes for
 * every other value.
 */
function approximateBytes(value: unknown, seen = new Set<unknown>()): number {
  if (value === null || typeof value !== 'object') return 8;
  if (seen.has(value)) return 0;
  seen.add(value);
  if (ArrayBuffer.isView(value)) return value.byteLength;
  return Object.values(value).reduce((sum: number, item) => sum + approximateBytes(item, seen), 8);
}

/**
 * The most recent values by key, oldest evicted first: at most `capacity` of them, and at most
 * `maxBytes` together by the first value's size (approximateBytes, measured once: a machine's
 * records all have its shapes); at least the newest one whatever its size.
 */
export class RecentCache<V> {
  private readonly entries = new Map<number, V>();
  private limit: number | undefined;

  constructor(private readonly capacity: number, private readonly maxBytes = Infinity) {}

  get(key: number): V | undefined {
    return this.entries.get(key);
  }

  set(key: number, value: V): void {
    this.limit ??= Math.max(1, Math.min(this.capacity, Math.floor(this.maxBytes / approximateBytes(value))));
    this.entries.delete(key);
    this.entries.set(key, value);
    while (this.entries.size > this.limit) {
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
  checkpointBytes: number;
  recordCacheSize: number;
  recordCacheBytes: number;
}

/** The history was started over (reset, a new model) while a replay for it was under way. */
export class HistoryRestartedError extends Error {
  constructor() {
    super('training started over while an earlier step was being replayed');
  }
}

/** A newer move was asked for while this one waited or replayed: the newer one wins, this one moves nothing. */
export class MoveSupersededError extends Error {
  constructor() {
    super('a newer move was asked for while this one was being replayed');
  }
}

export class History {
  private checkpoints!: CheckpointStore;
  /** Completed step records kept for instant access; older ones are recomputed by replay. */
  readonly recent: RecentCache<StepRecord>;
  /** The second machine replays in slices run on (built on first use, dropped when training starts over). */
  private replayer: Replayable | undefined;
  /** Sliced replays one at a time: they share the replayer. */
  private replays: Promise<unknown> = Promise.resolve();
  /** Counts starts over, so a replay finishing after one knows its result is stale. */
  private generation = 0;

  constructor(
    private readonly machine: Replayable,
    private readonly options: HistoryOptions,
    private readonly makeReplayer: () => Replayable,
  ) {
    this.recent = new RecentCache(options.recordCacheSize, options.recordCacheBytes);
  }

  /** Forgets everything but the machine's present state, step 0. */
  start(): void {
    this.checkpoints = new CheckpointStore({
      initialInterval: this.options.checkpointInterval, maxCheckpoints: this.options.maxCheckpoints, maxBytes: this.options.checkpointBytes,
    });
    this.checkpoints.add(this.machine.checkpoint());
    this.recent.clear();
    this.replayer = undefined;
    this.generation++;
  }

  /** What the checkpoints cost now: how many, their approximate bytes, and the longest replays they leave. */
  get memory(): { checkpoints: number; bytes: number; coarseInterval: number; fineInterval: number } {
    const c = this.checkpoints;
    return { checkpoints: c.count, bytes: c.bytes, coarseInterval: c.coarseInterval, fineInterval: c.fineInterval };
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
    this.checkTarget(completedSteps, opIndex);
    const here = this.machine.at();
    const ahead = completedSteps > here.completedSteps || (completedSteps === here.completedSteps && opIndex >= here.opIndex);
    if (!ahead || this.machine.failed()) this.machine.restore(this.checkpoints.atOrBefore(completedSteps));
    // Whole steps replay unrecorded (their records, if still wanted, are in the cache or
    // recomputed on request); the operations of the target step are recorded.
    this.finishMove(completedSteps, opIndex, false);
  }

  /**
   * goTo without holding the event loop: the whole steps but the last replay on the second
   * machine in slices that yield while this machine stays where it is; then this machine jumps to
   * that state and does the last step, recorded (its record goes to the cache, for the screen),
   * and the operations of the target step. Rejects with HistoryRestartedError when training
   * starts over meanwhile, leaving this machine as the restart left it, and with
   * MoveSupersededError, having moved nothing, when `superseded()` turns true before it lands.
   */
  goToInSlices(completedSteps: number, opIndex = 0, superseded: () => boolean = () => false): Promise<void> {
    this.checkTarget(completedSteps, opIndex);
    return this.oneReplayAtATime(async (clock) => {
      const landed = await this.replayInSlices(Math.max(0, completedSteps - 1), false, clock);
      await clock.nextIfDue();
      clock.piece(() => {
        this.machine.restore(landed.checkpoint);
        this.finishMove(completedSteps, opIndex, true);
      });
    }, superseded);
  }

  /** record(step) without holding the event loop: replayed on the second machine in slices that yield. */
  recordInSlices(step: number): Promise<StepRecord> {
    this.checkCompleted(step);
    const cached = this.recent.get(step);
    if (cached) return Promise.resolve(cached);
    return this.oneReplayAtATime(async (clock) => {
      const { record } = await this.replayInSlices(step, true, clock);
      this.recent.set(step, record!);
      return record!;
    });
  }

  /** Back one operation: the position to go to, or undefined at step 0 before any operation. */
  positionBeforeOp(): { completedSteps: number; opIndex: number } | undefined {
    const { completedSteps, opIndex } = this.machine.at();
    if (opIndex > 0) return { completedSteps, opIndex: opIndex - 1 };
    if (completedSteps > 0) return { completedSteps: completedSteps - 1, opIndex: this.machine.opsPerStep - 1 };
    return undefined;
  }

  /** Back to the start of the step in progress, or of the previous step: the position, or undefined at step 0. */
  positionBeforeStep(): { completedSteps: number; opIndex: number } | undefined {
    const { completedSteps, opIndex } = this.machine.at();
    if (opIndex > 0) return { completedSteps, opIndex: 0 };
    if (completedSteps > 0) return { completedSteps: completedSteps - 1, opIndex: 0 };
    return undefined;
  }

  private checkTarget(completedSteps: number, opIndex: number): void {
    const ops = this.machine.opsPerStep;
    if (!Number.isInteger(completedSteps) || completedSteps < 0) throw new RangeError(`step must be a whole number ≥ 0, got ${completedSteps}`);
    if (!Number.isInteger(opIndex) || opIndex < 0 || opIndex >= ops) throw new RangeError(`operation must be in 0..${ops - 1}, got ${opIndex}`);
  }

  private checkCompleted(step: number): void {
    const done = this.machine.at().completedSteps;
    if (!Number.isInteger(step) || step < 1 || step > done) throw new RangeError(`step ${step} has not been completed (completed steps: ${done})`);
  }

  /**
   * From a step boundary at or before `completedSteps`: the whole steps to it (unrecorded, or with
   * `recordLast` the last one recorded), the operations of the target step, then the news.
   */
  private finishMove(completedSteps: number, opIndex: number, recordLast: boolean): void {
    this.machine.quietly(() => {
      try {
        this.machine.replayTo(recordLast ? completedSteps - 1 : completedSteps);
        if (this.machine.at().completedSteps < completedSteps) this.machine.step();
        while (this.machine.at().opIndex < opIndex) this.machine.stepOp();
      } catch (error) {
        // Going back to just after the operation that failed replays the failure: that is the state there.
        const at = this.machine.at();
        if (!(error instanceof NonFiniteError && at.completedSteps === completedSteps && at.opIndex === opIndex)) throw error;
      }
    }, recordLast);
    this.machine.announceMove();
  }

  /**
   * Runs `body` when the replays asked before it are done, in slices timed by the clock it gets:
   * each slice starts in a task of its own (a replay never lengthens the task that asked for it,
   * nor the one that ended the replay before), and each rejects the replay with
   * HistoryRestartedError when training started over since it was asked for, or with
   * MoveSupersededError when `superseded()`. So a stale replay stops at its next slice, before it
   * books a checkpoint of the old training in the new history.
   */
  private oneReplayAtATime<T>(body: (clock: SliceClock) => Promise<T>, superseded: () => boolean = () => false): Promise<T> {
    const generation = this.generation;
    const stillWanted = () => {
      if (generation !== this.generation) throw new HistoryRestartedError();
      if (superseded()) throw new MoveSupersededError();
    };
    const result = this.replays.then(async () => {
      const clock = new SliceClock(REPLAY_SLICE_MS, stillWanted);
      await clock.next();
      return body(clock);
    });
    this.replays = result.catch(() => undefined);
    return result;
  }

  /**
   * Brings the second machine to the state after `completedSteps` steps (from where it stands if
   * that is nearer than the nearest checkpoint), whole steps in slices of about REPLAY_SLICE_MS with a
   * yield between them, dropping fine checkpoints on the way; with `record`, the last step is
   * recorded. Returns that state and record.
   */
  private async replayInSlices(completedSteps: number, record: boolean, clock: SliceClock): Promise<{ checkpoint: Checkpoint; record?: StepRecord }> {
    if (!this.replayer) {
      // Its construction is a slice of its own: a big model's takes several milliseconds.
      this.replayer = clock.piece(() => this.makeReplayer());
      await clock.next();
    }
    const replayer = this.replayer!;
    const unrecordedEnd = record ? completedSteps - 1 : completedSteps;
    const nearest = this.checkpoints.atOrBefore(unrecordedEnd);
    const at = replayer.at();
    if (at.opIndex !== 0 || replayer.failed() || at.completedSteps > unrecordedEnd || at.completedSteps < nearest.completedSteps) replayer.restore(nearest);
    for (;;) {
      while (replayer.at().completedSteps < unrecordedEnd && !clock.due) clock.piece(() => this.replayStep(replayer, false));
      if (replayer.at().completedSteps === unrecordedEnd) break;
      await clock.next();
    }
    if (record) await clock.nextIfDue();
    const recorded = record ? clock.piece(() => this.replayStep(replayer, true)) : undefined;
    return { checkpoint: replayer.checkpoint(), record: recorded };
  }

  /** One whole step on the second machine, checkpointed here when this history wants it. */
  private replayStep(replayer: Replayable, record: boolean): StepRecord | undefined {
    let made: StepRecord | undefined;
    if (record) made = replayer.quietly(() => replayer.step(), true);
    else replayer.replayTo(replayer.at().completedSteps + 1);
    const done = replayer.at().completedSteps;
    if (this.checkpoints.wants(done)) this.checkpoints.add(replayer.checkpoint());
    return made;
  }

  /** Back one operation; false at step 0 before any operation. */
  stepBackOp(): boolean {
    const target = this.positionBeforeOp();
    if (target) this.goTo(target.completedSteps, target.opIndex);
    return target !== undefined;
  }

  /** Back to the start of the step in progress, or of the previous step; false at step 0. */
  stepBack(): boolean {
    const target = this.positionBeforeStep();
    if (target) this.goTo(target.completedSteps, target.opIndex);
    return target !== undefined;
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
    for (const step of [from, through]) this.checkCompleted(step);
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
