// Lesson 6's "break a derivative" exercise: a deliberately wrong f′ in the backward pass only.
// The references that could disagree: central finite differences of J (which never use f′),
// and the chain rule written out by hand for a one-unit network.
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ModelFile } from '../../src/engine/types';
import { loadModel } from '../../src/engine/model';
import { Rng } from '../../src/engine/rng';
import { Trainer } from '../../src/engine/trainer';
import { BROKEN_DERIVATIVES, type BrokenDerivativeKind } from '../../src/engine/activations';
import { breakDerivative, brokenDerivativeProblem, createNetwork, forward, lossAndGradients } from '../../src/engine/network';
import { checkAllParameters } from '../../src/engine/gradientCheck';
import { explainChainRule, noteText } from '../../src/engine/chainRule';

const EXAMPLE = join(__dirname, '..', '..', 'examples', '06-activations-break-a-derivative.backprop.json');

function load(model: ModelFile | string) {
  const loaded = loadModel(typeof model === 'string' ? model : JSON.stringify(model));
  assert.ok(loaded.model && loaded.data, JSON.stringify(loaded.diagnostics));
  return { model: loaded.model, data: loaded.data };
}

const lesson = () => load(readFileSync(EXAMPLE, 'utf8'));

function networkOf(model: ModelFile) {
  return createNetwork(model, new Rng(model.seed ?? 0));
}

/** The largest relative error between backprop and central differences, per layer. */
function errorsByLayer(kind: BrokenDerivativeKind | undefined): number[] {
  const { model, data } = lesson();
  const net = networkOf(model);
  breakDerivative(net, model.loss, kind && { kind });
  const { entries } = checkAllParameters(net, { loss: model.loss }, { x: data.dataset.x, y: data.dataset.y, rows: data.dataset.samples });
  return net.layers.map((_layer, l) => Math.max(...entries.filter((e) => e.parameter.startsWith(`layers[${l}].`)).map((e) => e.relativeError)));
}

