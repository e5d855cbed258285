// Export Trace writes what `backprop-stepper run <model> --steps N --json` prints: one DESIGN.md §3
// StepTrace per line (the engine's toStepTrace and JSON.stringify), taken from the session's own
// records, so the file is what the session showed: its model, its broken derivative, its steps.
// No `vscode` import: the command (exportCommand.ts) asks and writes, this part reads the session.
import { toStepTrace } from '../engine/trace';
import type { StepRecord } from '../engine/types';
import type { TrainingSession } from './session';

/** One line of the file: the step's StepTrace as JSON, then a newline. */
export function traceLine(record: StepRecord): string {
  return `${JSON.stringify(toStepTrace(record))}\n`;
}

/** Completed steps from..through (1-based, inclusive). */
export interface StepRange {
  from: number;
  through: number;
}

/**
 * The lines of `range` in chunks of about `chunkSteps` steps (each chunk one replay of the
 * session's history), so the caller can report progress and stop between chunks.
 */
export function* traceChunks(session: TrainingSession, range: StepRange, chunkSteps: number): Generator<{ text: string; stepsDone: number }> {
  for (let from = range.from; from <= range.through; from += chunkSteps) {
    const through = Math.min(range.through, from + chunkSteps - 1);
    const text = session.recordsBetween(from, through).map(traceLine).join('');
    yield { text, stepsDone: through - range.from + 1 };
  }
}

/** About how many bytes `range` takes: the first step's line times the number of steps (every line has the same shapes). */
export function estimateBytes(session: TrainingSession, range: StepRange): number {
  const first = new TextEncoder().encode(traceLine(session.recordsBetween(range.from, range.from)[0])).length;
  return first * (range.through - range.from + 1);
}
