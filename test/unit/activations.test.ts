import { strict as assert } from 'node:assert';
import {
  ELEMENTWISE_ACTIVATIONS, activate, applyLocalGradient, localGradient, secondDerivative, softmaxSecondDerivative,
} from '../../src/engine/activations';
import type { ElementwiseActivationName } from '../../src/engine/activations';

const H = 1e-6;

function assertClose(actual: number, expected: number, tol: number, what: string): void {
  const err = Math.abs(actual - expected) / Math.max(Math.abs(actual), Math.abs(expected), 1e-8);
  assert.ok(err < tol, `${what}: got ${actual}, expected ${expected} (relative error ${err})`);
}

// Points away from the kinks of relu and leaky relu at 0 (|z| ≥ 0.3 ≫ h).
const POINTS = [-3.1, -1.2, -0.3, 0.45, 1.7, 2.9];
const CASES: { name: ElementwiseActivationName; slope: number }[] = [
  { name: 'identity', slope: 0 },
  { name: 'sigmoid', slope: 0 },
  { name: 'tanh', slope: 0 },
  { name: 'relu', slope: 0 },
  { name: 'leaky-relu', slope: 0.01 },
  { name: 'leaky-relu', slope: 0.3 },
];

describe('elementwise activations', () => {
  for (const { name, slope } of CASES) {
    const f = ELEMENTWISE_ACTIVATIONS[name];
    it(`${name} (slope ${slope}): f′ and f″ match central differences away from kinks`, () => {
      for (const z of POINTS) {
        const a = f.value(z, slope);
        const numericFirst = (f.value(z + H, slope) - f.value(z - H, slope)) / (2 * H);
        assertClose(f.derivative(z, a, slope), numericFirst, 1e-6, `${name}′(${z})`);
        const dPlus = f.derivative(z + H, f.value(z + H, slope), slope);
        const dMinus = f.derivative(z - H, f.value(z - H, slope), slope);
        const numericSecond = (dPlus - dMinus) / (2 * H);
        const second = f.secondDerivative(z, a, slope);
        if (numericSecond === 0) assert.equal(second, 0, `${name}″(${z})`);
        else assertClose(second, numericSecond, 1e-6, `${name}″(${z})`);
      }
    });
  }

  it('values agree with the textbook formulas', () => {
    for (const z of POINTS) {
      assertClose(ELEMENTWISE_ACTIVATIONS.sigmoid.value(z, 0), 1 / (1 + Math.exp(-z)), 1e-15, 'sigmoid');
      assertClose(ELEMENTWISE_ACTIVATIONS.tanh.value(z, 0), (Math.exp(z) - Math.exp(-z)) / (Math.exp(z) + Math.exp(-z)), 1e-14, 'tanh');
      assert.equal(ELEMENTWISE_ACTIVATIONS.relu.value(z, 0), Math.max(0, z));
      assert.equal(ELEMENTWISE_ACTIVATIONS['leaky-relu'].value(z, 0.2), z > 0 ? z : 0.2 * z);
    }
  });

  it('uses PyTorch conventions at the kinks: ReLU′(0) = 0, leaky ReLU′(0) = slope', () => {
    assert.equal(ELEMENTWISE_ACTIVATIONS.relu.derivative(0, 0, 0), 0);
    assert.equal(ELEMENTWISE_ACTIVATIONS['leaky-relu'].derivative(0, 0, 0.01), 0.01);
    assert.equal(ELEMENTWISE_ACTIVATIONS['leaky-relu'].derivative(0, 0, 0.2), 0.2);
  });

  it('sigmoid stays finite and exact in the tails', () => {
    const s = ELEMENTWISE_ACTIVATIONS.sigmoid;
    assert.equal(s.value(800, 0), 1);
    assert.ok(s.value(-800, 0) >= 0 && Number.isFinite(s.value(-800, 0)));
    assertClose(s.value(-30, 0), Math.exp(-30) / (1 + Math.exp(-30)), 1e-15, 'sigmoid(−30)');
  });

  it('whole-array functions apply the scalar ones element by element', () => {
    const z = new Float64Array([-1, 0.5, 2, -0.25]);
    const a = activate('tanh', 0, z, 2, 2);
    const g = localGradient('tanh', 0, z, a, 2, 2);
    const s = secondDerivative('tanh', 0, z, a, 2, 2);
    z.forEach((v, i) => {
      assert.equal(a[i], Math.tanh(v));
      assert.equal(g[i], 1 - Math.tanh(v) ** 2);
      assert.equal(s[i], -2 * Math.tanh(v) * (1 - Math.tanh(v) ** 2));
    });
    const u = new Float64Array([0.3, -2, 1, 4]);
    applyLocalGradient('tanh', 0, z, a, u, 2, 2).forEach((d, i) => assert.equal(d, g[i] * u[i]));
  });
});

