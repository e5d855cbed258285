// The reference the end-to-end scenarios compare the workbench against: the CLI's `--json` trace
// of the same model file, computed in a separate process from the built dist/cli.js
// (test/support/cliTrace.ts reads it, non-finite numbers included).
import type { StepTrace } from '../../src/engine/types';
import { cliTrace as readTrace } from '../support/cliTrace';

export function cliTrace(modelFile: string, steps: number): StepTrace[] {
  return readTrace(modelFile, steps).steps;
}
