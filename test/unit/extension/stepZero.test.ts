// Step 0 exists on screen (issue 10 item 3): before the first step, and after stepping back to it,
// the inspector is sent step 0 with the initial weights and biases, and the status bar, the
// inspector and the trainer agree on the step.
import './useVscodeStub';
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TrainingSession } from '../../../src/extension/session';
import { buildSnapshotMessages, HistoryCursor } from '../../../src/extension/inspectorMessages';
import { decodeStepRecord } from '../../../src/protocol/traceCodec';
import type { HostMessage, StepMessage } from '../../../src/protocol/messages';
import type { ModelFile } from '../../../src/engine/types';

const FILE = '06-activations-dead-relu.backprop.json'; // states its weights and biases
const text = readFileSync(join(__dirname, '../../../examples', FILE), 'utf8');
const model = JSON.parse(text) as ModelFile;

const stepOf = (messages: HostMessage[]) => messages.find((m): m is StepMessage => m.type === 'step');

/** The weights and biases a step message carries, as the file writes them ([out][in]). */
function parametersOf(message: StepMessage) {
  const record = decodeStepRecord(message);
  return model.layers.map((layer, l) => {
    const inputs = l === 0 ? model.inputs : model.layers[l - 1].units;
    const w = record.tensor(`layers[${l}].weights`)!.full!;
    return {
      weights: Array.from({ length: layer.units }, (_, u) => Array.from(w.subarray(u * inputs, (u + 1) * inputs))),
      bias: Array.from(record.tensor(`layers[${l}].bias`)!.full!),
      z: record.tensor(`layers[${l}].z`),
    };
  });
}

describe('step 0 on screen', () => {
  it('before the first step: step 0 with the weights and biases the file states, nothing computed yet', () => {
    const loaded = TrainingSession.load(`file:///ws/${FILE}`, text);
    assert.ok(loaded.ok);
    const step = stepOf(buildSnapshotMessages(loaded.session, new HistoryCursor()));
    assert.ok(step, 'a step message at step 0');
    assert.equal(step.position.step, 0);
    const layers = parametersOf(step);
    assert.deepEqual(layers.map((l) => [l.weights, l.bias]), model.layers.map((l) => [l.weights, l.bias]));
    assert.ok(layers.every((l) => l.z === undefined), 'z is not computed before the first step');
  });

  it('after Step ×3 and Step Back ×3 the inspector is told step 0 (it kept showing step 1), with no loss history', async () => {
    const loaded = TrainingSession.load(`file:///ws/${FILE}`, text);
    assert.ok(loaded.ok);
    const session = loaded.session;
    const cursor = new HistoryCursor();
    for (let s = 0; s < 3; s++) {
      await session.step();
      buildSnapshotMessages(session, cursor);
    }
    for (let s = 0; s < 3; s++) await session.stepBack();
    const step = stepOf(buildSnapshotMessages(session, cursor));
    assert.ok(step, 'a step message at step 0');
    assert.deepEqual([step.position.step, session.completedSteps, session.position.step], [0, 0, 0], 'inspector, trainer and status bar agree');
    assert.equal(step.history.from, 1);
    assert.equal(step.history.loss.length, 0, 'the webview drops the loss history of steps 1..3');
    assert.deepEqual(parametersOf(step).map((l) => [l.weights, l.bias]), model.layers.map((l) => [l.weights, l.bias]));
    await session.step();
    assert.equal(stepOf(buildSnapshotMessages(session, cursor))!.position.step, 1, 'the next Step shows step 1 again');
  });
});
