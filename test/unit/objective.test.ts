// The Objective's exact Hessian (R-operator) and residual Jacobian against central finite
// differences of the analytic gradient / of the residuals.
import { strict as assert } from 'node:assert';
import { createObjective } from '../../src/engine/objective';
import { createNetwork, parameters, type Network } from '../../src/engine/network';
import type { LossSpec } from '../../src/engine/losses';
import { Rng } from '../../src/engine/rng';
import type { ActivationName, LossName, ModelFile } from '../../src/engine/types';

interface Case {
  name: string;
  sizes: number[]; // inputs, hidden..., outputs
  activations: ActivationName[];
  loss: LossName;
  regularization?: { l1?: number; l2?: number };
}

const cases: Case[] = [
  { name: 'tanh → identity, mse', sizes: [3, 4, 2], activations: ['tanh', 'identity'], loss: 'mse' },
  { name: 'sigmoid → tanh → identity, mse + l2', sizes: [2, 3, 3, 1], activations: ['sigmoid', 'tanh', 'identity'], loss: 'mse', regularization: { l2: 0.05 } },
  { name: 'tanh → softmax, cross-entropy', sizes: [3, 4, 3], activations: ['tanh', 'softmax'], loss: 'cross-entropy' },
  { name: 'leaky-relu → sigmoid, binary cross-entropy', sizes: [2, 5, 2], activations: ['leaky-relu', 'sigmoid'], loss: 'binary-cross-entropy' },
  { name: 'sigmoid → softmax, mse', sizes: [2, 3, 3], activations: ['sigmoid', 'softmax'], loss: 'mse' },
  { name: 'relu → sigmoid, mse + l1 (zero curvature) + l2', sizes: [3, 4, 2], activations: ['relu', 'sigmoid'], loss: 'mse', regularization: { l1: 0.01, l2: 0.02 } },
];

const ROWS = 7;

function setup(c: Case, seed = 3) {
  const rng = new Rng(seed);
  const inputs = c.sizes[0];
  const outputs = c.sizes[c.sizes.length - 1];
  const model = {
    inputs,
    layers: c.activations.map((activation, l) => ({ units: c.sizes[l + 1], activation })),
    loss: c.loss,
    optimizer: { type: 'newton' },
    data: { x: [], y: [] },
  } as unknown as ModelFile;
  const net: Network = createNetwork(model, rng);
  // Scale the weights up a little so the nonlinearities are well inside their curved parts.
  for (const p of parameters(net)) for (let j = 0; j < p.length; j++) p[j] *= 1.5;
  const x = Float64Array.from({ length: ROWS * inputs }, () => 2 * rng.uniform() - 1);
  const y = new Float64Array(ROWS * outputs);
  for (let r = 0; r < ROWS; r++) {
    if (c.loss === 'cross-entropy') y[r * outputs + (r % outputs)] = 1;
    else for (let k = 0; k < outputs; k++) y[r * outputs + k] = c.loss === 'binary-cross-entropy' ? (r + k) % 2 : Math.sin(r + k);
  }
  const lossSpec: LossSpec = { loss: c.loss, regularization: c.regularization };
  return { net, objective: createObjective(net, lossSpec, { x, y, rows: ROWS }), params: parameters(net).map((p) => p.slice()) };
}

const flat = (arrays: Float64Array[]): number[] => arrays.flatMap((a) => [...a]);

/** Adds h to flattened coordinate j of a copy of params. */
function shifted(params: Float64Array[], j: number, h: number): Float64Array[] {
  const copy = params.map((p) => p.slice());
  for (const p of copy) {
    if (j < p.length) {
      p[j] += h;
      return copy;
    }
    j -= p.length;
  }
  throw new Error('index out of range');
}

describe('objective: exact Hessian', () => {
  for (const c of cases) {
    it(`${c.name}: equals central differences of the gradient and is symmetric`, () => {
      const { objective, params } = setup(c);
      const H = objective.hessian!(params);
      const P = flat(params).length;
      assert.equal(H.length, P * P);
      const h = 1e-5;
      let worst = 0;
      let largest = 0;
      for (let k = 0; k < P; k++) {
        const plus = flat(objective.evaluate(shifted(params, k, h)).grads);
        const minus = flat(objective.evaluate(shifted(params, k, -h)).grads);
        for (let j = 0; j < P; j++) {
          const fd = (plus[j] - minus[j]) / (2 * h);
          worst = Math.max(worst, Math.abs(H[j * P + k] - fd));
          largest = Math.max(largest, Math.abs(fd));
        }
      }
      assert.ok(largest > 1e-2, 'the Hessian should not be trivially small');
      assert.ok(worst < 1e-7 * Math.max(1, largest), `max |H − FD| = ${worst} (max |H| ${largest})`);
      for (let j = 0; j < P; j++) {
        for (let k = 0; k < j; k++) {
          assert.ok(Math.abs(H[j * P + k] - H[k * P + j]) < 1e-12 * Math.max(1, largest), `H[${j}][${k}] ≠ H[${k}][${j}]`);
        }
      }
    });
  }

  it('leaves the network it was built from untouched', () => {
    const { net, objective, params } = setup(cases[0]);
    const before = flat(parameters(net));
    objective.hessian!(shifted(params, 0, 0.3));
    objective.evaluate(shifted(params, 1, 0.3));
    assert.deepEqual(flat(parameters(net)), before);
  });
});

describe('objective: residuals and their Jacobian (mse)', () => {
  for (const c of cases.filter((k) => k.loss === 'mse' && !k.regularization?.l1)) {
    it(`${c.name}: Σr² = J and the Jacobian equals central differences of r`, () => {
      const { objective, params } = setup(c);
      const { residuals, jacobian } = objective.residuals!(params);
      const sumOfSquares = residuals.reduce((s, r) => s + r * r, 0);
      const { loss } = objective.evaluate(params);
      assert.ok(Math.abs(sumOfSquares - loss) < 1e-13 * loss, `Σr² ${sumOfSquares} vs J ${loss}`);
      const P = flat(params).length;
      const R = residuals.length;
      const h = 1e-6;
      let worst = 0;
      for (let k = 0; k < P; k++) {
        const plus = objective.residuals!(shifted(params, k, h)).residuals;
        const minus = objective.residuals!(shifted(params, k, -h)).residuals;
        for (let r = 0; r < R; r++) worst = Math.max(worst, Math.abs(jacobian[r * P + k] - (plus[r] - minus[r]) / (2 * h)));
      }
      assert.ok(worst < 1e-8, `max |Jac − FD| = ${worst}`);
    });
  }

  it('is not offered for other losses, nor with l1 regularization', () => {
    assert.equal(setup(cases[2]).objective.residuals, undefined);
    assert.equal(setup(cases[5]).objective.residuals, undefined);
  });
});
