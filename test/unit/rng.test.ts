import { strict as assert } from 'node:assert';
import { Rng } from '../../src/engine/rng';

// An independent sfc32 + splitmix32 written with BigInt arithmetic, to pin the Math.imul/>>>0
// implementation to the published algorithms (so it is the same on every machine).
function referenceStream(seed: number, count: number): number[] {
  const M = 0xffffffffn;
  let s = BigInt(seed >>> 0);
  const words: bigint[] = [];
  for (let i = 0; i < 4; i++) {
    s = (s + 0x9e3779b9n) & M;
    let z = s;
    z = ((z ^ (z >> 16n)) * 0x85ebca6bn) & M;
    z = ((z ^ (z >> 13n)) * 0xc2b2ae35n) & M;
    words.push((z ^ (z >> 16n)) & M);
  }
  let [a, b, c, d] = words;
  const next = (): bigint => {
    const t = (a + b + d) & M;
    d = (d + 1n) & M;
    a = b ^ (b >> 9n);
    b = (c + (c << 3n)) & M;
    c = ((c << 21n) | (c >> 11n)) & M;
    c = (c + t) & M;
    return t;
  };
  for (let i = 0; i < 12; i++) next();
  return Array.from({ length: count }, () => Number(next()));
}

describe('Rng', () => {
  it('matches a BigInt reference of sfc32 seeded by splitmix32', () => {
    for (const seed of [0, 1, 42, 123456789, 0xffffffff]) {
      const rng = new Rng(seed);
      const ours = Array.from({ length: 50 }, () => rng.nextUint32());
      assert.deepEqual(ours, referenceStream(seed, 50), `seed ${seed}`);
    }
  });

  it('gives the same stream for the same seed and different streams for neighbouring seeds', () => {
    const a = new Rng(7);
    const b = new Rng(7);
    const c = new Rng(8);
    const sa = Array.from({ length: 20 }, () => a.uniform());
    assert.deepEqual(Array.from({ length: 20 }, () => b.uniform()), sa);
    assert.notDeepEqual(Array.from({ length: 20 }, () => c.uniform()), sa);
  });

  it('uniform lies in [0, 1) with mean ≈ 1/2 and variance ≈ 1/12', () => {
    const rng = new Rng(3);
    const n = 100000;
    let sum = 0;
    let sq = 0;
    for (let i = 0; i < n; i++) {
      const u = rng.uniform();
      assert.ok(u >= 0 && u < 1, `uniform out of range: ${u}`);
      sum += u;
      sq += u * u;
    }
    const mean = sum / n;
    assert.ok(Math.abs(mean - 0.5) < 0.005, `mean ${mean}`);
    assert.ok(Math.abs(sq / n - mean * mean - 1 / 12) < 0.002);
  });

  it('normal has mean ≈ 0 and variance ≈ 1', () => {
    const rng = new Rng(5);
    const n = 100000;
    let sum = 0;
    let sq = 0;
    for (let i = 0; i < n; i++) {
      const v = rng.normal();
      sum += v;
      sq += v * v;
    }
    assert.ok(Math.abs(sum / n) < 0.02, `mean ${sum / n}`);
    assert.ok(Math.abs(sq / n - 1) < 0.02, `variance ${sq / n}`);
  });

  it('int(n) covers 0..n−1 evenly', () => {
    const rng = new Rng(11);
    const counts = new Array(7).fill(0);
    for (let i = 0; i < 70000; i++) counts[rng.int(7)]++;
    for (const c of counts) assert.ok(Math.abs(c - 10000) < 400, `counts ${counts}`);
    assert.throws(() => rng.int(0), /n must be an integer/);
    assert.throws(() => rng.int(2.5), /n must be an integer/);
  });

  it('shuffle permutes deterministically', () => {
    const items = Array.from({ length: 20 }, (_, i) => i);
    const a = items.slice();
    const b = items.slice();
    new Rng(9).shuffle(a);
    new Rng(9).shuffle(b);
    assert.deepEqual(a, b);
    assert.notDeepEqual(a, items);
    assert.deepEqual(a.slice().sort((x, y) => x - y), items);
  });

  it('restores its state exactly, including the pending second normal', () => {
    const rng = new Rng(21);
    rng.uniform();
    rng.normal(); // leaves the Box–Muller spare pending
    const state = rng.getState();
    assert.equal(state[4], 1);
    const expected = [rng.normal(), rng.uniform(), rng.normal(), rng.int(100)];
    const other = new Rng(999);
    other.setState(JSON.parse(JSON.stringify(state)));
    assert.deepEqual([other.normal(), other.uniform(), other.normal(), other.int(100)], expected);
  });

  it('rejects a malformed state with a message', () => {
    const rng = new Rng(1);
    assert.throws(() => rng.setState([1, 2, 3]), /expected 6 numbers/);
    assert.throws(() => rng.setState([1, 2, -3, 4, 0, 0]), /state\[2\]/);
    assert.throws(() => new Rng(NaN), /seed must be a finite number/);
  });
});
