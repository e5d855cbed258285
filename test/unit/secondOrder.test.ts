// Newton, Levenberg–Marquardt, conjugate gradient and L-BFGS on the whole training set:
// behaviours with independent yardsticks (known optima, optimality conditions, torch.optim.LBFGS,
// gradient descent), and the linear algebra under them.
import { strict as assert } from 'node:assert';
import fixture from '../fixtures/pytorch/optimizers.json';
import { createObjective } from '../../src/engine/objective';
import { createOptimizer, OptimizerConfigError, type Optimizer, type Objective } from '../../src/engine/optimizers';
import { createNetwork, parameterNames, parameters, type Network } from '../../src/engine/network';
import { cholesky, extremeEigenvalues } from '../../src/engine/secondOrder/linalg';
import { flatten, norm } from '../../src/engine/secondOrder/vectors';
import { Rng } from '../../src/engine/rng';
import type { LossSpec } from '../../src/engine/losses';
import type { LayerSpec, LossName, ModelFile, OptimizerSpec } from '../../src/engine/types';

interface Problem {
  net: Network;
  objective: Objective;
  optimizer: Optimizer;
  step(): Record<string, unknown>;
  loss(): number;
  gradientNorm(): number;
}

function problem(
  inputs: number, layers: LayerSpec[], loss: LossName, x: number[][], y: number[][], spec: OptimizerSpec,
  regularization?: LossSpec['regularization'], seed = 1,
): Problem {
  const model = { inputs, layers, loss, optimizer: spec, data: { x, y } } as ModelFile;
  const net = createNetwork(model, new Rng(seed));
  const params = parameters(net);
  const objective = createObjective(net, { loss, regularization }, { x: Float64Array.from(x.flat()), y: Float64Array.from(y.flat()), rows: x.length });
  const optimizer = createOptimizer(spec, { names: parameterNames(net), sizes: params.map((p) => p.length) });
  return {
    net, objective, optimizer,
    step: () => optimizer.step(params, objective.evaluate(params).grads, objective).state,
    loss: () => objective.evaluate(params).loss,
    gradientNorm: () => norm(flatten(objective.evaluate(params).grads)),
  };
}

/** Linear data t = W*x + b* (+ noise) with x on a deterministic grid. */
function linearData(inputs: number, outputs: number, rows: number, noise: number) {
  const rng = new Rng(7);
  const W = Array.from({ length: outputs }, (_r, o) => Array.from({ length: inputs }, (_c, i) => Math.sin(1 + o * inputs + i)));
  const b = Array.from({ length: outputs }, (_r, o) => 0.5 - o);
  const x = Array.from({ length: rows }, () => Array.from({ length: inputs }, () => 2 * rng.uniform() - 1));
  const y = x.map((xi) => W.map((row, o) => row.reduce((s, w, i) => s + w * xi[i], b[o]) + noise * rng.normal()));
  return { W, b, x, y };
}

