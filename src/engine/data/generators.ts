// Seeded synthetic datasets. Classification generators have 2 inputs and balanced classes
// (sample i belongs to class i mod K, so any prefix of the file is balanced too); noise is
// Gaussian, added to the inputs for classification and to the target for regression.
// Targets: one 0/1 column when the model's output layer has 1 unit and there are 2 classes
// (sigmoid + binary cross-entropy, or mse on one output), one-hot rows otherwise.
import { Rng } from '../rng';
import type { Dataset, GeneratorName } from '../types';

export interface GeneratorSpec {
  generator: GeneratorName;
  samples?: number;
  noise?: number;
  classes?: number;
}

export interface GeneratorShape {
  kind: 'classification' | 'regression';
  /** Inputs the generator makes; undefined when it follows the model's `inputs`. */
  inputs?: number;
  classes: number; // 1 for regression
}

export const DEFAULT_SAMPLES = 200;
export const DEFAULT_NOISE = 0.1;
const DEFAULT_GAUSSIAN_SPREAD = 0.5;
export const DEFAULT_SPIRAL_CLASSES = 3;

export function generatorShape(spec: GeneratorSpec): GeneratorShape {
  switch (spec.generator) {
    case 'spiral':
      return { kind: 'classification', inputs: 2, classes: spec.classes ?? DEFAULT_SPIRAL_CLASSES };
    case 'linear':
      return { kind: 'regression', classes: 1 };
    case 'sine':
      return { kind: 'regression', inputs: 1, classes: 1 };
    default:
      return { kind: 'classification', inputs: 2, classes: 2 };
  }
}

type Point = [number, number];
type ClassSampler = (rng: Rng, label: number, index: number, perClass: number, classes: number) => Point;

const TAU = 2 * Math.PI;

const classSamplers: Record<Exclude<GeneratorName, 'linear' | 'sine'>, ClassSampler> = {
  // Class 1 where exactly one coordinate is positive: quadrants (+,−) and (−,+).
  xor: (rng, label) => {
    const sx = rng.uniform() < 0.5 ? 1 : -1;
    const sy = label === 1 ? -sx : sx;
    return [sx * rng.uniform(), sy * rng.uniform()];
  },
  // Outer circle radius 1 (class 0), inner radius 0.5 (class 1).
  circles: (rng, label) => {
    const angle = TAU * rng.uniform();
    const radius = label === 0 ? 1 : 0.5;
    return [radius * Math.cos(angle), radius * Math.sin(angle)];
  },
  // Centers only: the spread is the noise added afterwards.
  'two-gaussians': (_rng, label) => (label === 0 ? [-1, -1] : [1, 1]),
  // Arm k starts at angle 2πk/K; radius grows from 0 to 1 while the angle turns 4 radians.
  spiral: (_rng, label, index, perClass, classes) => {
    const r = (index + 0.5) / perClass;
    const angle = (TAU * label) / classes + 4 * r;
    return [r * Math.sin(angle), r * Math.cos(angle)];
  },
  // Upper half circle (class 0) and the lower one shifted right and up, interleaved.
  moons: (rng, label) => {
    const t = Math.PI * rng.uniform();
    return label === 0 ? [Math.cos(t), Math.sin(t)] : [1 - Math.cos(t), 0.5 - Math.sin(t)];
  },
};

/**
 * Generates a dataset. `inputs` is the model's input width (used by `linear`), `outputs` its
 * output layer's width (decides between a 0/1 column and one-hot rows).
 */
export function generateDataset(spec: GeneratorSpec, seed: number, inputs: number, outputs: number): Dataset {
  const rng = new Rng(seed);
  const samples = spec.samples ?? DEFAULT_SAMPLES;
  if (spec.generator === 'linear') return linear(rng, samples, inputs, spec.noise ?? DEFAULT_NOISE);
  if (spec.generator === 'sine') return sine(rng, samples, spec.noise ?? DEFAULT_NOISE);
  const shape = generatorShape(spec);
  const classes = shape.classes;
  const noise = spec.noise ?? (spec.generator === 'two-gaussians' ? DEFAULT_GAUSSIAN_SPREAD : DEFAULT_NOISE);
  const oneColumn = classes === 2 && outputs === 1;
  const width = oneColumn ? 1 : classes;
  const x = new Float64Array(samples * 2);
  const y = new Float64Array(samples * width);
  const perClass = Math.ceil(samples / classes);
  const sampler = classSamplers[spec.generator];
  for (let i = 0; i < samples; i++) {
    const label = i % classes;
    const [a, b] = sampler(rng, label, Math.floor(i / classes), perClass, classes);
    x[2 * i] = a + noise * rng.normal();
    x[2 * i + 1] = b + noise * rng.normal();
    if (oneColumn) y[i] = label;
    else y[i * width + label] = 1;
  }
  return {
    x, y, samples, inputs: 2, outputs: width,
    inputNames: ['x1', 'x2'],
    outputNames: oneColumn ? undefined : Array.from({ length: classes }, (_, k) => `class ${k}`),
  };
}

/** y = 0.5 + Σⱼ (−1)ʲ xⱼ/(j+1) + noise, x uniform in [−1, 1]^inputs: a known plane to recover. */
function linear(rng: Rng, samples: number, inputs: number, noise: number): Dataset {
  const x = new Float64Array(samples * inputs);
  const y = new Float64Array(samples);
  for (let i = 0; i < samples; i++) {
    let target = 0.5;
    for (let j = 0; j < inputs; j++) {
      const v = 2 * rng.uniform() - 1;
      x[i * inputs + j] = v;
      target += ((j % 2 === 0 ? 1 : -1) * v) / (j + 1);
    }
    y[i] = target + noise * rng.normal();
  }
  return { x, y, samples, inputs, outputs: 1, inputNames: Array.from({ length: inputs }, (_, j) => `x${j + 1}`) };
}

/** y = sin(x) + noise, x uniform in [−π, π]. */
function sine(rng: Rng, samples: number, noise: number): Dataset {
  const x = new Float64Array(samples);
  const y = new Float64Array(samples);
  for (let i = 0; i < samples; i++) {
    x[i] = Math.PI * (2 * rng.uniform() - 1);
    y[i] = Math.sin(x[i]) + noise * rng.normal();
  }
  return { x, y, samples, inputs: 1, outputs: 1, inputNames: ['x'] };
}
