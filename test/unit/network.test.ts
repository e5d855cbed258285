import { strict as assert } from 'node:assert';
import type { ActivationName, LossName } from '../../src/engine/types';
import {
  backwardLayer, createNetwork, forward, forwardLayer, lossAndGradients, newLayerRecord, outputLoss, parameterNames,
  parameters, predict, recordBackward, recordForward,
} from '../../src/engine/network';
import { checkAllParameters, relativeError } from '../../src/engine/gradientCheck';
import { Rng } from '../../src/engine/rng';
import { ELEMENTWISE, PAIRINGS, model, net, spread, targets } from './helpers/engineNets';

const KINKED: ActivationName[] = ['relu', 'leaky-relu'];

function batchFor(inputs: number, rows: number, seed: number): Float64Array {
  return new Float64Array(spread(rows * inputs, seed, 1.5));
}

describe('network', () => {
  it('forwardLayer computes z = W·x + b with W stored [out][in]', () => {
    const n = createNetwork({
      inputs: 2, layers: [{ units: 3, activation: 'identity', weights: [[1, 2], [3, 4], [5, 6]], bias: [0.5, -1, 2] }],
      loss: 'mse', optimizer: { type: 'sgd' }, data: { x: [[0, 0]], y: [[0, 0, 0]] },
    }, new Rng(0));
    const f = forwardLayer(n.layers[0], new Float64Array([1, -1, 2, 0.5]), 2);
    assert.deepEqual(Array.from(f.z), [1 - 2 + 0.5, 3 - 4 - 1, 5 - 6 + 2, 2 + 1 + 0.5, 6 + 2 - 1, 10 + 3 + 2]);
  });

  it('initializes missing weights and biases from U(−1/√in, 1/√in) in the documented order', () => {
    const spec = { inputs: 4, layers: [{ units: 3, activation: 'tanh' as const }, { units: 2, activation: 'identity' as const }],
      loss: 'mse' as const, optimizer: { type: 'sgd' as const }, data: { x: [[0, 0, 0, 0]], y: [[0, 0]] } };
    const n = createNetwork(spec, new Rng(42));
    const rng = new Rng(42);
    const expected: number[] = [];
    for (const [count, fanIn] of [[12, 4], [3, 4], [6, 3], [2, 3]]) {
      const bound = 1 / Math.sqrt(fanIn);
      for (let i = 0; i < count; i++) expected.push((2 * rng.uniform() - 1) * bound);
    }
    assert.deepEqual(parameters(n).flatMap((p) => Array.from(p)), expected);
    for (const layer of n.layers) {
      for (const w of [...layer.weights, ...layer.bias]) assert.ok(Math.abs(w) <= 1 / Math.sqrt(layer.inputs));
    }
    assert.deepEqual(parameters(createNetwork(spec, new Rng(42))), parameters(n));
  });

  it('copies explicit weights and names shape errors by JSON path', () => {
    const m = model(2, [{ units: 2, activation: 'relu' }], 'mse', 1);
    const n = createNetwork(m, new Rng(0));
    assert.deepEqual(Array.from(n.layers[0].weights), m.layers[0].weights!.flat());
    m.layers[0].weights![1] = [1];
    assert.throws(() => createNetwork(m, new Rng(0)), /layers\[0\]\.weights\[1\]: expected 2 numbers/);
  });

  it('lists live parameters in nn.Sequential order with their names', () => {
    const n = net(3, [{ units: 4, activation: 'tanh' }, { units: 2, activation: 'identity' }], 'mse', 1);
    assert.deepEqual(parameterNames(n), ['layers[0].weights', 'layers[0].bias', 'layers[1].weights', 'layers[1].bias']);
    const p = parameters(n);
    assert.equal(p[2], n.layers[1].weights);
    p[3][0] = 42;
    assert.equal(n.layers[1].bias[0], 42);
  });

  it('the per-layer operations fill a LayerRecord and agree with lossAndGradients', () => {
    const n = net(3, [{ units: 4, activation: 'tanh' }, { units: 3, activation: 'softmax' }], 'cross-entropy', 2);
    const rows = 5;
    const x = batchFor(3, rows, 7);
    const y = targets('cross-entropy', rows, 3, 1);
    const spec = { loss: 'cross-entropy' as LossName, regularization: { l2: 0.01 } };
    const records = n.layers.map((layer, l) => newLayerRecord(layer, l, rows));
    const passes = forward(n, x, rows);
    passes.forEach((p, l) => recordForward(records[l], p));
    const out = outputLoss(n, spec, passes[1], y);
    const top = backwardLayer(n.layers[1], passes[1], out.upstream, { delta: out.delta, regularization: { l1: 0, l2: 0.01 }, recordLocalGrad: true, downstream: true });
    recordBackward(records[1], top);
    const bottom = backwardLayer(n.layers[0], passes[0], top.downstream!, { regularization: { l1: 0, l2: 0.01 }, recordLocalGrad: true });
    recordBackward(records[0], bottom);
    assert.equal(records[1].localGrad!.length, rows * 3 * 3);
    assert.equal(records[0].localGrad!.length, rows * 4);
    assert.equal(bottom.downstream, undefined);
    const whole = lossAndGradients(n, spec, x, y, rows);
    assert.equal(whole.loss, out.loss);
    assert.deepEqual([records[0].gradWeights, records[0].gradBias, records[1].gradWeights, records[1].gradBias], whole.grads);
    assert.deepEqual(predict(n, x, rows), records[1].a);
  });

  it('the lecture 2-layer net (ReLU hidden, identity output, MSE): ∂J/∂w¹_nm = (1/N) Σ 2(y − t)·w²_m·ReLU′(n_m)·x_n', () => {
    const inputs = 3;
    const hidden = 4;
    const rows = 6;
    const n = net(inputs, [{ units: hidden, activation: 'relu' }, { units: 1, activation: 'identity' }], 'mse', 3);
    const x = batchFor(inputs, rows, 5);
    const t = targets('mse', rows, 1, 6);
    const { grads } = lossAndGradients(n, { loss: 'mse' }, x, t, rows);
    const [W1, b1, W2, b2] = parameters(n);
    for (let m = 0; m < hidden; m++) {
      for (let i = 0; i < inputs; i++) {
        let sum = 0;
        for (let s = 0; s < rows; s++) {
          let y = b2[0];
          const nm: number[] = [];
          for (let k = 0; k < hidden; k++) {
            let z = b1[k];
            for (let j = 0; j < inputs; j++) z += W1[k * inputs + j] * x[s * inputs + j];
            nm.push(z);
            y += W2[k] * Math.max(0, z);
          }
          sum += 2 * (y - t[s]) * W2[m] * (nm[m] > 0 ? 1 : 0) * x[s * inputs + i];
        }
        const expected = sum / rows;
        assert.ok(relativeError(grads[0][m * inputs + i], expected, 1e-15) < 1e-12, `w¹ from input ${i} to unit ${m}`);
      }
    }
  });

  describe('central finite differences, every activation × loss pairing (relative error < 1e-6)', () => {
    // Hidden activation × (output activation, loss) × regularization. Points are kept away from
    // kinks: every relu/leaky-relu z, every mae residual and (with L1) every weight is at least
    // 1e-3 from 0, which the test asserts before comparing (the step h is about 6e-6). An odd
    // batch size keeps mae's ±1/N terms from cancelling to an exact 0, which a finite difference
    // can only reproduce up to rounding (a relative error of 1). A handful of gradients of order
    // 1e-5 sit so close to the difference quotient's rounding resolution ε·|J|/h (~1e-11) that
    // 1e-6 relative is out of reach for any step; a mismatch within 4 resolutions counts as agreement.
    const regs = [undefined, { l2: 0.02 }, { l1: 0.015, l2: 0.01 }];
    for (const hiddenActivation of ELEMENTWISE) {
      for (const { output, loss } of PAIRINGS) {
        for (const regularization of regs) {
          const label = `${hiddenActivation} → ${output} + ${loss}${regularization ? ' ' + JSON.stringify(regularization) : ''}`;
          it(label, () => {
            const rows = 5;
            const outUnits = loss === 'binary-cross-entropy' ? 2 : 3;
            const n = net(3, [{ units: 4, activation: hiddenActivation, slope: 0.05 }, { units: outUnits, activation: output, slope: 0.05 }], loss, 4);
            const x = batchFor(3, rows, 8);
            const y = targets(loss, rows, outUnits, 2);
            const passes = forward(n, x, rows);
            n.layers.forEach((layer, l) => {
              if (KINKED.includes(layer.activation)) passes[l].z.forEach((z) => assert.ok(Math.abs(z) > 1e-3, `z = ${z} too close to the kink`));
            });
            if (loss === 'mae') passes[1].a.forEach((a, i) => assert.ok(Math.abs(a - y[i]) > 1e-3, 'mae residual too close to 0'));
            if (regularization?.l1) parameters(n).forEach((p) => p.forEach((w) => assert.ok(Math.abs(w) > 1e-3)));
            const { entries } = checkAllParameters(n, { loss, regularization }, { x, y, rows });
            for (const e of entries) {
              const agrees = e.relativeError < 1e-6 || Math.abs(e.analytic - e.numeric) <= 4 * e.resolution;
              assert.ok(agrees, `${e.parameter}[${e.index}]: analytic ${e.analytic}, numeric ${e.numeric}, relative error ${e.relativeError}`);
            }
          });
        }
      }
    }

    it('a 3-layer net with leaky-relu and tanh, softmax + cross-entropy, L1 + L2', () => {
      const rows = 5;
      const n = net(4, [{ units: 5, activation: 'leaky-relu' }, { units: 3, activation: 'tanh' }, { units: 3, activation: 'softmax' }], 'cross-entropy', 9);
      const x = batchFor(4, rows, 3);
      const y = targets('cross-entropy', rows, 3, 0);
      forward(n, x, rows)[0].z.forEach((z) => assert.ok(Math.abs(z) > 1e-3));
      assert.ok(checkAllParameters(n, { loss: 'cross-entropy', regularization: { l1: 0.01, l2: 0.02 } }, { x, y, rows }).maxRelativeError < 1e-6);
    });
  });

  it('reports regLoss separately, on weights only', () => {
    const n = net(2, [{ units: 2, activation: 'tanh' }, { units: 1, activation: 'identity' }], 'mse', 5);
    const x = batchFor(2, 3, 1);
    const y = targets('mse', 3, 1, 1);
    const plain = lossAndGradients(n, { loss: 'mse' }, x, y, 3);
    const reg = lossAndGradients(n, { loss: 'mse', regularization: { l1: 0.1, l2: 0.2 } }, x, y, 3);
    let expected = 0;
    for (const layer of n.layers) for (const w of layer.weights) expected += 0.1 * Math.abs(w) + 0.2 * w * w;
    assert.equal(reg.dataLoss, plain.loss);
    assert.ok(Math.abs(reg.regLoss - expected) < 1e-15);
    assert.equal(reg.loss, reg.dataLoss + reg.regLoss);
    assert.deepEqual(reg.grads[1], plain.grads[1]); // biases untouched
  });
});
