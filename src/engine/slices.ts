// Long work on the extension host (runs, replays of old steps) goes in slices with a yield to the
// event loop between them, so the views, Pause and the debugger stay responsive meanwhile.

/** How long a slice works before it yields to the event loop. */
export const SLICE_MS = 12;

/** Resolves after `ms` milliseconds, or at the event loop's next turn when `ms` is 0. */
export function yieldToEventLoop(ms = 0): Promise<void> {
  return new Promise((resolve) => (ms > 0 ? setTimeout(resolve, ms) : setImmediate(resolve)));
}
