// The trainer's evaluations: train/validation figures at every epoch end, and any split on
// request (the test split only so). Going back in history forgets the epoch ends after the
// restored step; the replay measures them again.
import type { LossSpec } from './losses';
import type { Network } from './network';
import type { TrainingData } from './model/load';
import { type Evaluation, type SplitName, evaluateRows } from './evaluation';

export class EvaluationLog {
  private log: Evaluation[] = [];

  constructor(
    private readonly data: TrainingData,
    private readonly lossSpec: LossSpec,
  ) {}

  /** Oldest first. */
  get entries(): readonly Evaluation[] {
    return this.log;
  }

  /** Measures `split` with the current weights and keeps it. At an epoch end `epoch` is the epoch that just ended. */
  measure(net: Network, split: SplitName, trigger: Evaluation['trigger'], step: number, epoch: number): Evaluation {
    const indices = this.data.split[split];
    if (indices.length === 0) throw new RangeError(`the ${split} split is empty: give "split.${split}" a share of the data`);
    const evaluation: Evaluation = { split, step, epoch, trigger, ...evaluateRows(net, this.lossSpec, this.data.dataset, indices) };
    this.log.push(evaluation);
    return evaluation;
  }

  /** The figures of an epoch that just ended: the train split and, when it has samples, the validation split. */
  epochEnd(net: Network, step: number, epoch: number): Evaluation[] {
    return (['train', 'validation'] as const)
      .filter((split) => this.data.split[split].length > 0)
      .map((split) => this.measure(net, split, 'epoch-end', step, epoch));
  }

  /**
   * Forgets the epoch ends after `completedSteps` (requested ones stay: they were asked for).
   * Epoch ends are logged in step order, so those to forget are the log's tail but for requests
   * among them: the work is that tail's, not the whole log's (a long run logs an epoch end every
   * few steps, and every move back lands here).
   */
  forgetAfter(completedSteps: number): void {
    let keep = this.log.length;
    while (keep > 0 && (this.log[keep - 1].trigger === 'request' || this.log[keep - 1].step > completedSteps)) keep--;
    const requestsAfter = this.log.slice(keep).filter((e) => e.trigger === 'request');
    this.log.length = keep;
    this.log.push(...requestsAfter);
  }

  clear(): void {
    this.log = [];
  }
}
