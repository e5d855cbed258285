// The reference the screen is held to: the CLI's `--json` trace of the same model file, computed
// in a separate process from the built dist/cli.js (README, "Reading the screen"). Its JSON Lines
// write non-finite numbers as the strings "Infinity", "-Infinity" and "NaN"; they are read back
// as numbers here. With `--grain op` each operation's line is kept too, so the trace can be cut
// at any operation of a step.
import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';
import type { Phase, StepTrace } from '../../src/engine/types';

const CLI = resolve(__dirname, '../../dist/cli.js');
const NON_FINITE: Record<string, number> = { Infinity: Infinity, '-Infinity': -Infinity, NaN: NaN };

/** One JSON Lines line, with the non-finite strings read back as numbers. */
export function parseTraceLine(line: string): unknown {
  return JSON.parse(line, (_key, value) => (typeof value === 'string' && value in NON_FINITE ? NON_FINITE[value] : value));
}

/** What one operation computed (`--grain op`): the values it wrote, by StepTrace field name. */
export interface OperationLine {
  step: number;
  phase: Phase;
  values: Record<string, unknown> & { layer?: number };
}

export interface CliTrace {
  /** Step k's StepTrace at index k − 1. */
  steps: StepTrace[];
  /** Step k's operation lines at index k − 1, in order (present with grain 'op'). */
  operations: OperationLine[][];
}

export function cliTrace(modelFile: string, steps: number, grain: 'step' | 'op' = 'step'): CliTrace {
  const output = execFileSync(process.execPath, [CLI, 'run', modelFile, '--steps', String(steps), '--grain', grain, '--json'], {
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
  });
  const trace: CliTrace = { steps: [], operations: [] };
  let pending: OperationLine[] = [];
  for (const line of output.split('\n')) {
    if (line.trim() === '') continue;
    const parsed = parseTraceLine(line) as Partial<OperationLine> & Partial<StepTrace>;
    if (parsed.phase) pending.push(parsed as OperationLine);
    else {
      trace.steps.push(parsed as StepTrace);
      trace.operations.push(pending);
      pending = [];
    }
  }
  if (trace.steps.length !== steps) throw new Error(`the CLI printed ${trace.steps.length} step traces for ${modelFile}, expected ${steps}`);
  return trace;
}

/**
 * What is known of step `step` after its first `done` operations, as a StepTrace-shaped object:
 * the weights and biases before the update (known before the step starts) and the values the
 * operations so far wrote. `done` = all operations gives the whole StepTrace; step 0 (before any
 * training) is the first step's weights and biases alone.
 */
export function traceSoFar(trace: CliTrace, step: number, done: number): Record<string, unknown> {
  const first = trace.steps[Math.max(step, 1) - 1];
  const known: Record<string, unknown> & { layers: Record<string, unknown>[] } = {
    layers: first.layers.map((layer) => ({ index: layer.index, weights: layer.weights, bias: layer.bias })),
  };
  if (step === 0) return known;
  const operations = trace.operations[step - 1];
  if (done >= operations.length + 1) return first as unknown as Record<string, unknown>;
  for (const line of operations.slice(0, done)) {
    const { layer, ...values } = line.values;
    if (line.phase.kind === 'loss') {
      const { upstream, ...top } = values;
      Object.assign(known, top);
      Object.assign(known.layers[known.layers.length - 1], { upstream });
    } else Object.assign(known.layers[layer!], values);
  }
  return known;
}

/** The keys of a path: `optimizer.state["layers[1].weights"].m[0]` → optimizer, state, layers[1].weights, m, 0. */
export function pathKeys(path: string): string[] | undefined {
  const keys: string[] = [];
  const token = /\.?([A-Za-z_]\w*)|\[(\d+)\]|\[("(?:[^"\\]|\\.)*")\]/y;
  while (token.lastIndex < path.length) {
    const m = token.exec(path);
    if (!m) return undefined;
    keys.push(m[1] ?? m[2] ?? (JSON.parse(m[3]) as string));
  }
  return keys;
}

/**
 * The number at a StepTrace path such as `loss`, `layers[0].z[1][2]`,
 * `layers[1].update.weights[0][3]` or `optimizer.state["layers[0].bias"].m[1]`; undefined when
 * the path names nothing numeric in `record`.
 */
export function numberAt(record: unknown, path: string): number | undefined {
  let at: unknown = record;
  for (const key of pathKeys(path) ?? [{}]) {
    if (typeof key !== 'string' || at === null || typeof at !== 'object' || !Object.prototype.hasOwnProperty.call(at, key)) return undefined;
    at = (at as Record<string, unknown>)[key];
  }
  return typeof at === 'number' ? at : undefined;
}
