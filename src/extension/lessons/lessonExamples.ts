// The example files the walkthrough opens, by base name in examples/ (without .backprop.json).
export const LESSON_EXAMPLES: readonly string[] = [
  '01-learning-is-optimization',
  '02-norms-and-information',
  '03-gradient-descent',
  '04-chain-rule',
  '05-backprop-lecture-network',
  '06-activations-saturated-sigmoid',
  '06-activations-dead-relu',
  '06-activations-break-a-derivative',
  '07-optimizer-race',
  '07-optimizer-race-surface',
  '08-data-splits',
  '09-training-units',
  'online-linear',
];

/** The lesson example `direction` steps from `current` in lesson order (the first or the last when there is no current one). */
export function neighbourLesson(current: string | undefined, direction: 1 | -1): string | undefined {
  const index = current === undefined ? -1 : LESSON_EXAMPLES.indexOf(current);
  if (index < 0) return direction > 0 ? LESSON_EXAMPLES[0] : LESSON_EXAMPLES[LESSON_EXAMPLES.length - 1];
  return LESSON_EXAMPLES[index + direction];
}

/** The lesson example a model file is, by its file name (examples/NAME.backprop.json), or undefined. */
export function lessonNameOf(uri: string): string | undefined {
  const match = /([^/\\]+)\.backprop\.json$/i.exec(decodeURIComponent(uri));
  return match && LESSON_EXAMPLES.includes(match[1]) ? match[1] : undefined;
}
