// Bounded memory for stepping back (DESIGN.md §2). Training is deterministic, so any earlier
// state is "the nearest checkpoint at or before it, replayed forward". Checkpoints are taken at
// step boundaries every `interval` steps; when there are more than `maxCheckpoints`, the interval
// doubles and every other one is dropped, so memory stays bounded however long training runs
// while the replay distance grows only logarithmically with it.

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

  get spacing(): number {
    return this.interval;
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

  clear(): void {
    this.checkpoints = [];
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

  keys(): number[] {
    return [...this.entries.keys()].sort((a, b) => a - b);
  }

  clear(): void {
    this.entries.clear();
  }
}
