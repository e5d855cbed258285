// The datasets shipped in the top-level `datasets/` folder (see datasets/README.md for sources).
// They are ordinary CSV files read through the same parser as workspace files.

export type BuiltinName = 'iris' | 'digits';

export const BUILTIN_DATASETS: Readonly<Record<BuiltinName, { file: string; target: string }>> = {
  iris: { file: 'iris.csv', target: 'species' },
  digits: { file: 'digits.csv', target: 'digit' },
};
