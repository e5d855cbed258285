// Long work on the extension host (runs, replays of old steps) goes in slices with a yield to the
// event loop between them, so the views, Pause and the debugger stay responsive meanwhile.

/** How long a slice of a run works before it yields to the event loop (and shows its last step). */
export const SLICE_MS = 12;

/**
 * How long a slice of a replay (an old step's record, a move back) works before it yields. Shorter
 * than a run's: a replay has no step to show per slice, and the event loop's longest block is a
 * slice plus the garbage collector's pause that falls in the same turn: a young-generation pause
 * after a replayed stretch measured 3 to 8 ms at a million steps (more on a busy machine), so 4 ms
 * slices keep the two together near 10 ms, inside a 16 ms frame.
 */
export const REPLAY_SLICE_MS = 4;

/** Resolves after `ms` milliseconds, or at the event loop's next turn when `ms` is 0. */
export function yieldToEventLoop(ms = 0): Promise<void> {
  return new Promise((resolve) => (ms > 0 ? setTimeout(resolve, ms) : setImmediate(resolve)));
}

/**
 * Times one piece of long work in slices of about `sliceMs`: a slice is `due` (over) when a piece
 * of work as long as the last one would take it past `sliceMs`; it does one piece at least, so
 * pieces that take longer than that (a big network's steps) get a slice each. next() yields to
 * the event loop and starts the next slice, then calls `resumed`, which may throw to abandon the
 * work (it is no longer wanted).
 */
export class SliceClock {
  private start = performance.now();
  private lastPieceMs = 0;
  private piecesThisSlice = 0;

  constructor(
    private readonly sliceMs: number,
    private readonly resumed: () => void = () => undefined,
  ) {}

  get due(): boolean {
    return this.piecesThisSlice > 0 && performance.now() - this.start + this.lastPieceMs > this.sliceMs;
  }

  /** Runs `work` as one piece of the current slice. */
  piece<T>(work: () => T): T {
    const pieceStart = performance.now();
    this.piecesThisSlice++;
    try {
      return work();
    } finally {
      this.lastPieceMs = performance.now() - pieceStart;
    }
  }

  async next(): Promise<void> {
    await yieldToEventLoop();
    this.start = performance.now();
    this.piecesThisSlice = 0;
    this.resumed();
  }

  /** next() when the current slice is due. */
  async nextIfDue(): Promise<void> {
    if (this.due) await this.next();
  }
}
