import { strict as assert } from 'node:assert';
import { explainChainRule, type ParameterTarget } from '../../src/engine/chainRule';
import { lossAndGradients, parameters } from '../../src/engine/network';
import type { LossSpec } from '../../src/engine/losses';
import type { Network } from '../../src/engine/network';
import { ELEMENTWISE, PAIRINGS, net, spread, targets } from './helpers/engineNets';

function allTargets(n: Network): ParameterTarget[] {
  return n.layers.flatMap((layer, l) => [
    ...Array.from({ length: layer.units * layer.inputs }, (_, i) => ({ layer: l, kind: 'weight' as const, out: Math.floor(i / layer.inputs), in: i % layer.inputs })),
    ...Array.from({ length: layer.units }, (_, m) => ({ layer: l, kind: 'bias' as const, out: m })),
  ]);
}

function assertChainMatchesBackprop(n: Network, spec: LossSpec, rows: number, seed: number): void {
  const x = new Float64Array(spread(rows * n.inputs, seed, 1.5));
  const outUnits = n.layers[n.layers.length - 1].units;
  const y = targets(spec.loss, rows, outUnits, seed);
  const { grads } = lossAndGradients(n, spec, x, y, rows);
  for (const target of allTargets(n)) {
    const e = explainChainRule(n, spec, { x, y, rows }, target, { finiteDifference: false });
    const layer = n.layers[target.layer];
    const g = target.kind === 'weight' ? grads[2 * target.layer][target.out * layer.inputs + target.in] : grads[2 * target.layer + 1][target.out];
    assert.ok(Math.abs(e.total - g) <= 1e-12 * Math.max(1, Math.abs(g)), `${e.parameter.name}: chain ${e.total} vs gradWeights ${g}`);
    // Σᵢ δᵢ of the unit is its bias gradient (regularization leaves biases alone).
    const gb = grads[2 * target.layer + 1][target.out];
    assert.ok(Math.abs(e.sharedDelta.sum - gb) <= 1e-12 * Math.max(1, Math.abs(gb)), `${e.parameter.name}: Σ δ ${e.sharedDelta.sum} vs ∂J/∂b ${gb}`);
    for (let r = 0; r < rows; r++) {
      const product = e.factors.reduce((p, f) => p * f.perSample[r], 1);
      assert.equal(e.product.perSample[r], product);
    }
    for (const f of e.factors) {
      if (!f.sum) continue;
      for (let r = 0; r < rows; r++) {
        const sum = f.sum.terms.reduce((s, t) => s + t.left[r] * t.right[r], 0);
        assert.ok(Math.abs(sum - f.perSample[r]) <= 1e-12 * Math.max(1, Math.abs(sum)), `${f.symbol} sample ${r}: Σ terms ${sum} vs ${f.perSample[r]}`);
        for (const t of f.sum.terms) assert.equal(t.product[r], t.left[r] * t.right[r]);
      }
    }
  }
}

