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
