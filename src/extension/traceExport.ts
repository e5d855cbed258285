// Export Trace writes what `backprop-stepper run <model> --steps N --json` prints: one DESIGN.md §3
// StepTrace per line, produced by the engine's toStepTrace and jsonLine, from a fresh
// trainer on the same model and data (training is deterministic, so these are the session's steps).
import type { ModelFile } from '../engine/types';
import { Trainer, type TrainingData } from '../engine/trainer';
import { toStepTrace } from '../engine/trace';
import { jsonLine } from '../engine/jsonLines';

export function traceLines(model: ModelFile, data: TrainingData, steps: number): string[] {
  const trainer = new Trainer(model, data);
  const lines: string[] = [];
  for (let s = 0; s < steps; s++) lines.push(jsonLine(toStepTrace(trainer.step())));
  return lines;
}