describe('break a derivative (lesson 6)', () => {
  it('with the true derivatives, backprop agrees with central differences to 1e-6', () => {
    for (const error of errorsByLayer(undefined)) assert.ok(error < 1e-6, `relative error ${error}`);
  });

  for (const kind of Object.keys(BROKEN_DERIVATIVES) as BrokenDerivativeKind[]) {
    it(`${kind} (${BROKEN_DERIVATIVES[kind].wrong}): the gradient check fails in its layer and below, not above`, () => {
      const { model } = lesson();
      const broken = model.layers.findIndex((layer) => layer.activation === BROKEN_DERIVATIVES[kind].activation);
      const errors = errorsByLayer(kind);
      errors.forEach((error, l) => {
        if (l <= broken) assert.ok(error > 0.1, `layers[${l}]: relative error ${error} should be large`);
        else assert.ok(error < 1e-6, `layers[${l}] is above the broken layer: relative error ${error}`);
      });
    });
  }

  it('restoring the true derivative brings the check back to 1e-6', () => {
    const { model, data } = lesson();
    const net = networkOf(model);
    breakDerivative(net, model.loss, { kind: 'relu-always-one' });
    breakDerivative(net, model.loss, undefined);
    assert.ok(net.layers.every((layer) => layer.brokenDerivative === undefined));
    const { maxRelativeError } = checkAllParameters(net, { loss: model.loss }, { x: data.dataset.x, y: data.dataset.y, rows: data.dataset.samples });
    assert.ok(maxRelativeError < 1e-6, String(maxRelativeError));
  });

  it('the forward pass and the loss are unchanged, bit for bit', () => {
    const { model, data } = lesson();
    const { x, y, samples } = data.dataset;
    const intact = networkOf(model);
    for (const kind of Object.keys(BROKEN_DERIVATIVES) as BrokenDerivativeKind[]) {
      const broken = networkOf(model);
      breakDerivative(broken, model.loss, { kind });
      forward(broken, x, samples).forEach((pass, l) => {
        const reference = forward(intact, x, samples)[l];
        assert.deepEqual(Array.from(pass.z), Array.from(reference.z), `${kind}: z of layers[${l}]`);
        assert.deepEqual(Array.from(pass.a), Array.from(reference.a), `${kind}: a of layers[${l}]`);
      });
      assert.equal(lossAndGradients(broken, { loss: model.loss }, x, y, samples).loss, lossAndGradients(intact, { loss: model.loss }, x, y, samples).loss);
    }
  });

  it('σ′ = σ gives the hand-written wrong chain rule 2(y − t)·w₂·σ(z)·x on a one-unit network', () => {
    const w1 = 0.7, b1 = -0.2, w2 = 1.3, b2 = 0.1, x = 0.9, t = 0.4;
    const { model } = load({
      inputs: 1,
      layers: [{ units: 1, activation: 'sigmoid', weights: [[w1]], bias: [b1] }, { units: 1, activation: 'identity', weights: [[w2]], bias: [b2] }],
      loss: 'mse', optimizer: { type: 'sgd', learningRate: 0.1 }, data: { x: [[x]], y: [[t]] }, batch: { mode: 'batch' },
    });
    const net = networkOf(model);
    breakDerivative(net, 'mse', { kind: 'sigmoid-as-value', layer: 0 });
    const s = 1 / (1 + Math.exp(-(w1 * x + b1)));
    const y = w2 * s + b2;
    const { grads } = lossAndGradients(net, { loss: 'mse' }, Float64Array.of(x), Float64Array.of(t), 1);
    const close = (actual: number, expected: number, what: string) => assert.ok(Math.abs(actual - expected) <= 1e-15, `${what}: ${actual} vs ${expected}`);
    close(grads[0][0], 2 * (y - t) * w2 * s * x, '∂J/∂w₁');
    close(grads[1][0], 2 * (y - t) * w2 * s, '∂J/∂b₁');
    close(grads[2][0], 2 * (y - t) * s, '∂J/∂w₂ (the layer above keeps its true gradient)');
  });

  it('names what cannot be broken: a missing layer, another activation, the output a loss combines, curvature methods', () => {
    const { model } = lesson();
    const net = networkOf(model);
    assert.match(brokenDerivativeProblem(net, 'mse', { kind: 'sigmoid-as-value', layer: 9 })!, /layer 9 does not exist: the network has layers 0\.\.3/);
    assert.match(brokenDerivativeProblem(net, 'mse', { kind: 'sigmoid-as-value', layer: 1 })!, /layers\[1\] uses tanh.*sigmoid/);
    const bce = load({ ...model, layers: [{ units: 2, activation: 'tanh' }, { units: 1, activation: 'sigmoid' }], loss: 'binary-cross-entropy', data: { x: [[0, 1]], y: [[1]] } });
    const bceNet = networkOf(bce.model);
    assert.match(brokenDerivativeProblem(bceNet, 'binary-cross-entropy', { kind: 'sigmoid-as-value', layer: 1 })!, /output of binary-cross-entropy, whose ∂J\/∂z = p − t/);
    assert.match(brokenDerivativeProblem(bceNet, 'binary-cross-entropy', { kind: 'sigmoid-as-value' })!, /nothing to break/);
    const newton = load({ ...model, optimizer: { type: 'newton' } });
    const trainer = new Trainer(newton.model, newton.data);
    assert.throws(() => trainer.setBrokenDerivative({ kind: 'tanh-without-square' }), /newton computes its curvature with the true derivatives/);
    assert.equal(trainer.brokenDerivative, undefined);
  });

  it('in the trainer: resets to step 0, traces the broken local gradient, same first loss, and the chain rule view disagrees with its finite difference', () => {
    const { model, data } = lesson();
    const intact = new Trainer(model, data);
    const broken = new Trainer(model, data);
    broken.step();
    broken.setBrokenDerivative({ kind: 'sigmoid-as-value' });
    assert.equal(broken.position.completedSteps, 0);
    const a = intact.step();
    const b = broken.step();
    assert.equal(b.loss, a.loss, 'the first step\'s loss comes from the same forward pass');
    const hidden = b.layers[0];
    assert.deepEqual(Array.from(hidden.localGrad!), Array.from(hidden.a!), 'σ′ recorded as σ');
    assert.notEqual(broken.step().loss, intact.step().loss, 'the wrong gradient changes the next step');

    broken.reset();
    const explanation = explainChainRule(broken.network, broken.lossSpec, { x: data.dataset.x, y: data.dataset.y, rows: data.dataset.samples }, { layer: 0, kind: 'weight', out: 0, in: 0 });
    assert.ok(Math.abs(explanation.product.sum - explanation.engineGradient) <= 1e-12 * Math.abs(explanation.engineGradient), 'the factors shown are the ones backward used');
    assert.ok(explanation.finiteDifference!.relativeError > 0.1, `relative error ${explanation.finiteDifference!.relativeError}`);
    assert.ok(explanation.notes.some((note) => noteText(note).includes('σ′ = σ instead of σ′ = σ(1 − σ)')));

    broken.setBrokenDerivative(undefined);
    const restored = explainChainRule(broken.network, broken.lossSpec, { x: data.dataset.x, y: data.dataset.y, rows: data.dataset.samples }, { layer: 0, kind: 'weight', out: 0, in: 0 });
    assert.ok(restored.finiteDifference!.relativeError < 1e-6);
  });
});
