// First-order optimizers against torch.optim trajectories (scripts/fixtures/pytorch_optimizers.py,
// float64): same network, same explicit weights, same batches, parameters compared after every step.
import { strict as assert } from 'node:assert';
import fixture from '../fixtures/pytorch/optimizers.json';
import { createOptimizer, OptimizerConfigError, type Optimizer } from '../../src/engine/optimizers';
import { createNetwork, lossAndGradients, parameterNames, parameters, type Network } from '../../src/engine/network';
import { Rng } from '../../src/engine/rng';
import type { ModelFile, OptimizerName, OptimizerSpec } from '../../src/engine/types';
import { loadModel } from '../../src/engine/model';
import { Trainer } from '../../src/engine/trainer';
import { toStepTrace } from '../../src/engine/trace';

const rows = fixture.data.x.length;
const batchSize = fixture.batchSize;

function fixtureNetwork(): Network {
  return createNetwork({ ...fixture.model, optimizer: { type: 'sgd' }, data: fixture.data } as ModelFile, new Rng(0));
}

function batch(step: number): { x: Float64Array; y: Float64Array } {
  const start = (step % (rows / batchSize)) * batchSize;
  return {
    x: Float64Array.from(fixture.data.x.slice(start, start + batchSize).flat()),
    y: Float64Array.from(fixture.data.y.slice(start, start + batchSize).flat()),
  };
}

function optimizerFor(net: Network, spec: OptimizerSpec): Optimizer {
  const params = parameters(net);
  return createOptimizer(spec, { names: parameterNames(net), sizes: params.map((p) => p.length) });
}

function trainStep(net: Network, optimizer: Optimizer, step: number) {
  const { x, y } = batch(step);
  const { grads } = lossAndGradients(net, { loss: 'mse' }, x, y, batchSize);
  return optimizer.step(parameters(net), grads);
}

function maxRelativeError(actual: Float64Array[], expected: number[][]): number {
  let worst = 0;
  expected.forEach((tensor, p) =>
    tensor.forEach((e, j) => {
      worst = Math.max(worst, Math.abs(actual[p][j] - e) / Math.max(Math.abs(e), 1e-3));
    }),
  );
  return worst;
}

describe('first-order optimizers match torch.optim (float64 fixtures)', () => {
  for (const run of fixture.runs) {
    it(`${run.name}: ${run.trajectory.length} steps within 1e-9 relative error`, () => {
      const net = fixtureNetwork();
      const optimizer = optimizerFor(net, run.optimizer as OptimizerSpec);
      run.trajectory.forEach((expected, step) => {
        trainStep(net, optimizer, step);
        const error = maxRelativeError(parameters(net), expected);
        assert.ok(error < 1e-9, `${run.name} step ${step + 1}: relative error ${error}`);
      });
      // The trajectory must actually move, or matching it would prove nothing.
      const first = fixture.model.layers[0].weights.flat();
      const last = run.trajectory[run.trajectory.length - 1][0];
      assert.ok(Math.max(...last.map((w, j) => Math.abs(w - first[j]))) > 1e-3, 'parameters hardly moved');
    });
  }
});

