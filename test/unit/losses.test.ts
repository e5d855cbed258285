import { strict as assert } from 'node:assert';
import type { ActivationName, LossName } from '../../src/engine/types';
import { activate } from '../../src/engine/activations';
import {
  lossPairingProblem, lossUpstream, meanLoss, outputDelta, outputHessianZ, perSampleLoss,
  regularizationGradient, regularizationLoss,
} from '../../src/engine/losses';
import { PAIRINGS, targets } from './helpers/engineNets';

const H = 1e-6;

function assertClose(actual: number, expected: number, tol: number, what: string): void {
  const err = Math.abs(actual - expected) / Math.max(Math.abs(actual), Math.abs(expected), 1e-8);
  assert.ok(err < tol, `${what}: got ${actual}, expected ${expected} (relative error ${err})`);
}

const rows = 3;
const units = 3;
// Logits away from the relu/leaky kinks and, for mae, with |a − t| far from 0 (checked below).
const Z = new Float64Array([0.8, -1.1, 0.35, -0.6, 1.9, -0.25, 1.3, 0.45, -2.2]);

/** J as a function of the output layer's z, through the activation. */
function lossOfZ(loss: LossName, act: ActivationName, z: Float64Array, t: Float64Array): number {
  const a = activate(act, 0.01, z, rows, units);
  return meanLoss(perSampleLoss(loss, act, z, a, t, rows, units), rows);
}

describe('loss values', () => {
  it('mse and mae sum over units and average over samples', () => {
    const a = new Float64Array([1, 2, 0.5, -1]);
    const t = new Float64Array([0, 4, 0.5, 1]);
    // sample 0: 1 + 4, sample 1: 0 + 4 → mean 4.5; mae: (1 + 2, 0 + 2) → 2.5
    assert.equal(meanLoss(perSampleLoss('mse', 'identity', a, a, t, 2, 2), 2), 4.5);
    assert.equal(meanLoss(perSampleLoss('mae', 'identity', a, a, t, 2, 2), 2), 2.5);
  });

  it('cross-entropy is −Σ t log p, and finite for a logit of 1000', () => {
    const t = targets('cross-entropy', rows, units, 0);
    const p = activate('softmax', 0, Z, rows, units);
    const per = perSampleLoss('cross-entropy', 'softmax', Z, p, t, rows, units);
    for (let r = 0; r < rows; r++) {
      let expected = 0;
      for (let k = 0; k < units; k++) expected -= t[r * units + k] * Math.log(p[r * units + k]);
      assertClose(per[r], expected, 1e-14, `ℓ${r}`);
    }
    const z = new Float64Array([1000, 0]);
    const huge = perSampleLoss('cross-entropy', 'softmax', z, activate('softmax', 0, z, 1, 2), new Float64Array([0, 1]), 1, 2);
    assert.equal(huge[0], 1000);
  });

  it('binary cross-entropy is −[t log p + (1−t) log(1−p)], and finite for saturated logits', () => {
    const t = targets('binary-cross-entropy', rows, units, 1);
    const p = activate('sigmoid', 0, Z, rows, units);
    const per = perSampleLoss('binary-cross-entropy', 'sigmoid', Z, p, t, rows, units);
    for (let r = 0; r < rows; r++) {
      let expected = 0;
      for (let k = 0; k < units; k++) {
        const i = r * units + k;
        expected -= t[i] * Math.log(p[i]) + (1 - t[i]) * Math.log(1 - p[i]);
      }
      assertClose(per[r], expected, 1e-13, `ℓ${r}`);
    }
    const z = new Float64Array([800, -800]);
    const sat = perSampleLoss('binary-cross-entropy', 'sigmoid', z, activate('sigmoid', 0, z, 1, 2), new Float64Array([0, 1]), 1, 2);
    assert.equal(sat[0], 1600);
  });

  it('rejects cross-entropies without their output activation', () => {
    assert.match(lossPairingProblem('cross-entropy', 'sigmoid')!, /needs a "softmax" output layer/);
    assert.match(lossPairingProblem('binary-cross-entropy', 'softmax')!, /needs a "sigmoid" output layer/);
    assert.equal(lossPairingProblem('mse', 'softmax'), undefined);
    assert.throws(() => perSampleLoss('cross-entropy', 'tanh', Z, Z, Z, rows, units), /needs a "softmax"/);
  });
});