describe('chain-rule explanation', () => {
  it('the lecture net (ReLU hidden, identity output, MSE) reads ∂J/∂y · ∂y/∂n · ∂n/∂h_m · ∂h_m/∂n_m · ∂n_m/∂w', () => {
    const rows = 4;
    const n = net(2, [{ units: 3, activation: 'relu' }, { units: 1, activation: 'identity' }], 'mse', 1);
    const x = new Float64Array(spread(rows * 2, 5, 1.5));
    const t = targets('mse', rows, 1, 3);
    const e = explainChainRule(n, { loss: 'mse' }, { x, y: t, rows }, { layer: 0, kind: 'weight', out: 2, in: 1 });
    assert.deepEqual(e.factors.map((f) => f.role), ['loss-gradient', 'activation-gradient', 'weight-above', 'activation-gradient', 'input']);
    assert.deepEqual(e.factors.map((f) => f.computedOnce), [true, true, true, true, false]);
    assert.equal(e.parameter.symbol, 'w¹₂₃');
    assert.equal(e.parameter.name, 'layers[0].weights[2][1]');
    const [W1, b1, W2, b2] = parameters(n);
    for (let s = 0; s < rows; s++) {
      const nm = [0, 1, 2].map((m) => b1[m] + W1[m * 2] * x[s * 2] + W1[m * 2 + 1] * x[s * 2 + 1]);
      const y = b2[0] + nm.reduce((acc, v, m) => acc + W2[m] * Math.max(0, v), 0);
      // Derivatives of the batch loss J = (1/N) Σ (y − t)²: the 1/N sits in ∂J/∂y.
      const expected = [(2 * (y - t[s])) / rows, 1, W2[2], nm[2] > 0 ? 1 : 0, x[s * 2 + 1]];
      e.factors.forEach((f, i) => assert.ok(Math.abs(f.perSample[s] - expected[i]) < 1e-14, `${f.symbol} sample ${s}`));
    }
    assert.equal(e.regularization, null);
    assert.ok(e.finiteDifference!.relativeError < 1e-6);
    assert.ok(Math.abs(e.total - e.engineGradient) <= 1e-12);
  });

  it('marks the delta from several units above as one computed-once sum Σ_k W_km δ_k', () => {
    const n = net(3, [{ units: 4, activation: 'tanh' }, { units: 3, activation: 'softmax' }], 'cross-entropy', 2);
    const rows = 3;
    const x = new Float64Array(spread(rows * 3, 1, 1.5));
    const y = targets('cross-entropy', rows, 3, 0);
    const e = explainChainRule(n, { loss: 'cross-entropy', regularization: { l1: 0.01, l2: 0.02 } }, { x, y, rows }, { layer: 0, kind: 'weight', out: 1, in: 2 });
    assert.deepEqual(e.factors.map((f) => f.role), ['backprop-sum', 'activation-gradient', 'input']);
    assert.equal(e.factors[0].sum!.terms.length, 3);
    assert.ok(e.factors[0].computedOnce);
    const w = n.layers[0].weights[1 * 3 + 2];
    assert.equal(e.regularization!.value, 0.01 * Math.sign(w) + 2 * 0.02 * w);
    assert.equal(e.total, e.product.sum + e.regularization!.value);
    // The shared delta is the product of the computed-once factors.
    for (let r = 0; r < rows; r++) {
      const shared = e.factors.filter((f) => f.computedOnce).reduce((p, f) => p * f.perSample[r], 1);
      assert.ok(Math.abs(shared - e.sharedDelta.perSample[r]) < 1e-14);
    }
    assert.ok(e.finiteDifference!.relativeError < 1e-6);
  });

  it('uses the combined δ = p − t for softmax + cross-entropy and sigmoid + binary cross-entropy', () => {
    const n = net(2, [{ units: 2, activation: 'sigmoid' }], 'binary-cross-entropy', 3);
    const rows = 2;
    const x = new Float64Array([0.5, -1, 2, 0.25]);
    const y = new Float64Array([1, 0, 0, 1]);
    const e = explainChainRule(n, { loss: 'binary-cross-entropy' }, { x, y, rows }, { layer: 0, kind: 'bias', out: 1 });
    assert.deepEqual(e.factors.map((f) => f.role), ['output-delta', 'input']);
    const [W, b] = parameters(n);
    for (let r = 0; r < rows; r++) {
      const p = 1 / (1 + Math.exp(-(b[1] + W[2] * x[r * 2] + W[3] * x[r * 2 + 1])));
      assert.ok(Math.abs(e.factors[0].perSample[r] - (p - y[r * 2 + 1]) / rows) < 1e-15);
    }
    assert.equal(e.notes.length, 1);
  });

  describe('the product of the factors equals gradWeights to 1e-12 for every parameter', () => {
    for (const hidden of ELEMENTWISE) {
      for (const { output, loss } of PAIRINGS) {
        it(`${hidden} → ${output} + ${loss}, with L1 + L2`, () => {
          const n = net(3, [{ units: 4, activation: hidden }, { units: 3, activation: output }], loss, 6);
          assertChainMatchesBackprop(n, { loss, regularization: { l1: 0.01, l2: 0.02 } }, 4, 2);
        });
      }
    }
    it('three layers, one unit in the middle (delta-above) and a deep sum', () => {
      const n = net(3, [{ units: 4, activation: 'leaky-relu' }, { units: 1, activation: 'tanh' }, { units: 2, activation: 'sigmoid' }], 'binary-cross-entropy', 7);
      assertChainMatchesBackprop(n, { loss: 'binary-cross-entropy' }, 3, 4);
      const x = new Float64Array(spread(9, 4, 1.5));
      const e = explainChainRule(n, { loss: 'binary-cross-entropy' }, { x, y: targets('binary-cross-entropy', 3, 2, 4), rows: 3 }, { layer: 1, kind: 'weight', out: 0, in: 3 });
      assert.deepEqual(e.factors.map((f) => f.role), ['backprop-sum', 'activation-gradient', 'input']);
      const deeper = explainChainRule(n, { loss: 'binary-cross-entropy' }, { x, y: targets('binary-cross-entropy', 3, 2, 4), rows: 3 }, { layer: 0, kind: 'weight', out: 0, in: 0 });
      assert.deepEqual(deeper.factors.map((f) => f.role), ['delta-above', 'weight-above', 'activation-gradient', 'input']);
    });
  });

  it('names a parameter that does not exist', () => {
    const n = net(2, [{ units: 2, activation: 'relu' }], 'mse', 1);
    const batch = { x: new Float64Array(2), y: new Float64Array(2), rows: 1 };
    assert.throws(() => explainChainRule(n, { loss: 'mse' }, batch, { layer: 3, kind: 'bias', out: 0 }), /layer 3 does not exist/);
    assert.throws(() => explainChainRule(n, { loss: 'mse' }, batch, { layer: 0, kind: 'weight', out: 0, in: 5 }), /inputs 0\.\.1, not 5/);
  });
});