describe('linear algebra', () => {
  /** Q D Qᵀ with a product of Householder reflections Q and the given eigenvalues. */
  function withEigenvalues(values: number[]): Float64Array {
    const n = values.length;
    const A = new Float64Array(n * n);
    for (let i = 0; i < n; i++) A[i * n + i] = values[i];
    for (let k = 0; k < 3; k++) {
      const v = Float64Array.from({ length: n }, (_x, i) => Math.cos(0.7 * i * (k + 1) + k));
      const vv = v.reduce((s, e) => s + e * e, 0);
      // A ← (I − 2vvᵀ/vᵀv) A (I − 2vvᵀ/vᵀv)
      const Av = new Float64Array(n);
      for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) Av[i] += A[i * n + j] * v[j];
      const vAv = v.reduce((s, e, i) => s + e * Av[i], 0);
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < n; j++) {
          A[i * n + j] += (-2 * (Av[i] * v[j] + v[i] * Av[j])) / vv + (4 * vAv * v[i] * v[j]) / (vv * vv);
        }
      }
    }
    return A;
  }

  it('finds the extreme eigenvalues of a matrix with known spectrum (exactly when n ≤ iterations)', () => {
    const values = Array.from({ length: 30 }, (_v, i) => -3 + i * 0.37);
    const small = extremeEigenvalues(withEigenvalues(values), 30);
    assert.ok(small.exact);
    assert.ok(Math.abs(small.min - -3) < 1e-10 && Math.abs(small.max - (-3 + 29 * 0.37)) < 1e-10, JSON.stringify(small));

    const many = Array.from({ length: 300 }, (_v, i) => 1 + i / 300);
    many[0] = -5;
    many[299] = 40;
    const large = extremeEigenvalues(withEigenvalues(many), 300);
    assert.ok(!large.exact);
    assert.ok(Math.abs(large.min - -5) < 1e-8 && Math.abs(large.max - 40) < 1e-8, JSON.stringify(large));
  });

  it('Cholesky fails exactly for matrices that are not positive definite', () => {
    const A = withEigenvalues([-0.5, 1, 2, 3]);
    assert.equal(cholesky(A, 4), null);
    assert.equal(cholesky(A, 4, 0.49), null);
    assert.notEqual(cholesky(A, 4, 0.51), null);
  });
});

describe('newton', () => {
  it('solves linear least squares in one step', () => {
    const { W, b, x, y } = linearData(3, 2, 12, 0);
    const p = problem(3, [{ units: 2, activation: 'identity' }], 'mse', x, y, { type: 'newton' });
    const state = p.step();
    const [weights, bias] = parameters(p.net);
    W.flat().forEach((w, j) => assert.ok(Math.abs(weights[j] - w) < 1e-10, `W[${j}] = ${weights[j]}, expected ${w}`));
    b.forEach((v, j) => assert.ok(Math.abs(bias[j] - v) < 1e-10));
    assert.equal(state.damping, 0);
    assert.equal(state.dampingRaised, false);
    assert.ok((state.hessianMinEigenvalue as number) > 0);
    assert.ok(p.gradientNorm() < 1e-12);
  });

  it('reaches a gradient norm below 1e-8 on logistic regression within 10 steps', () => {
    const rng = new Rng(11);
    const x = Array.from({ length: 40 }, () => [rng.normal(), rng.normal()]);
    // Labels from a noisy linear rule, so the classes overlap and the optimum is finite.
    const y = x.map(([a, c]) => [a + 0.5 * c + 0.8 * rng.normal() > 0 ? 1 : 0]);
    const p = problem(2, [{ units: 1, activation: 'sigmoid', weights: [[0, 0]], bias: [0] }], 'binary-cross-entropy', x, y, { type: 'newton' });
    const norms: number[] = [];
    for (let s = 0; s < 10 && p.gradientNorm() >= 1e-8; s++) {
      p.step();
      norms.push(p.gradientNorm());
    }
    assert.ok(p.gradientNorm() < 1e-8, `gradient norms ${norms.join(', ')}`);
    assert.ok(norms.length >= 3, 'a real problem should need a few steps');
  });

  it('damps an indefinite Hessian until it is positive definite and reports its eigenvalues', () => {
    // A tanh network near a saddle (small weights): the Hessian has negative curvature.
    const x = Array.from({ length: 15 }, (_v, i) => [-1.5 + (3 * i) / 14]);
    const y = x.map(([v]) => [Math.sin(2 * v)]);
    const hidden: LayerSpec = { units: 3, activation: 'tanh', weights: [[0.05], [-0.02], [0.03]], bias: [0.01, 0, -0.01] };
    const p = problem(1, [hidden, { units: 1, activation: 'identity', weights: [[0.02, -0.01, 0.03]], bias: [0] }], 'mse', x, y, { type: 'newton' });
    const params = parameters(p.net).map((q) => q.slice());
    const H = p.objective.hessian!(params);
    const P = flatten(params).length;
    const state = p.step();
    const min = state.hessianMinEigenvalue as number;
    assert.ok(min < 0, `smallest eigenvalue ${min}`);
    assert.ok((state.damping as number) > -min, 'damping must exceed −λmin');
    assert.equal(state.dampingRaised, true);
    // The reported λmin is where H + μI stops being positive definite.
    const scale = Math.abs(state.hessianMaxEigenvalue as number);
    assert.equal(cholesky(H, P, -min - 1e-6 * scale), null);
    assert.notEqual(cholesky(H, P, -min + 1e-6 * scale), null);
    assert.ok((state.newtonDecrementSquared as number) > 0, 'the damped direction goes downhill');
  });
});

