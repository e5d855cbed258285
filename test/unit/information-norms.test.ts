import { strict as assert } from 'node:assert';
import {
  coinFlipEntropy, coinFlipEntropyCurve, crossEntropy, distributionProblem, entropy, klDivergence, selfInformation,
} from '../../src/engine/information';
import { cosineSimilarity, hammingDistance, pDistance, pNorm, unitBallBoundary } from '../../src/engine/norms';
import { softmaxRow } from '../../src/engine/activations';
import { perSampleLoss } from '../../src/engine/losses';
import { Rng } from '../../src/engine/rng';

function close(actual: number, expected: number, tolerance = 1e-12, what = ''): void {
  assert.ok(Math.abs(actual - expected) <= tolerance * Math.max(1, Math.abs(expected)), `${what} got ${actual}, expected ${expected}`);
}

function randomDistribution(rng: Rng, n: number): number[] {
  const raw = Array.from({ length: n }, () => rng.uniform() + 0.01);
  const sum = raw.reduce((s, v) => s + v, 0);
  return raw.map((v) => v / sum);
}

describe('information', () => {
  it('self-information is −log p: 1 bit for a fair coin, 3 bits for 1/8, 0 for a sure event', () => {
    close(selfInformation(0.5, 2), 1);
    close(selfInformation(1 / 8, 2), 3);
    close(selfInformation(0.5), Math.LN2);
    assert.equal(selfInformation(1), 0);
    assert.equal(selfInformation(0), Infinity);
    assert.throws(() => selfInformation(1.5), /between 0 and 1, got 1.5/);
  });

  it('entropy: H(½, ½) = log 2, uniform over n = log n, (½, ¼, ¼) = 1.5 bits, a sure outcome = 0', () => {
    close(entropy([0.5, 0.5]), Math.log(2));
    close(entropy([0.5, 0.5], 2), 1);
    for (const n of [3, 7, 10]) close(entropy(Array(n).fill(1 / n)), Math.log(n), 1e-12, `n=${n}`);
    close(entropy([0.5, 0.25, 0.25], 2), 1.5);
    assert.equal(entropy([0, 1, 0]), 0); // 0·log 0 = 0
  });

  it('the coin-flip curve is 0 at the ends, symmetric, and peaks at ½ with log 2', () => {
    const curve = coinFlipEntropyCurve(101);
    assert.equal(curve.entropy[0], 0);
    assert.equal(curve.entropy[100], 0);
    close(curve.entropy[50], Math.LN2);
    for (let i = 0; i <= 100; i++) {
      close(curve.entropy[i], curve.entropy[100 - i], 1e-12, `symmetry at ${i}`);
      assert.ok(curve.entropy[i] <= Math.LN2 + 1e-15);
    }
    const h = 0.2; // closed form −h log h − (1−h) log(1−h)
    close(coinFlipEntropy(h), -h * Math.log(h) - (1 - h) * Math.log(1 - h));
  });

  it('cross-entropy = entropy + KL, KL ≥ 0, KL(p‖p) = 0, in nats and in bits', () => {
    const rng = new Rng(7);
    for (let trial = 0; trial < 20; trial++) {
      const p = randomDistribution(rng, 2 + (trial % 5));
      const q = randomDistribution(rng, p.length);
      for (const base of [Math.E, 2]) {
        close(crossEntropy(p, q, base), entropy(p, base) + klDivergence(p, q, base), 1e-12);
        assert.ok(klDivergence(p, q, base) >= 0);
        assert.equal(klDivergence(p, p, base), 0);
      }
    }
  });

  it('with one-hot targets it equals the engine\'s cross-entropy loss on softmax outputs', () => {
    const z = new Float64Array([1.5, -0.3, 0.2, 4]);
    const q = new Float64Array(4);
    softmaxRow(z, 0, 4, q);
    for (let k = 0; k < 4; k++) {
      const t = new Float64Array(4);
      t[k] = 1;
      const loss = perSampleLoss('cross-entropy', 'softmax', z, q, t, 1, 4)[0];
      close(crossEntropy(Array.from(t), Array.from(q)), loss, 1e-12, `class ${k}`);
    }
  });

  it('is infinite where q rules out an outcome p allows, and names the bad entry otherwise', () => {
    assert.equal(crossEntropy([0.5, 0.5], [1, 0]), Infinity);
    assert.equal(klDivergence([0.5, 0.5], [1, 0]), Infinity);
    assert.equal(distributionProblem([0.2, 0.8]), undefined);
    assert.match(distributionProblem([0.5, -0.1, 0.6], 'q')!, /q\[1\] = -0.1 is not a probability/);
    assert.match(distributionProblem([0.5, 0.6])!, /sums to 1.1/);
    assert.throws(() => crossEntropy([0.5, 0.5], [0.2, 0.3, 0.5]), /p has 2 outcomes but q has 3/);
  });
});