describe('optimizer reports', () => {
  it('adam reports m, v, mHat, vHat and the step that was added', () => {
    const net = fixtureNetwork();
    const optimizer = optimizerFor(net, { type: 'adam', learningRate: 0.01 });
    const before = parameters(net).map((p) => p.slice());
    const report = trainStep(net, optimizer, 0);
    const w = report.state['layers[0].weights'] as Record<string, Float64Array>;
    const after = parameters(net)[0];
    for (let j = 0; j < after.length; j++) {
      assert.equal(w.step[j], after[j] - before[0][j]);
      assert.ok(Math.abs(w.mHat[j] - w.m[j] / 0.1) < 1e-15 * Math.abs(w.m[j] / 0.1) + 1e-300);
      // First Adam step: m̂ = g and v̂ = g², so the step is −lr·g/(|g| + eps) ≈ −lr·sign(g).
      assert.ok(Math.abs(Math.abs(w.step[j]) - 0.01) < 1e-6);
      assert.ok(Math.abs(w.vHat[j] - w.mHat[j] ** 2) < 1e-12);
    }
    assert.equal(report.state.t, 1);
  });

  it('sgd with momentum reports the velocity buffer (equal to g on the first step, as torch)', () => {
    const net = fixtureNetwork();
    const optimizer = optimizerFor(net, { type: 'sgd', learningRate: 0.1, momentum: 0.9 });
    const { x, y } = batch(0);
    const { grads } = lossAndGradients(net, { loss: 'mse' }, x, y, batchSize);
    const report = optimizer.step(parameters(net), grads);
    const b = report.state['layers[1].bias'] as Record<string, Float64Array>;
    assert.deepEqual([...b.velocity], [...grads[3]]);
    assert.deepEqual([...b.step], [...grads[3]].map((g) => -0.1 * g));
  });

  it('recordState: false leaves the tensors out', () => {
    const net = fixtureNetwork();
    const params = parameters(net);
    const optimizer = createOptimizer(
      { type: 'rmsprop' },
      { names: parameterNames(net), sizes: params.map((p) => p.length) },
      { recordState: false },
    );
    const report = trainStep(net, optimizer, 0);
    assert.equal(report.state['layers[0].weights'], undefined);
  });
});

describe('snapshot and restore', () => {
  const specs: OptimizerSpec[] = [
    { type: 'sgd', learningRate: 0.05, momentum: 0.9, nesterov: true },
    { type: 'adagrad', learningRate: 0.1, lrDecay: 0.01 },
    { type: 'rmsprop', centered: true, momentum: 0.5 },
    { type: 'adam', amsgrad: true },
    { type: 'adamw', learningRate: 0.01 },
  ];
  for (const spec of specs) {
    it(`${spec.type}: continuing from a restored snapshot is bit-identical`, () => {
      const net = fixtureNetwork();
      const optimizer = optimizerFor(net, spec);
      for (let s = 0; s < 7; s++) trainStep(net, optimizer, s);
      const saved = optimizer.snapshot();
      const savedParams = parameters(net).map((p) => p.slice());
      for (let s = 7; s < 15; s++) trainStep(net, optimizer, s);
      const reference = parameters(net).map((p) => [...p]);

      // Keep stepping the original so a snapshot that aliases live state would be caught.
      trainStep(net, optimizer, 15);
      const replay = fixtureNetwork();
      parameters(replay).forEach((p, i) => p.set(savedParams[i]));
      const restored = optimizerFor(replay, spec);
      restored.restore(saved);
      for (let s = 7; s < 15; s++) trainStep(replay, restored, s);
      assert.deepEqual(parameters(replay).map((p) => [...p]), reference);
    });
  }
});

describe('createOptimizer', () => {
  const layout = { names: ['layers[0].weights', 'layers[0].bias'], sizes: [4, 2] };
  const bad: [OptimizerSpec, string][] = [
    [{ type: 'sgd', learningRate: -1 }, 'optimizer.learningRate: must be ≥ 0, got -1'],
    [{ type: 'sgd', nesterov: true }, 'optimizer.nesterov'],
    [{ type: 'adam', betas: [0.9, 1] }, 'optimizer.betas[1]: must be a number in [0, 1), got 1'],
    [{ type: 'rmsprop', centred: true }, 'optimizer.centred: "rmsprop" has no hyperparameter "centred"'],
    [{ type: 'adagrad', eps: 'small' as unknown as number }, 'optimizer.eps: expected a finite number, got "small"'],
    [{ type: 'nadam' as OptimizerSpec['type'] }, 'optimizer.type: unknown optimizer "nadam"'],
  ];
  for (const [spec, message] of bad) {
    it(`rejects ${JSON.stringify(spec)} naming the path`, () => {
      assert.throws(() => createOptimizer(spec, layout), (e: unknown) => {
        assert.ok(e instanceof OptimizerConfigError);
        assert.ok(e.message.includes(message), e.message);
        return true;
      });
    });
  }
});