describe('softmax', () => {
  const z = new Float64Array([0.2, -1.3, 2.1, 0.7, 0.1, -0.4]);
  const rows = 2;
  const units = 3;

  it('gives rows of probabilities equal to e^z / Σe^z, and stays finite for huge logits', () => {
    const p = activate('softmax', 0, z, rows, units);
    for (let r = 0; r < rows; r++) {
      const den = [0, 1, 2].reduce((s, k) => s + Math.exp(z[r * units + k]), 0);
      for (let k = 0; k < units; k++) assertClose(p[r * units + k], Math.exp(z[r * units + k]) / den, 1e-15, 'p');
    }
    const big = activate('softmax', 0, new Float64Array([1000, 999, -1000]), 1, 3);
    assertClose(big[0], 1 / (1 + Math.exp(-1)), 1e-15, 'p0');
    assert.equal(big[2], 0);
  });

  it('Jacobian diag(p) − p pᵀ matches central differences', () => {
    const p = activate('softmax', 0, z, rows, units);
    const jac = localGradient('softmax', 0, z, p, rows, units);
    assert.equal(jac.length, rows * units * units);
    for (let r = 0; r < rows; r++) {
      for (let j = 0; j < units; j++) {
        const zp = z.slice();
        const zm = z.slice();
        zp[r * units + j] += H;
        zm[r * units + j] -= H;
        const pp = activate('softmax', 0, zp, rows, units);
        const pm = activate('softmax', 0, zm, rows, units);
        for (let i = 0; i < units; i++) {
          const numeric = (pp[r * units + i] - pm[r * units + i]) / (2 * H);
          assertClose(jac[r * units * units + i * units + j], numeric, 1e-6, `∂p${i}/∂z${j} row ${r}`);
        }
      }
    }
  });

  it('applyLocalGradient gives Jᵀ·upstream without forming J', () => {
    const p = activate('softmax', 0, z, rows, units);
    const jac = localGradient('softmax', 0, z, p, rows, units);
    const u = new Float64Array([0.5, -1, 2, 3, 0.25, -0.75]);
    const delta = applyLocalGradient('softmax', 0, z, p, u, rows, units);
    for (let r = 0; r < rows; r++) {
      for (let j = 0; j < units; j++) {
        let expected = 0;
        for (let i = 0; i < units; i++) expected += jac[r * units * units + i * units + j] * u[r * units + i];
        assertClose(delta[r * units + j], expected, 1e-13, `δ${j}`);
      }
    }
  });

  it('second derivative ∂²p_i/∂z_j∂z_k matches central differences of the Jacobian', () => {
    const p = activate('softmax', 0, z, rows, units);
    for (let r = 0; r < rows; r++) {
      for (let k = 0; k < units; k++) {
        const zp = z.slice();
        const zm = z.slice();
        zp[r * units + k] += H;
        zm[r * units + k] -= H;
        const jp = localGradient('softmax', 0, zp, activate('softmax', 0, zp, rows, units), rows, units);
        const jm = localGradient('softmax', 0, zm, activate('softmax', 0, zm, rows, units), rows, units);
        for (let i = 0; i < units; i++) {
          for (let j = 0; j < units; j++) {
            const at = r * units * units + i * units + j;
            const numeric = (jp[at] - jm[at]) / (2 * H);
            assertClose(softmaxSecondDerivative(p, r * units, i, j, k), numeric, 1e-6, `∂²p${i}/∂z${j}∂z${k}`);
          }
        }
      }
    }
  });

  it('has no elementwise second derivative', () => {
    assert.throws(() => secondDerivative('softmax', 0, z, z, rows, units), /softmaxSecondDerivative/);
  });
});
