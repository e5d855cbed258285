// The operations of a step in order, and where the step machine stands between them.
import type { Phase } from './types';

/**
 * Where the machine stands, told by what it runs next: the next operation and the step, epoch and
 * batch it belongs to. Between steps `opIndex` is 0 and `nextPhase` is forward of layers[0]. (The
 * step a front end shows is the protocol's StepOnScreen; the debugger stands after an operation.)
 */
export interface NextOperation {
  completedSteps: number;
  step: number; // 1-based step the next operation belongs to (completedSteps + 1)
  epoch: number; // 1-based epoch of that step
  batch: number; // 1-based batch k of that step within its epoch
  batchesPerEpoch: number; // K
  opIndex: number; // operations of that step already done, 0 .. opsPerStep−1
  opsPerStep: number; // 2L + 2
  nextPhase: Phase;
}

/** The operation `opIndex` of a step in a network of `layerCount` layers: forwards, loss, backwards, update. */
export function phaseAt(opIndex: number, layerCount: number): Phase {
  if (opIndex < layerCount) return { kind: 'forward', layer: opIndex };
  if (opIndex === layerCount) return { kind: 'loss' };
  if (opIndex <= 2 * layerCount) return { kind: 'backward', layer: 2 * layerCount - opIndex };
  return { kind: 'update' };
}

/** A phase as one word for attributes and logs: `forward:0`, `loss`, `backward:1`, `update`. */
export function phaseKey(phase: Phase): string {
  return 'layer' in phase ? `${phase.kind}:${phase.layer}` : phase.kind;
}
