// Evaluate on Test Set (lesson 8): the held-out split's loss and accuracy with the current weights.
// The first look is the unbiased estimate; every later one has seen the test set before, and
// choices made after a look fit the test set too, so it has become a validation set. The looks
// stay in the trainer's evaluation log (requests survive Step Back and Go To: they happened; Reset
// clears them with the rest of the run), which is where the earlier looks are counted from.
import type { Evaluation } from './evaluation';
import type { Trainer } from './trainer';

export interface TestLook {
  /** This look: the test split's J, its parts, accuracy (classifiers) and samples, at `step`. */
  evaluation: Evaluation;
  /** The completed steps at which the test set was opened before, oldest first (since the last reset). */
  earlier: number[];
}

/** The model holds no samples out for testing. */
export class NoTestSplitError extends Error {
  constructor() {
    super('this model has no test split: give "split.test" a share of the data (e.g. "split": { "train": 0.7, "validation": 0.15, "test": 0.15 }) to hold samples out for one final test');
    this.name = 'NoTestSplitError';
  }
}

/** The test looks in an evaluation log, oldest first. */
export function testLooksIn(evaluations: readonly Evaluation[]): Evaluation[] {
  return evaluations.filter((e) => e.split === 'test');
}

/** Opens the test set once more: measures it with the trainer's current weights and records the look. */
export function lookAtTestSet(trainer: Pick<Trainer, 'data' | 'evaluate' | 'evaluations'>): TestLook {
  if (trainer.data.split.test.length === 0) throw new NoTestSplitError();
  const earlier = testLooksIn(trainer.evaluations).map((e) => e.step);
  return { evaluation: trainer.evaluate('test'), earlier };
}

/** A message template with "{0}" placeholders and its arguments (vscode.l10n.t's shape, so the host can translate). */
export type Translate = (message: string, ...args: (string | number)[]) => string;

const english: Translate = (message, ...args) => message.replace(/\{(\d+)\}/g, (whole, i: string) => (Number(i) < args.length ? String(args[Number(i)]) : whole));

/** Six significant digits (the exact figures are in the CLI's --json and the inspector's data-value). */
function figure(value: number): string {
  return String(Number(value.toPrecision(6)));
}

/** The English texts of a look's message; the host translates them (l10n/bundle.l10n.ko.json). */
export const TEST_LOOK_TEXTS = {
  loss: 'J = {0} (data {1}, regularization {2})',
  accuracy: ', accuracy {0}%',
  figures: 'Test set at step {0} ({1} samples): {2}{3}.',
  first: 'This is the first look: report it as the final estimate and change nothing because of it.',
  repeated: 'Warning: the test set was opened {0} time(s) before, at step(s) {1}. Every look after the first lets what you saw steer your choices, so it is now a validation set, no longer an unbiased test.',
} as const;

/**
 * What a look says: the figures, and either that this was the one look or, from the second on, the
 * warning with how many times and at which steps the test set was opened before.
 */
export function describeTestLook(look: TestLook, t: Translate = english): { text: string; repeated: boolean } {
  const e = look.evaluation;
  const loss = t(TEST_LOOK_TEXTS.loss, figure(e.loss), figure(e.dataLoss), figure(e.regLoss));
  const accuracy = e.accuracy === undefined ? '' : t(TEST_LOOK_TEXTS.accuracy, Number((e.accuracy * 100).toFixed(2)));
  const figures = t(TEST_LOOK_TEXTS.figures, e.step, e.samples, loss, accuracy);
  const repeated = look.earlier.length > 0;
  const note = repeated ? t(TEST_LOOK_TEXTS.repeated, look.earlier.length, look.earlier.join(', ')) : t(TEST_LOOK_TEXTS.first);
  return { text: `${figures} ${note}`, repeated };
}
