// A 2-D slice of parameter space through the start θ₀: θ(α, β) = θ₀ + α·d₁ + β·d₂.
// Either d₁, d₂ pick two parameters (unit vectors, so α and β are those parameters' changes),
// or they are two fixed random directions normalized per layer as in Li et al. 2018,
// "Visualizing the Loss Landscape of Neural Nets": each filter of the direction (for a dense
// layer, one unit's incoming weights, a row of W) is rescaled to the norm of the same filter of
// θ₀, so a step of 1 along the direction changes every unit by about its own size whatever the
// layer's scale. Biases are one filter per layer (Li et al.'s code either zeroes them or copies
// them; scaling keeps them random but on the same footing).
import type { Network } from '../network';
import { layerOffsets, parameters } from '../network';
import { Rng } from '../rng';
import { dot, flatten } from '../secondOrder/vectors';
import { tensorName } from '../layerFields';

/** One parameter named as in the model file: layers[L].weights[OUT][IN] or layers[L].bias[OUT]. */
export interface ParameterRef {
  name: string;
  /** Position in the flat parameter vector [W0, b0, W1, b1, ...], W row-major [out][in]. */
  index: number;
}

export type Normalization = 'filter' | 'layer';

export type SliceRequest =
  | { kind: 'parameters'; parameters: [string, string] }
  | { kind: 'random'; seed: number; normalization?: Normalization };

export interface Slice {
  kind: 'parameters' | 'random';
  /** What α and β are: the parameters' names, or "direction 1"/"direction 2". */
  labels: [string, string];
  /** The two parameters, for kind 'parameters'. */
  parameters?: [ParameterRef, ParameterRef];
  origin: Float64Array;
  directions: [Float64Array, Float64Array];
  seed?: number;
  normalization?: Normalization;
  /** Filters of θ₀ that are all zero: their part of a random direction keeps unit norm instead. */
  zeroFilters?: number;
}

/** Reads "layers[0].weights[1][2]" or "layers[1].bias[0]"; throws a RangeError naming what is wrong. */
export function parseParameterRef(text: string, net: Network): ParameterRef {
  const match = /^\s*layers\[(\d+)\]\.(weights|bias)((?:\[\d+\])+)\s*$/.exec(text);
  if (!match) {
    throw new RangeError(`"${text}" is not a parameter; write layers[L].weights[OUT][IN] or layers[L].bias[OUT] (0-based)`);
  }
  const l = Number(match[1]);
  const kind = match[2];
  const indices = [...match[3].matchAll(/\[(\d+)\]/g)].map((m) => Number(m[1]));
  if (l >= net.layers.length) throw new RangeError(`${text}: the model has layers[0] .. layers[${net.layers.length - 1}]`);
  const layer = net.layers[l];
  const offset = layerOffsets(net)[l];
  const [out, input] = indices;
  if (kind === 'weights' && indices.length !== 2) throw new RangeError(`${text}: a weight needs two indices, [OUT][IN]`);
  if (kind === 'bias' && indices.length !== 1) throw new RangeError(`${text}: a bias needs one index, [OUT]`);
  if (out >= layer.units) throw new RangeError(`${text}: layers[${l}] has units 0 .. ${layer.units - 1}`);
  if (kind === 'bias') return { name: tensorName(l, 'bias', out), index: offset + layer.weights.length + out };
  if (input >= layer.inputs) throw new RangeError(`${text}: layers[${l}] has inputs 0 .. ${layer.inputs - 1}`);
  return { name: tensorName(l, 'weights', out, input), index: offset + out * layer.inputs + input };
}

export function parameterSlice(net: Network, names: [string, string]): Slice {
  const refs = names.map((n) => parseParameterRef(n, net)) as [ParameterRef, ParameterRef];
  if (refs[0].index === refs[1].index) throw new RangeError(`the two slice parameters are the same: ${refs[0].name}`);
  const origin = flatten(parameters(net));
  const directions = refs.map((ref) => {
    const d = new Float64Array(origin.length);
    d[ref.index] = 1;
    return d;
  }) as [Float64Array, Float64Array];
  return { kind: 'parameters', labels: [refs[0].name, refs[1].name], parameters: refs, origin, directions };
}