describe('conjugate-gradient', () => {
  it('reaches the least-squares optimum of an n-parameter linear model within 2n steps', () => {
    const { W, b, x, y } = linearData(6, 1, 30, 0);
    const n = 7;
    const p = problem(6, [{ units: 1, activation: 'identity', weights: [[0, 0, 0, 0, 0, 0]], bias: [0] }], 'mse', x, y, { type: 'conjugate-gradient' });
    let steps = 0;
    while (p.gradientNorm() >= 1e-9 && steps < 2 * n) {
      p.step();
      steps++;
    }
    assert.ok(p.gradientNorm() < 1e-9, `gradient norm ${p.gradientNorm()} after ${steps} steps`);
    const theta = flatten(parameters(p.net));
    [...W.flat(), ...b].forEach((v, j) => assert.ok(Math.abs(theta[j] - v) < 1e-8, `θ[${j}] = ${theta[j]}, expected ${v}`));
  });

  it('on noisy data, gets to where the gradient vanishes (the normal equations hold) within 2n steps', () => {
    const { x, y } = linearData(6, 1, 30, 0.3);
    const p = problem(6, [{ units: 1, activation: 'identity', weights: [[1, -1, 1, -1, 1, -1]], bias: [2] }], 'mse', x, y, { type: 'conjugate-gradient' });
    const start = p.gradientNorm();
    for (let s = 0; s < 14; s++) p.step();
    assert.ok(p.gradientNorm() < 1e-9 * Math.max(1, start), `gradient norm ${p.gradientNorm()}`);
  });
});

describe('levenberg-marquardt', () => {
  const x = Array.from({ length: 25 }, (_v, i) => [-3 + (6 * i) / 24]);
  const y = x.map(([v]) => [Math.sin(v)]);
  const layers: LayerSpec[] = [{ units: 6, activation: 'tanh' }, { units: 1, activation: 'identity' }];

  it('fits a sine with a tanh network far faster per step than gradient descent, never increasing J', () => {
    const lm = problem(1, layers, 'mse', x, y, { type: 'levenberg-marquardt' });
    const gd = problem(1, layers, 'mse', x, y, { type: 'sgd', learningRate: 0.1 });
    assert.equal(lm.loss(), gd.loss());
    const initial = lm.loss();
    let previous = initial;
    for (let s = 0; s < 30; s++) {
      const state = lm.step();
      const now = lm.loss();
      assert.ok(now <= previous, `step ${s + 1}: J rose from ${previous} to ${now}`);
      assert.equal(state.lossAfter, now);
      previous = now;
      gd.step();
    }
    assert.ok(lm.loss() < gd.loss() / 50, `LM ${lm.loss()} vs gradient descent ${gd.loss()} after 30 steps (start ${initial})`);
  });

  it('with l2 regularization the residuals include √λ₂·w and J still never increases', () => {
    const lm = problem(1, layers, 'mse', x, y, { type: 'levenberg-marquardt' }, { l2: 0.01 });
    let previous = lm.loss();
    for (let s = 0; s < 10; s++) {
      lm.step();
      assert.ok(lm.loss() <= previous);
      previous = lm.loss();
    }
  });

  it('refuses losses that are not a sum of squares', () => {
    const p = problem(1, [{ units: 1, activation: 'sigmoid' }], 'binary-cross-entropy', [[0], [1]], [[0], [1]], { type: 'levenberg-marquardt' });
    assert.throws(() => p.step(), /levenberg-marquardt: needs loss "mse"/);
  });
});

