// The Variables view's entries (src/extension/debug/variables.ts) on a real session, without DAP:
// a diverging model's loss reads "Infinity" (DAP carries text, so nothing becomes null), and a
// layer lists the field table's quantities with what is not computed yet marked as such.
import { strict as assert } from 'node:assert';
import { TrainingSession } from '../../src/extension/session';
import { TrainingState } from '../../src/extension/debug/trainingState';
import { childrenOf, describeResult, formatNumber } from '../../src/extension/debug/variables';

function diverged(): TrainingSession {
  const loaded = TrainingSession.load('file:///ws/diverging.backprop.json', JSON.stringify({
    name: 'diverging', inputs: 1, layers: [{ units: 1, activation: 'identity' }], loss: 'mse', optimizer: { type: 'sgd', learningRate: 10 },
    data: { x: [[1], [2], [3], [4]], y: [[1], [2], [3], [4]] }, batch: { mode: 'batch' }, seed: 1,
  }));
  assert.ok(loaded.ok);
  return loaded.session;
}

describe('debugger variables', () => {
  it('show a non-finite loss after the update as Infinity, and a fresh step\'s quantities as not computed yet', async () => {
    const session = diverged();
    for (let s = 0; s < 1000 && (await session.step()).kind !== 'non-finite'; s++);
    assert.ok(session.stoppedBy, 'training stopped on a non-finite number');
    const entries = childrenOf(new TrainingState(session), { kind: 'loss' });
    const after = entries.find((e) => e.name === 'J after the update');
    assert.ok(after && 'value' in after && after.value === Infinity, 'the loss after the update overflowed');
    assert.equal(formatNumber(Infinity), 'Infinity');
    assert.equal(formatNumber(-Infinity), '-Infinity');
    assert.equal(describeResult(NaN), 'NaN');
    const fresh = diverged();
    await fresh.stepInto();
    const layer = childrenOf(new TrainingState(fresh), { kind: 'layer', layer: 0 });
    assert.deepEqual(layer.map((e) => e.name).slice(0, 3), ['input', 'z', 'a = f(z)']);
    const delta = layer.find((e) => e.name === '∂J/∂z (delta)');
    assert.ok(delta && 'text' in delta && delta.text === 'not computed yet', 'after the first forward, backward has not run');
  });
});
