// A live PyTorch session in the inspector (issue 14): a TraceSession over the steps the recorder
// has completed so far (LiveRuntime.traces, the same arrays, so they grow as the script runs) that
// follows the debugger; in a data-parallel run every rank's steps, shown side by side (the Ranks card). At every stop it shows the step in progress' last completed step (the
// paused step itself once complete) and highlights the paused operation's layer. The inspector's
// own Step/Step Back move through the recorded steps read-only, like a trace file's. No `vscode` import.
import type { Phase } from '../../engine/types';
import type { LiveRuntime } from './liveRuntime';
import { TraceSession } from '../traceSession';

/**
 * Calls `open` once, at the first stop after the script completed a step (the inspector's summary
 * is read off one); returns the way to stop waiting.
 */
export function whenInspectable(runtime: LiveRuntime, open: () => void): () => void {
  const unsubscribe = runtime.onEvent((event) => {
    if (event.type !== 'stopped' || runtime.records.length === 0) return;
    unsubscribe();
    open();
  });
  return unsubscribe;
}

export class LiveTraceSession extends TraceSession {
  private readonly unsubscribe: () => void;

  /** Needs one completed step (the inspector's summary is read off it). */
  constructor(uri: string, name: string, private readonly runtime: LiveRuntime) {
    super(uri, name, runtime.traces[0], runtime.worldSize > 1 ? runtime.traces : undefined);
    this.follow();
    this.unsubscribe = runtime.onEvent((event) => {
      if (event.type === 'stopped') this.follow();
    });
  }

  /**
   * The debugger's stop on screen: its step (or the last completed one before it), its layer, and
   * its operation as the focus (the inspector selects that layer and outlines what it computes).
   */
  private follow(): void {
    const stop = this.runtime.current;
    if (!stop) return;
    this.goToStep(stop.step);
    const focus: Phase = stop.phase === 'forward' || stop.phase === 'backward' ? { kind: stop.phase, layer: stop.layer! } : { kind: stop.phase };
    this.select({ ...this.selection, layer: stop.layer ?? this.selection.layer, focus });
  }

  override dispose(): void {
    this.unsubscribe();
    super.dispose();
  }
}
