// `trace <file>`: read a trace file (JSON Lines or binary .bptrace, docs/trace-format.md) with the
// extension's own reader and print its steps as `run` does: tables, or JSON Lines with --json.
import { readFileSync } from 'node:fs';
import type { Phase } from '../engine/types';
import { phaseAt } from '../engine/phases';
import { toStepTrace } from '../engine/trace';
import { jsonLine } from '../engine/jsonLines';
import { readTrace } from '../protocol/traceFile';
import { parseFlags } from './args';
import { InputError, UsageError } from './errors';
import type { CliIo } from './io';
import { phaseSection, stepHeading, style } from './tables';

export const TRACE_USAGE = `trace <file> [--steps A-B] [--json]
    Print the steps of a trace file (JSON Lines from run --json, Export Trace or the PyTorch
    Recorder, or the binary *.bptrace form) as run prints them.
    --steps A-B    only steps A to B (inclusive; "A" alone is one step, "A-" runs to the end)
    --json         JSON Lines on stdout: one StepTrace (DESIGN.md §3) per step
    A malformed, truncated or newer-version file: the good steps are printed, then the problem
    (file:line, or the binary frame) on stderr, and the exit code is 1.`;

export function traceCommand(args: string[], io: CliIo): void {
  const { positionals, flags } = parseFlags('trace', args, {
    steps: { type: 'string' },
    json: { type: 'boolean' },
  });
  if (positionals.length !== 1) throw new UsageError(`trace: one trace file expected, e.g. "trace run.trace.jsonl", got ${positionals.length}`);
  const path = positionals[0];
  const [first, last] = stepRange(flags.steps);
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    throw new InputError(`${path}: error: cannot read the file (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`);
  }
  const contents = readTrace(bytes, path);
  const s = style(io.color);
  for (const record of contents.records) {
    if (record.step < first || record.step > last) continue;
    if (flags.json) {
      io.out(jsonLine(toStepTrace(record)));
      continue;
    }
    io.out('\n' + stepHeading(record, undefined, undefined, s) + '\n');
    const phases: Phase[] = [];
    for (let op = 0; op <= 2 * record.layers.length + 1; op++) phases.push(phaseAt(op, record.layers.length));
    for (const phase of phases) io.out(phaseSection(record, phase, s).join('\n') + '\n');
  }
  if (contents.problem) throw new InputError(`${contents.problem.message}`);
}

/** "A-B", "A" or "A-" → [first, last] step numbers; no flag → every step. */
function stepRange(value: string | boolean | undefined): [number, number] {
  if (value === undefined) return [1, Infinity];
  const match = typeof value === 'string' ? /^\s*(\d+)\s*(?:(-)\s*(\d*)\s*)?$/.exec(value) : null;
  const first = match ? Number(match[1]) : NaN;
  const last = match ? (match[2] === undefined ? first : match[3] === '' ? Infinity : Number(match[3])) : NaN;
  if (!(first >= 1) || !(last >= first)) throw new UsageError(`trace: --steps is "A-B" with 1 ≤ A ≤ B (or "A", "A-"), got ${JSON.stringify(value)}`);
  return [first, last];
}
