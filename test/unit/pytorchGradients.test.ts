// Losses and gradients against torch.autograd (float64), from the committed fixture written by
// scripts/fixtures/pytorch_gradients.py.
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ActivationName, LossName, ModelFile } from '../../src/engine/types';
import { createNetwork, lossAndGradients } from '../../src/engine/network';
import { relativeError } from '../../src/engine/gradientCheck';
import { Rng } from '../../src/engine/rng';

interface FixtureCase {
  name: string;
  inputs: number;
  layers: { units: number; activation: ActivationName; slope: number; weights: number[][]; bias: number[] }[];
  loss: LossName;
  regularization: { l1?: number; l2?: number } | null;
  x: number[][];
  y: number[][];
  expected: { loss: number; dataLoss: number; regLoss: number; grads: number[][] };
}

const fixture: { cases: FixtureCase[] } = JSON.parse(
  readFileSync(join(__dirname, '..', 'fixtures', 'pytorch', 'gradients.json'), 'utf8'),
);

const TOL = 1e-9;

function assertClose(actual: number, expected: number, what: string): void {
  const err = relativeError(actual, expected, 1e-15);
  assert.ok(err < TOL, `${what}: engine ${actual}, PyTorch ${expected} (relative error ${err})`);
}

describe('PyTorch parity: losses and gradients (float64, relative error < 1e-9)', () => {
  it('covers every pairing with and without regularization', () => {
    assert.equal(fixture.cases.length, 84);
  });

  for (const c of fixture.cases) {
    it(c.name, () => {
      const model: ModelFile = {
        inputs: c.inputs, layers: c.layers, loss: c.loss, optimizer: { type: 'sgd' }, data: { x: c.x, y: c.y },
      };
      const net = createNetwork(model, new Rng(0));
      const spec = { loss: c.loss, regularization: c.regularization ?? undefined };
      const result = lossAndGradients(net, spec, new Float64Array(c.x.flat()), new Float64Array(c.y.flat()), c.x.length);
      assertClose(result.loss, c.expected.loss, 'loss');
      assertClose(result.dataLoss, c.expected.dataLoss, 'dataLoss');
      if (c.expected.regLoss === 0) assert.equal(result.regLoss, 0);
      else assertClose(result.regLoss, c.expected.regLoss, 'regLoss');
      c.expected.grads.forEach((g, p) => {
        assert.equal(result.grads[p].length, g.length);
        g.forEach((v, i) => assertClose(result.grads[p][i], v, `grads[${p}][${i}]`));
      });
    });
  }
});
