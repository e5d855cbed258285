import { strict as assert } from 'node:assert';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { assembleKernel } from '../../scripts/kernel.mjs';
import { type Transposed, kernelInUse, multiply, multiplyPlain, provideKernel } from '../../src/engine/matmul';
import { KERNEL_FILE, useKernelIn } from '../../src/engine/nodeKernel';
import { parameters } from '../../src/engine/network';
import { Rng } from '../../src/engine/rng';
import { Trainer } from '../../src/engine/trainer';
import type { ModelFile } from '../../src/engine/types';

/** The definition, one term at a time: out[i][j] = init[j] + Σ_p a[i][p]·b[p][j], p ascending. */
function definition(a: Float64Array, b: Float64Array, m: number, n: number, k: number, init?: Float64Array): Float64Array {
  const out = new Float64Array(m * n);
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = init ? init[j] : 0;
      for (let p = 0; p < k; p++) s = s + a[i * k + p] * b[p * n + j];
      out[i * n + j] = s;
    }
  }
  return out;
}

/** aᵀ for a: rows × cols. */
function transposeOf(a: Float64Array, rows: number, cols: number): Float64Array {
  const out = new Float64Array(a.length);
  for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) out[c * rows + r] = a[r * cols + c];
  return out;
}

/** Numbers of every magnitude and sign, so that a changed summation order would change low bits. */
function numbers(rng: Rng, length: number): Float64Array {
  return Float64Array.from({ length }, () => (rng.uniform() - 0.5) * 10 ** Math.floor(rng.uniform() * 12 - 6));
}

/** Same bits in every element (NaN matches NaN: WebAssembly may change a NaN's payload, never its being NaN). */
function assertSameBits(actual: Float64Array, expected: Float64Array, where: string): void {
  assert.equal(actual.length, expected.length, where);
  for (let e = 0; e < expected.length; e++) {
    if (!Object.is(actual[e], expected[e]) && !(Number.isNaN(actual[e]) && Number.isNaN(expected[e]))) {
      assert.fail(`${where}: element ${e} is ${actual[e]}, the definition gives ${expected[e]}`);
    }
  }
}

// Odd sizes on purpose: row counts not a multiple of 4, column counts not a multiple of 4 or 2
// (the kernel's 4 × 4 tiles over the edge), each alone and both at once, a single row or column,
// and products large enough for multiply to hand to the WebAssembly kernel.
const SHAPES: [number, number, number][] = [
  [37, 23, 29], [5, 65, 61], [1, 131, 127], [130, 1, 129], [4, 4, 1024], [9, 10, 200], [64, 128, 31], [64, 10, 128], [128, 30, 17],
  [31, 64, 40], [3, 7, 5], [2, 3, 0], [0, 5, 4],
];

describe('matmul: the WebAssembly SIMD kernel and its TypeScript fallback', () => {
  let bytes: Uint8Array<ArrayBuffer>;
  before(async () => {
    bytes = await assembleKernel();
  });
  afterEach(() => provideKernel(undefined));

  it('both give the bits of the one-term-at-a-time definition on odd shapes, with and without init, either operand transposed', () => {
    const rng = new Rng(7);
    const kernel = (): Uint8Array<ArrayBuffer> => bytes;
    for (const [m, n, k] of SHAPES) {
      const a = numbers(rng, m * k);
      const b = numbers(rng, k * n);
      const init = numbers(rng, n);
      const given: Record<'none' | Transposed, [Float64Array, Float64Array]> = {
        none: [a, b], a: [transposeOf(a, m, k), b], b: [a, transposeOf(b, k, n)],
      };
      for (const bias of [undefined, init]) {
        const expected = definition(a, b, m, n, k, bias);
        const where = `${m}×${k} · ${k}×${n}${bias ? ' + init' : ''}`;
        assertSameBits(multiplyPlain(a, b, m, n, k, new Float64Array(m * n), bias), expected, `fallback, ${where}`);
        for (const transposed of [undefined, 'a', 'b'] as const) {
          const [aGiven, bGiven] = given[transposed ?? 'none'];
          const as = `${where}${transposed ? `, ${transposed} given transposed` : ''}`;
          provideKernel(kernel);
          assert.equal(kernelInUse(), 'wasm-simd', 'this Node has WebAssembly SIMD, so the kernel must load');
          assertSameBits(multiply(aGiven, bGiven, m, n, k, new Float64Array(m * n), bias, transposed), expected, `kernel, ${as}`);
          provideKernel(undefined);
          assertSameBits(multiply(aGiven, bGiven, m, n, k, new Float64Array(m * n), bias, transposed), expected, `fallback, ${as}`);
        }
      }
    }
  });

  it('carries infinities and NaN through like the definition', () => {
    provideKernel(() => bytes);
    const [m, n, k] = [9, 45, 41];
    const rng = new Rng(3);
    const a = numbers(rng, m * k);
    const b = numbers(rng, k * n);
    a[3] = Infinity;
    a[k + 7] = NaN;
    b[5 * n + 2] = -Infinity;
    b[2 * n + 40] = 1e308;
    a[2 * k + 2] = 1e308;
    const expected = definition(a, b, m, n, k);
    assertSameBits(multiply(a, b, m, n, k, new Float64Array(m * n)), expected, 'kernel');
    assertSameBits(multiplyPlain(a, b, m, n, k, new Float64Array(m * n)), expected, 'fallback');
  });

  it('trains a 784-128-10 network to the same bits with the kernel as without it', () => {
    const rng = new Rng(11);
    const samples = 70;
    const x = Float64Array.from({ length: samples * 784 }, () => rng.uniform());
    const y = new Float64Array(samples * 10);
    for (let s = 0; s < samples; s++) y[s * 10 + rng.int(10)] = 1;
    const model: ModelFile = {
      seed: 5, inputs: 784, layers: [{ units: 128, activation: 'relu' }, { units: 10, activation: 'softmax' }], loss: 'cross-entropy',
      optimizer: { type: 'sgd', learningRate: 0.1 }, data: { x: [], y: [] }, batch: { mode: 'mini-batch', size: 33, shuffle: true },
    };
    const train = (): Float64Array[] => {
      const trainer = new Trainer(model, {
        dataset: { x, y, samples, inputs: 784, outputs: 10 }, split: { train: Array.from({ length: samples }, (_, i) => i), validation: [], test: [] },
      }, { trace: false, evaluateEpochs: false });
      for (let step = 0; step < 4; step++) trainer.step();
      return parameters(trainer.network).map((p) => p.slice());
    };
    provideKernel(undefined);
    const plain = train();
    provideKernel(() => bytes);
    const withKernel = train();
    assert.equal(kernelInUse(), 'wasm-simd');
    plain.forEach((p, index) => assertSameBits(withKernel[index], p, `parameter array ${index}`));
  });

  it('the hosts read the kernel from their folder, and fall back to TypeScript where the file is missing or not SIMD', () => {
    const dir = mkdtempSync(join(tmpdir(), 'kernel-'));
    try {
      useKernelIn(dir);
      assert.equal(kernelInUse(), 'typescript', 'no file: the fallback');
      writeFileSync(join(dir, KERNEL_FILE), bytes);
      useKernelIn(dir);
      assert.equal(kernelInUse(), 'wasm-simd');
      writeFileSync(join(dir, KERNEL_FILE), Buffer.from('not wasm'));
      useKernelIn(dir);
      assert.equal(kernelInUse(), 'typescript', 'bytes WebAssembly does not validate: the fallback');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
