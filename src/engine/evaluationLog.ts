// The trainer's evaluations: train/validation figures at every epoch end, and any split on
// request (the test split only so). Training is deterministic, so an epoch end's figures are the
// same however often the step is trained again: they are measured the first time and kept until
// training starts over. Going back in history keeps them (views show those up to the step on
// screen); going forward again, by training or by a replay on the second machine that measures
// nothing, finds them there.
import type { LossSpec } from './losses';
import type { Network } from './network';
import type { TrainingData } from './model/load';
import { type Evaluation, type SplitName, evaluateRows } from './evaluation';
import { countAtOrBefore } from './stepOrder';

export class EvaluationLog {
  private log: Evaluation[] = [];
  /** The epoch-end entries alone, in step order (each epoch end is logged once, the first time its step is trained). */
  private epochEnds: Evaluation[] = [];

  constructor(
    private readonly data: TrainingData,
    private readonly lossSpec: LossSpec,
  ) {}

  /** Oldest first. */
  get entries(): readonly Evaluation[] {
    return this.log;
  }

  /** The epoch-end entries alone, in step order; a new list once the log is cleared. */
  get epochEndEntries(): readonly Evaluation[] {
    return this.epochEnds;
  }

  /** Measures `split` with the current weights and keeps it. At an epoch end `epoch` is the epoch that just ended. */
  measure(net: Network, split: SplitName, trigger: Evaluation['trigger'], step: number, epoch: number): Evaluation {
    const indices = this.data.split[split];
    if (indices.length === 0) throw new RangeError(`the ${split} split is empty: give "split.${split}" a share of the data`);
    const evaluation: Evaluation = { split, step, epoch, trigger, ...evaluateRows(net, this.lossSpec, this.data.dataset, indices) };
    this.log.push(evaluation);
    if (trigger === 'epoch-end') this.epochEnds.push(evaluation);
    return evaluation;
  }

  /**
   * The figures of an epoch that just ended at `step`: the train split and, when it has samples,
   * the validation split; measured the first time the step is trained, looked up when it is trained again.
   */
  epochEnd(net: Network, step: number, epoch: number): Evaluation[] {
    const logged = this.epochEndsAt(step);
    if (logged.length > 0) return logged;
    return (['train', 'validation'] as const)
      .filter((split) => this.data.split[split].length > 0)
      .map((split) => this.measure(net, split, 'epoch-end', step, epoch));
  }

  clear(): void {
    this.log = [];
    this.epochEnds = [];
  }

  /** The logged epoch-end entries of `step`. */
  private epochEndsAt(step: number): Evaluation[] {
    const low = countAtOrBefore(this.epochEnds, (e) => e.step, step - 1);
    const found: Evaluation[] = [];
    for (let i = low; i < this.epochEnds.length && this.epochEnds[i].step === step; i++) found.push(this.epochEnds[i]);
    return found;
  }
}
