// The trailing mean of the last `window` values, for losses that are noisy step to step (online
// training: every step's batch is new). Before `window` values have arrived it is the mean of all.
// The sum is taken afresh over the kept values at every push, so no rounding drifts in over a
// long run (a window is a few dozen values).

/** Steps the online loss is averaged over. */
export const ONLINE_LOSS_WINDOW = 20;

export class MovingAverage {
  private readonly kept: number[] = [];

  constructor(readonly window: number) {
    if (!Number.isInteger(window) || window < 1) throw new RangeError(`a moving average needs a window of at least 1 whole value, got ${window}`);
  }

  /** Adds a value and returns the mean of the last `window` values (fewer at the start). */
  push(value: number): number {
    this.kept.push(value);
    if (this.kept.length > this.window) this.kept.shift();
    let sum = 0;
    for (const v of this.kept) sum += v;
    return sum / this.kept.length;
  }
}

/** The moving average at each of values[from..to) (the window reaching back before `from`). */
export function movingAverages(values: ArrayLike<number>, window: number, from: number, to: number): number[] {
  const average = new MovingAverage(window);
  const out: number[] = [];
  for (let i = Math.max(0, from - window + 1); i < to; i++) {
    const mean = average.push(values[i]);
    if (i >= from) out.push(mean);
  }
  return out;
}