describe('lossAfter is a real number for every optimizer and line search', () => {
  // Every type once (the list is typed, so a new optimizer name must be added here), and each
  // lineSearch option of the methods that have one, with several inner iterations.
  const types: Record<OptimizerName, OptimizerSpec[]> = {
    sgd: [{ type: 'sgd', learningRate: 0.1 }],
    adagrad: [{ type: 'adagrad' }],
    rmsprop: [{ type: 'rmsprop' }],
    adam: [{ type: 'adam' }],
    adamw: [{ type: 'adamw' }],
    newton: [{ type: 'newton' }, { type: 'newton', maxIter: 2 }],
    lbfgs: [{ type: 'lbfgs', lineSearch: 'strong-wolfe' }, { type: 'lbfgs', lineSearch: 'none', learningRate: 0.1 }],
    'conjugate-gradient': [
      { type: 'conjugate-gradient', lineSearch: 'strong-wolfe' },
      { type: 'conjugate-gradient', lineSearch: 'none', learningRate: 0.1 },
      { type: 'conjugate-gradient', lineSearch: 'none', learningRate: 0.1, maxIter: 3 },
    ],
    'levenberg-marquardt': [{ type: 'levenberg-marquardt' }, { type: 'levenberg-marquardt', maxIter: 2 }],
  };
  const model = (optimizer: OptimizerSpec): ModelFile => ({
    seed: 5,
    inputs: 2,
    layers: [{ units: 3, activation: 'tanh' }, { units: 1, activation: 'identity' }],
    loss: 'mse',
    optimizer,
    data: { x: [[0.5, -1], [1.5, 0.25], [-0.75, 0.8], [0.1, 0.3], [-1.2, -0.4]], y: [[0.3], [1], [-0.4], [0], [-0.8]] },
  } as ModelFile);

  /** Every number named lossAfter anywhere in the optimizer's report (inner iterations included). */
  function reportedLossesAfter(value: unknown): unknown[] {
    if (Array.isArray(value)) return value.flatMap(reportedLossesAfter);
    if (value === null || typeof value !== 'object' || ArrayBuffer.isView(value)) return [];
    return Object.entries(value).flatMap(([k, v]) => (k === 'lossAfter' ? [v] : reportedLossesAfter(v)));
  }

  for (const spec of Object.values(types).flat()) {
    it(`${JSON.stringify(spec)}: the trace's lossAfter is J after the update, and the optimizer's own lossAfter agrees`, () => {
      const loaded = loadModel(JSON.stringify(model(spec)));
      assert.ok(loaded.model && loaded.data, JSON.stringify(loaded.diagnostics));
      const trainer = new Trainer(loaded.model, loaded.data);
      for (let k = 0; k < 3; k++) {
        const record = trainer.step();
        const trace = toStepTrace(record);
        assert.ok(Number.isFinite(trace.lossAfter), `step ${trace.step}: lossAfter ${trace.lossAfter}`);
        // Methods that know J after their step report it (the last inner iteration's is J after the step).
        const own = reportedLossesAfter(record.optimizer?.state);
        if (spec.type === 'conjugate-gradient' || spec.type === 'levenberg-marquardt') {
          assert.ok(own.length > 0, `step ${trace.step}: ${spec.type} reports no lossAfter`);
        }
        if (own.length === 0) continue;
        for (const value of own) assert.ok(typeof value === 'number' && Number.isFinite(value), `step ${trace.step}: reported lossAfter ${value}`);
        const last = own[own.length - 1] as number;
        assert.ok(Math.abs(last - trace.lossAfter) <= 1e-12 * Math.max(1, Math.abs(trace.lossAfter)), `step ${trace.step}: ${last} vs ${trace.lossAfter}`);
      }
    });
  }
});