/** Scales d[from..to) to the norm of θ[from..to) (unit norm when that part of θ is zero); true when it was zero. */
function matchNorm(d: Float64Array, theta: Float64Array, from: number, to: number): boolean {
  let dd = 0;
  let tt = 0;
  for (let i = from; i < to; i++) {
    dd += d[i] * d[i];
    tt += theta[i] * theta[i];
  }
  const scale = (tt > 0 ? Math.sqrt(tt) : 1) / Math.sqrt(dd);
  for (let i = from; i < to; i++) d[i] *= scale;
  return tt === 0;
}

/** One Gaussian direction normalized filter by filter (or layer by layer); counts θ₀'s zero filters. */
function normalizedDirection(net: Network, origin: Float64Array, rng: Rng, normalization: Normalization): { d: Float64Array; zeroFilters: number } {
  const d = new Float64Array(origin.length);
  for (let i = 0; i < d.length; i++) d[i] = rng.normal();
  let zeroFilters = 0;
  let offset = 0;
  for (const layer of net.layers) {
    const filters = normalization === 'filter' ? layer.units : 1;
    const filterSize = layer.weights.length / filters;
    for (let f = 0; f < filters; f++) {
      if (matchNorm(d, origin, offset + f * filterSize, offset + (f + 1) * filterSize)) zeroFilters++;
    }
    offset += layer.weights.length;
    if (matchNorm(d, origin, offset, offset + layer.bias.length)) zeroFilters++;
    offset += layer.bias.length;
  }
  return { d, zeroFilters };
}

const MAX_REDRAWS = 100;

/**
 * Two Gaussian directions, normalized filter by filter (or layer by layer), drawn from `seed`.
 * A filter of one number keeps only the sign of its random part, so in small networks the two
 * directions can come out parallel; the second is then drawn again until they span a plane.
 */
export function randomSlice(net: Network, seed: number, normalization: Normalization = 'filter'): Slice {
  const origin = flatten(parameters(net));
  const rng = new Rng(seed);
  const first = normalizedDirection(net, origin, rng, normalization);
  for (let attempt = 0; attempt < MAX_REDRAWS; attempt++) {
    const second = normalizedDirection(net, origin, rng, normalization);
    const cosine = dot(first.d, second.d) / Math.sqrt(dot(first.d, first.d) * dot(second.d, second.d));
    if (Math.abs(cosine) < 1 - 1e-9) {
      return {
        kind: 'random', labels: ['direction 1', 'direction 2'], origin, directions: [first.d, second.d], seed, normalization,
        zeroFilters: first.zeroFilters,
      };
    }
  }
  throw new RangeError(`no two independent random directions after ${MAX_REDRAWS} draws; slice along two parameters instead (--params)`);
}

export function createSlice(net: Network, request: SliceRequest): Slice {
  return request.kind === 'parameters'
    ? parameterSlice(net, request.parameters)
    : randomSlice(net, request.seed, request.normalization);
}

/**
 * The slice coordinates (α, β) of θ: least squares over the plane (exact for points on it), and
 * the distance of θ from the plane, since training moves in all P dimensions.
 */
export function project(slice: Slice, theta: Float64Array): { point: [number, number]; offSlice: number } {
  const [d1, d2] = slice.directions;
  const v = new Float64Array(theta.length);
  for (let i = 0; i < v.length; i++) v[i] = theta[i] - slice.origin[i];
  const a11 = dot(d1, d1);
  const a12 = dot(d1, d2);
  const a22 = dot(d2, d2);
  const r1 = dot(d1, v);
  const r2 = dot(d2, v);
  const det = a11 * a22 - a12 * a12;
  const alpha = (a22 * r1 - a12 * r2) / det;
  const beta = (a11 * r2 - a12 * r1) / det;
  let rest = 0;
  for (let i = 0; i < v.length; i++) rest += (v[i] - alpha * d1[i] - beta * d2[i]) ** 2;
  return { point: [alpha, beta], offSlice: Math.sqrt(rest) };
}

/** θ₀ + α·d₁ + β·d₂, written into `into` (flat). */
export function pointOnSlice(slice: Slice, alpha: number, beta: number, into: Float64Array): Float64Array {
  const [d1, d2] = slice.directions;
  for (let i = 0; i < into.length; i++) into[i] = slice.origin[i] + alpha * d1[i] + beta * d2[i];
  return into;
}