describe('lbfgs against torch.optim.LBFGS (fixture)', () => {
  // Each of our steps is one torch `.step(closure)` of up to 20 quasi-Newton iterations. The
  // first step agrees to rounding; after that, rounding differences in the dot products (torch
  // sums in another order) are amplified by this ill-conditioned problem: ~4e-9 after step 2,
  // ~7e-8 after step 3, ~2e-5 after step 4 in the parameters, while J still agrees to ~1e-9.
  const parameterTolerance = [1e-9, 1e-8, 1e-6];
  for (const run of fixture.lbfgs) {
    it(`${run.name}: parameters match for ${parameterTolerance.length} steps, J for all ${run.trajectory.length}`, () => {
      const model = fixture.model as unknown as ModelFile;
      const p = problem(model.inputs, model.layers, 'mse', fixture.data.x, fixture.data.y, run.optimizer as OptimizerSpec);
      run.trajectory.forEach((expected, step) => {
        p.step();
        assert.ok(Math.abs(p.loss() - run.losses[step]) <= 1e-8 * run.losses[step], `step ${step + 1}: J ${p.loss()} vs torch ${run.losses[step]}`);
        if (step >= parameterTolerance.length) return;
        const actual = parameters(p.net);
        let worst = 0;
        expected.forEach((tensor, i) => tensor.forEach((e, j) => (worst = Math.max(worst, Math.abs(actual[i][j] - e) / Math.max(1e-3, Math.abs(e))))));
        assert.ok(worst < parameterTolerance[step], `step ${step + 1}: relative error ${worst}`);
      });
    });
  }
});

describe('full-batch optimizers: snapshot, restore, limits', () => {
  const x = Array.from({ length: 12 }, (_v, i) => [Math.cos(i), Math.sin(2 * i)]);
  const y = x.map(([a, c]) => [Math.tanh(a - c)]);
  const layers: LayerSpec[] = [{ units: 4, activation: 'tanh' }, { units: 1, activation: 'identity' }];
  const specs: OptimizerSpec[] = [
    { type: 'lbfgs', historySize: 3, maxIter: 4 },
    { type: 'lbfgs', lineSearch: 'none', learningRate: 0.3, maxIter: 3 },
    { type: 'conjugate-gradient' },
    { type: 'levenberg-marquardt' },
    { type: 'newton' },
  ];
  for (const spec of specs) {
    it(`${JSON.stringify(spec)}: continuing from a restored snapshot is bit-identical`, () => {
      const a = problem(2, layers, 'mse', x, y, spec);
      for (let s = 0; s < 3; s++) a.step();
      const saved = a.optimizer.snapshot();
      const savedParams = parameters(a.net).map((q) => q.slice());
      for (let s = 0; s < 4; s++) a.step();
      const reference = parameters(a.net).map((q) => [...q]);
      a.step(); // the original moves on; a snapshot that aliased its state would now differ

      const b = problem(2, layers, 'mse', x, y, spec);
      parameters(b.net).forEach((q, i) => q.set(savedParams[i]));
      b.optimizer.restore(saved);
      for (let s = 0; s < 4; s++) b.step();
      assert.deepEqual(parameters(b.net).map((q) => [...q]), reference);
    });
  }

  it('refuses networks above the parameter limit with a message naming both counts', () => {
    // 40 → 49 → 1: 40·49 + 49 + 49 + 1 = 2,059 parameters.
    const layout = { names: ['layers[0].weights', 'layers[0].bias', 'layers[1].weights', 'layers[1].bias'], sizes: [1960, 49, 49, 1] };
    for (const [type, limit] of [['newton', '1,000'], ['levenberg-marquardt', '2,000']] as const) {
      assert.throws(() => createOptimizer({ type }, layout), (e: unknown) => {
        assert.ok(e instanceof OptimizerConfigError);
        assert.ok(e.message.includes(`at most ${limit} parameters`) && e.message.includes('has 2,059'), e.message);
        return true;
      });
    }
    assert.doesNotThrow(() => createOptimizer({ type: 'lbfgs' }, layout));
  });
});
