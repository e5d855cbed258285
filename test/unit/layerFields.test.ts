// The layer-field table against what the engine records: every field of a completed step of a
// softmax network (Jacobian local gradients) has the table's shape, in the flat record and in the
// nested StepTrace, and the table's order is the contract's (DESIGN.md §3).
import { strict as assert } from 'node:assert';
import { LAYER_FIELDS, parseTensorName, tensorName } from '../../src/engine/layerFields';
import { runSteps, syntheticModel } from '../support/engineSteps';

describe('layer fields: one table', () => {
  const run = runSteps(syntheticModel([3, 4, 3], ['tanh', 'softmax'], 'cross-entropy', 5), 1, 5);
  const record = run.records[0];

  it('gives every recorded field its shape, softmax\'s local gradient a units × units Jacobian per sample', () => {
    const expected: Record<string, (l: { rows: number; units: number; inputs: number }) => number[]> = {
      input: (l) => [l.rows, l.inputs], z: (l) => [l.rows, l.units], a: (l) => [l.rows, l.units], upstream: (l) => [l.rows, l.units], delta: (l) => [l.rows, l.units],
      weights: (l) => [l.units, l.inputs], gradWeights: (l) => [l.units, l.inputs], updateWeights: (l) => [l.units, l.inputs], weightsAfter: (l) => [l.units, l.inputs],
      bias: (l) => [l.units], gradBias: (l) => [l.units], updateBias: (l) => [l.units], biasAfter: (l) => [l.units],
    };
    for (const layer of record.layers) {
      for (const field of LAYER_FIELDS) {
        const shape = field.shape(layer);
        const want = field.name === 'localGrad'
          ? (layer.activation === 'softmax' ? [layer.rows, layer.units, layer.units] : [layer.rows, layer.units])
          : expected[field.name](layer);
        assert.deepEqual(shape, want, `${tensorName(layer.index, field.name)}`);
        assert.equal(layer[field.name]!.length, shape.reduce((p, n) => p * n, 1), `${tensorName(layer.index, field.name)}: recorded length`);
        assert.equal(field.kind === 'batch', shape[0] === layer.rows && field.name !== 'weights', `${field.name}: batch fields have one row per sample`);
      }
    }
    assert.deepEqual(record.layers[1].activation, 'softmax');
    assert.deepEqual(LAYER_FIELDS.find((f) => f.name === 'localGrad')!.shape(record.layers[1]), [5, 3, 3]);
  });

  it('lists the fields in the StepTrace contract\'s order', () => {
    assert.deepEqual(LAYER_FIELDS.map((f) => f.name), [
      'input', 'z', 'a', 'localGrad', 'upstream', 'delta', 'weights', 'bias', 'gradWeights', 'gradBias', 'updateWeights', 'updateBias', 'weightsAfter', 'biasAfter',
    ]);
  });

  it('names a tensor and one of its numbers one way, and reads the name back', () => {
    assert.equal(tensorName(1, 'gradWeights'), 'layers[1].gradWeights');
    assert.equal(tensorName(0, 'weights', 2, 1), 'layers[0].weights[2][1]');
    assert.deepEqual(parseTensorName('layers[12].z'), { layer: 12, field: 'z' });
    assert.equal(parseTensorName('layers[1].z[0]'), undefined);
    assert.equal(parseTensorName('__proto__'), undefined);
  });
});