describe('loss gradients', () => {
  for (const { output, loss } of PAIRINGS) {
    it(`${output} + ${loss}: ∂J/∂z matches central differences`, () => {
      const t = targets(loss, rows, units, 2);
      const a = activate(output, 0.01, Z, rows, units);
      if (loss === 'mae') for (let i = 0; i < a.length; i++) assert.ok(Math.abs(a[i] - t[i]) > 1e-3, 'mae point too close to its kink');
      const upstream = lossUpstream(loss, a, t, rows, units);
      const delta = outputDelta(loss, output, 0.01, Z, a, t, upstream, rows, units);
      for (let i = 0; i < Z.length; i++) {
        const zp = Z.slice();
        const zm = Z.slice();
        zp[i] += H;
        zm[i] -= H;
        const numeric = (lossOfZ(loss, output, zp, t) - lossOfZ(loss, output, zm, t)) / (2 * H);
        assertClose(delta[i], numeric, 1e-6, `δ[${i}]`);
      }
    });

    it(`${output} + ${loss}: ∂²J/∂z∂z matches central differences of δ`, () => {
      const t = targets(loss, rows, units, 2);
      const deltaAt = (z: Float64Array): Float64Array => {
        const a = activate(output, 0.01, z, rows, units);
        return outputDelta(loss, output, 0.01, z, a, t, lossUpstream(loss, a, t, rows, units), rows, units);
      };
      const a = activate(output, 0.01, Z, rows, units);
      const hessian = outputHessianZ(loss, output, 0.01, Z, a, t, lossUpstream(loss, a, t, rows, units), rows, units);
      for (let r = 0; r < rows; r++) {
        for (let k = 0; k < units; k++) {
          const zp = Z.slice();
          const zm = Z.slice();
          zp[r * units + k] += H;
          zm[r * units + k] -= H;
          const dp = deltaAt(zp);
          const dm = deltaAt(zm);
          for (let j = 0; j < units; j++) {
            const numeric = (dp[r * units + j] - dm[r * units + j]) / (2 * H);
            const value = hessian[r * units * units + j * units + k];
            if (Math.abs(numeric) < 1e-9) assert.ok(Math.abs(value) < 1e-9, `H[${r}][${j}][${k}] = ${value}, expected 0`);
            else assertClose(value, numeric, 1e-6, `H[${r}][${j}][${k}]`);
          }
        }
      }
    });
  }

  for (const loss of ['mse', 'mae', 'cross-entropy', 'binary-cross-entropy'] as LossName[]) {
    it(`${loss}: ∂J/∂a matches central differences of J(a)`, () => {
      const t = targets(loss, rows, units, 3);
      const act: ActivationName = loss === 'cross-entropy' ? 'softmax' : 'sigmoid';
      const a = activate(act, 0, Z, rows, units);
      // J written directly as a function of a, independently of the engine's loss code.
      const J = (p: Float64Array): number => {
        let s = 0;
        for (let i = 0; i < p.length; i++) {
          if (loss === 'mse') s += (p[i] - t[i]) ** 2;
          if (loss === 'mae') s += Math.abs(p[i] - t[i]);
          if (loss === 'cross-entropy') s -= t[i] * Math.log(p[i]);
          if (loss === 'binary-cross-entropy') s -= t[i] * Math.log(p[i]) + (1 - t[i]) * Math.log(1 - p[i]);
        }
        return s / rows;
      };
      const upstream = lossUpstream(loss, a, t, rows, units);
      for (let i = 0; i < a.length; i++) {
        const ap = a.slice();
        const am = a.slice();
        ap[i] += H;
        am[i] -= H;
        assertClose(upstream[i], (J(ap) - J(am)) / (2 * H), 1e-6, `∂J/∂a[${i}]`);
      }
    });
  }

  it('softmax + cross-entropy and sigmoid + binary cross-entropy give δ = (p − t)/N', () => {
    for (const [loss, act] of [['cross-entropy', 'softmax'], ['binary-cross-entropy', 'sigmoid']] as [LossName, ActivationName][]) {
      const t = targets(loss, rows, units, 4);
      const a = activate(act, 0, Z, rows, units);
      const delta = outputDelta(loss, act, 0, Z, a, t, lossUpstream(loss, a, t, rows, units), rows, units);
      for (let r = 0; r < rows; r++) {
        const den = [0, 1, 2].reduce((s, k) => s + Math.exp(Z[r * units + k]), 0);
        for (let k = 0; k < units; k++) {
          const i = r * units + k;
          const p = act === 'softmax' ? Math.exp(Z[i]) / den : 1 / (1 + Math.exp(-Z[i]));
          assertClose(delta[i], (p - t[i]) / rows, 1e-13, `${loss} δ[${i}]`);
        }
      }
    }
  });

  it('keeps δ finite where the cross-entropy upstream −t/(N·p) is infinite', () => {
    const z = new Float64Array([0, 800]); // p0 underflows to 0 and is the target
    const p = activate('softmax', 0, z, 1, 2);
    const t = new Float64Array([1, 0]);
    const upstream = lossUpstream('cross-entropy', p, t, 1, 2);
    assert.equal(upstream[0], -Infinity);
    assert.equal(upstream[1], 0);
    assert.deepEqual(Array.from(outputDelta('cross-entropy', 'softmax', 0, z, p, t, upstream, 1, 2)), [-1, 1]);
  });

  it('mae uses |x|′(0) = 0', () => {
    const a = new Float64Array([1, 2]);
    assert.deepEqual(Array.from(lossUpstream('mae', a, new Float64Array([1, 3]), 1, 2)), [0, -1]);
  });
});

describe('regularization', () => {
  const w = new Float64Array([0.5, -2, 0, 1.5]);
  const reg = { l1: 0.1, l2: 0.03 };

  it('is λ1‖W‖₁ + λ2‖W‖₂²', () => {
    assertClose(regularizationLoss(w, reg), 0.1 * 4 + 0.03 * (0.25 + 4 + 0 + 2.25), 1e-15, 'R(W)');
    assert.equal(regularizationLoss(w, { l1: 0, l2: 0 }), 0);
  });

  it('has gradient λ1·sign(w) + 2λ2·w, matching central differences away from 0 and using sign(0) = 0', () => {
    const g = regularizationGradient(w, reg, new Float64Array(4), false);
    for (const i of [0, 1, 3]) {
      const wp = w.slice();
      const wm = w.slice();
      wp[i] += H;
      wm[i] -= H;
      assertClose(g[i], (regularizationLoss(wp, reg) - regularizationLoss(wm, reg)) / (2 * H), 1e-6, `∂R/∂w${i}`);
    }
    assert.equal(g[2], 0);
    const acc = regularizationGradient(w, reg, new Float64Array([1, 1, 1, 1]), true);
    acc.forEach((v, i) => assert.equal(v, 1 + g[i]));
  });
});
