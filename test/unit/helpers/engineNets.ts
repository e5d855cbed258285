// Small explicit networks for the engine's math tests.
import type { ActivationName, LossName, ModelFile } from '../../../src/engine/types';
import { createNetwork, type Network } from '../../../src/engine/network';
import { Rng } from '../../../src/engine/rng';

export const ELEMENTWISE: ActivationName[] = ['identity', 'sigmoid', 'tanh', 'relu', 'leaky-relu'];
export const ALL_ACTIVATIONS: ActivationName[] = [...ELEMENTWISE, 'softmax'];

/** Every (output activation, loss) pairing the engine allows. */
export const PAIRINGS: { output: ActivationName; loss: LossName }[] = [
  ...ALL_ACTIVATIONS.flatMap((output) => (['mse', 'mae'] as LossName[]).map((loss) => ({ output, loss }))),
  { output: 'softmax', loss: 'cross-entropy' },
  { output: 'sigmoid', loss: 'binary-cross-entropy' },
];

/** Deterministic values in ±scale that stay away from 0 (|v| ≥ 0.1·scale), from a simple formula. */
export function spread(count: number, seed: number, scale = 1): number[] {
  const out: number[] = [];
  for (let i = 0; i < count; i++) {
    const v = Math.sin(12.9898 * (i + 1) + 78.233 * seed) * 43758.5453;
    const frac = v - Math.floor(v); // [0, 1)
    const magnitude = 0.1 + 0.9 * frac;
    out.push((i % 2 === 0 ? 1 : -1) * (((i * 7 + seed) % 3 === 0) ? -1 : 1) * magnitude * scale);
  }
  return out;
}

export function matrix(rows: number, cols: number, seed: number, scale = 1): number[][] {
  const flat = spread(rows * cols, seed, scale);
  return Array.from({ length: rows }, (_, r) => flat.slice(r * cols, (r + 1) * cols));
}

export function model(inputs: number, layers: { units: number; activation: ActivationName; slope?: number }[], loss: LossName, seed: number): ModelFile {
  let fanIn = inputs;
  return {
    inputs,
    layers: layers.map((spec, l) => {
      const layer = { ...spec, weights: matrix(spec.units, fanIn, seed + 10 * l), bias: spread(spec.units, seed + 10 * l + 5, 0.5) };
      fanIn = spec.units;
      return layer;
    }),
    loss,
    optimizer: { type: 'sgd', learningRate: 0.1 },
    data: { x: [[0]], y: [[0]] },
  };
}

export function net(inputs: number, layers: { units: number; activation: ActivationName; slope?: number }[], loss: LossName, seed: number): Network {
  return createNetwork(model(inputs, layers, loss, seed), new Rng(0));
}

/** Targets that suit the loss: one-hot rows for cross-entropy, values in (0,1) for BCE, spread values otherwise. */
export function targets(loss: LossName, rows: number, units: number, seed: number): Float64Array {
  const t = new Float64Array(rows * units);
  for (let r = 0; r < rows; r++) {
    for (let k = 0; k < units; k++) {
      if (loss === 'cross-entropy') t[r * units + k] = k === (r + seed) % units ? 1 : 0;
      else if (loss === 'binary-cross-entropy') t[r * units + k] = (r + k + seed) % 3 === 0 ? 0.75 : (r + k) % 2;
      else t[r * units + k] = spread(1, seed + 31 * r + k)[0] * 1.5;
    }
  }
  return t;
}
