// The reference the end-to-end scenarios compare the workbench against: the CLI's `--json` trace
// of the same model file, computed in a separate process from the built dist/cli.js.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import type { StepTrace } from '../../src/engine/types';
import { projectRoot } from './harness';

export function cliTrace(modelFile: string, steps: number): StepTrace[] {
  const output = execFileSync(process.execPath, [join(projectRoot, 'dist', 'cli.js'), 'run', modelFile, '--steps', String(steps), '--json'], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  const traces = output.split('\n').filter((line) => line.trim() !== '').map((line) => JSON.parse(line) as StepTrace);
  if (traces.length !== steps) throw new Error(`the CLI printed ${traces.length} step traces for ${modelFile}, expected ${steps}`);
  return traces;
}