describe('norms and distances', () => {
  it('gives the textbook values for (3, −4): L1 = 7, L2 = 5, L∞ = 4', () => {
    assert.equal(pNorm([3, -4], 1), 7);
    assert.equal(pNorm([3, -4], 2), 5);
    assert.equal(pNorm([3, -4], Infinity), 4);
    for (const p of [1, 1.5, 3, 10]) close(pNorm([1, 1, 1, 1], p), 4 ** (1 / p), 1e-12, `p=${p}`);
    assert.equal(pNorm([0, 0], 3), 0);
  });

  it('‖x‖_p decreases towards ‖x‖_∞ as p grows, with no overflow at large p', () => {
    const x = [0.5, -2, 1.75, 1.9];
    let previous = Infinity;
    for (const p of [1, 2, 4, 8, 16, 64, 256]) {
      const value = pNorm(x, p);
      assert.ok(value <= previous, `p=${p}`);
      assert.ok(value >= 2);
      previous = value;
    }
    close(pNorm(x, 1000), 2, 1e-3);
    close(pNorm([1e200, 1e200], 10), 1e200 * 2 ** 0.1, 1e-12);
  });

  it('distances: Manhattan, Euclidean and Chebyshev between two points', () => {
    assert.equal(pDistance([1, 2], [4, 6], 1), 7);
    assert.equal(pDistance([1, 2], [4, 6], 2), 5);
    assert.equal(pDistance([1, 2], [4, 6], Infinity), 4);
  });

  it('draws unit balls: the diamond |x|+|y| = 1, the circle x²+y² = 1, the square max = 1', () => {
    for (const [x, y] of unitBallBoundary(1, 64)) close(Math.abs(x) + Math.abs(y), 1, 1e-12);
    for (const [x, y] of unitBallBoundary(2, 64)) close(x * x + y * y, 1, 1e-12);
    for (const [x, y] of unitBallBoundary(Infinity, 64)) close(Math.max(Math.abs(x), Math.abs(y)), 1, 1e-12);
    for (const [x, y] of unitBallBoundary(3, 64)) close(Math.abs(x) ** 3 + Math.abs(y) ** 3, 1, 1e-12);
    assert.deepEqual(unitBallBoundary(2, 4)[0], [1, 0]);
  });

  it('cosine similarity: 1 parallel, −1 opposite, 0 orthogonal, 1/√2 at 45°', () => {
    close(cosineSimilarity([1, 2], [2, 4]), 1);
    close(cosineSimilarity([1, 2], [-3, -6]), -1);
    close(cosineSimilarity([1, 0], [0, 5]), 0);
    close(cosineSimilarity([1, 0], [1, 1]), Math.SQRT1_2);
    assert.throws(() => cosineSimilarity([0, 0], [1, 1]), /non-zero/);
  });

  it('Hamming distance counts differing positions', () => {
    assert.equal(hammingDistance('karolin', 'kathrin'), 3);
    assert.equal(hammingDistance([1, 0, 1, 1, 1, 0, 1], [1, 0, 0, 1, 0, 0, 1]), 2);
    assert.throws(() => hammingDistance('ab', 'abc'), /equal lengths, got 2 and 3/);
  });

  it('refuses p < 1 with the reason', () => {
    assert.throws(() => pNorm([1, 2], 0.5), /p must be at least 1/);
    assert.throws(() => unitBallBoundary(0, 16), /p must be at least 1/);
  });
});
