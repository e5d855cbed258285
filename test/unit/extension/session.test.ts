import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TrainingSession, SessionRegistry } from '../../../src/extension/session';
import { Trainer } from '../../../src/engine/trainer';
import { loadModel } from '../../../src/engine/model';
import { toStepTrace } from '../../../src/engine/trace';

const XOR = readFileSync(join(__dirname, '../../../examples/xor.backprop.json'), 'utf8');

function open(text = XOR): TrainingSession {
  const result = TrainingSession.load('file:///xor.backprop.json', text);
  if (!result.ok) throw new Error(JSON.stringify(result.loaded.diagnostics));
  return result.session;
}

/** An independent trainer on the same file: what the session must agree with. */
function reference(steps: number) {
  const loaded = loadModel(XOR);
  const trainer = new Trainer(loaded.model!, loaded.data!);
  return Array.from({ length: steps }, () => toStepTrace(trainer.step()));
}

describe('TrainingSession', () => {
  it('steps one batch at a time and shows the completed step', async () => {
    const session = open();
    assert.equal(session.position.step, 0);
    assert.equal(session.record, undefined);
    await session.step();
    await session.step();
    const expected = reference(2);
    assert.equal(session.position.step, 2);
    assert.equal(session.position.next, undefined);
    assert.deepEqual(toStepTrace(session.record!), expected[1]);
    assert.deepEqual(Array.from(session.lossHistory(1).loss), expected.map((t) => t.loss));
  });

  it('Step Into moves one operation and reports the next one; Step finishes that step', async () => {
    const session = open();
    await session.stepInto();
    assert.equal(session.position.step, 1);
    assert.deepEqual(session.position.next, { kind: 'forward', layer: 1 });
    assert.ok(session.record!.layers[0].z, 'forward of layer 0 recorded');
    assert.equal(session.record!.layers[1].z, undefined);
    await session.step();
    assert.equal(session.position.step, 1);
    assert.equal(session.position.next, undefined);
    assert.deepEqual(toStepTrace(session.record!), reference(1)[0]);
  });

  it('Step Back, Go To Step and Reset restore exactly the earlier state', async () => {
    const session = open();
    for (let i = 0; i < 5; i++) await session.step();
    const expected = reference(5);
    assert.equal(await session.stepBack(), true);
    assert.equal(session.position.step, 4);
    assert.deepEqual(toStepTrace(session.record!), expected[3]);
    assert.equal(session.position.latestStep, 5);
    await session.goToStep(2);
    assert.deepEqual(toStepTrace(session.record!), expected[1]);
    await session.goToStep(5);
    assert.deepEqual(toStepTrace(session.record!), expected[4]);
    await session.reset();
    assert.equal(session.position.step, 0);
    assert.equal(session.position.latestStep, 0);
    assert.equal(session.lossHistory(1).loss.length, 0);
  });

  it('a step in progress is the newest step, not history (issue 10 item 4: was "step 2 of 1")', async () => {
    const session = open();
    await session.stepInto();
    assert.deepEqual([session.position.step, session.position.latestStep], [1, 1]);
    await session.step();
    await session.stepInto();
    assert.deepEqual([session.position.step, session.position.latestStep], [2, 2]);
    // After a NaN stop in the middle of a step, that step is the newest too.
    const exploding = JSON.parse(XOR);
    exploding.optimizer = { type: 'sgd', learningRate: 1e300 };
    exploding.loss = 'mse';
    exploding.layers[1].activation = 'identity';
    const failing = open(JSON.stringify(exploding));
    const outcome = await failing.advance({ mover: 'inspector', fullSpeed: true, until: { kind: 'nan' }, maxSteps: 100 });
    assert.equal(outcome.kind, 'non-finite');
    assert.equal(failing.position.latestStep, failing.position.step);
    // Going back to an earlier step and stepping into it is history: the newest step stays.
    await session.step();
    await session.goToStep(1);
    await session.stepInto();
    assert.deepEqual([session.position.step, session.position.latestStep], [2, 2]);
  });

  it('Step Back after Step Into goes back one operation, as the debugger does (issue 10 item 5); between steps, one step', async () => {
    const session = open();
    await session.step();
    const afterStep1 = toStepTrace(session.record!);
    await session.stepInto();
    await session.stepInto();
    assert.equal(session.operationsDone, 8);
    assert.equal(await session.stepBack(), true);
    assert.equal(session.operationsDone, 7, 'one operation back, not to the start of the step');
    assert.deepEqual(session.position.next, { kind: 'forward', layer: 1 });
    assert.equal(await session.stepBack(), true);
    assert.deepEqual([session.position.step, session.position.next], [1, undefined]);
    assert.deepEqual(toStepTrace(session.record!), afterStep1);
    assert.equal(await session.stepBack(), true);
    assert.deepEqual([session.position.step, session.operationsDone], [0, 0]);
    assert.equal(await session.stepBack(), false, 'nothing before step 0');
  });

  it('positions report epoch and batch of the step on screen', async () => {
    const session = open(); // 4 samples, batches of 2: 2 batches per epoch
    await session.step();
    assert.deepEqual([session.position.epoch, session.position.batchInEpoch], [1, 1]);
    await session.step();
    assert.deepEqual([session.position.epoch, session.position.batchInEpoch], [1, 2]);
    await session.stepInto();
    assert.deepEqual([session.position.step, session.position.epoch, session.position.batchInEpoch], [3, 2, 1]);
  });

  it('runs until a step count, yielding between steps, and stops on the loss condition', async () => {
    const session = open();
    const outcome = await session.advance({ mover: 'inspector', stepsPerSecond: 0, until: { kind: 'steps', value: 7 }, maxSteps: 1000 });
    assert.equal(outcome.kind, 'condition');
    assert.equal(session.position.step, 7);
    const losses = reference(40).map((t) => t.loss);
    const target = losses[20];
    await session.reset();
    const byLoss = await session.advance({ mover: 'inspector', stepsPerSecond: 0, until: { kind: 'lossBelow', value: target }, maxSteps: 1000 });
    assert.equal(byLoss.kind, 'condition');
    assert.equal(session.position.step, losses.findIndex((l) => l < target) + 1);
  });

  it('runs until the gradient norm rises above a value: the first step whose ‖∂J/∂θ‖₂, summed from the trace, is above it', async () => {
    const norms = reference(60).map((t) => Math.sqrt(t.layers.flatMap((l) => [...l.gradWeights.flat(), ...l.gradBias]).reduce((sum, g) => sum + g * g, 0)));
    const target = [...norms].sort((a, b) => a - b)[45];
    const session = open();
    const outcome = await session.advance({ mover: 'inspector', fullSpeed: true, until: { kind: 'gradNormAbove', value: target }, maxSteps: 1000 });
    const expected = norms.findIndex((n) => n > target) + 1;
    assert.equal(session.position.step, expected);
    assert.equal(outcome.kind, 'condition');
    assert.ok(outcome.kind === 'condition' && outcome.reason.kind === 'grad-norm-above' && Math.abs(outcome.reason.gradNorm - norms[expected - 1]) < 1e-12 * norms[expected - 1]);
  });

  it('a watched run stops after the operation its watch names, with the record as far as that operation', async () => {
    const session = open();
    const seen: string[] = [];
    const outcome = await session.advance({ mover: 'debugger', fullSpeed: true, afterOperation: (phase) => (seen.push(phase.kind), seen.length === 9) });
    assert.equal(outcome.kind, 'watched');
    assert.deepEqual(seen, ['forward', 'forward', 'loss', 'backward', 'backward', 'update', 'forward', 'forward', 'loss']);
    assert.equal(session.operationsDone, 9);
    assert.equal(typeof session.record!.loss, 'number');
    assert.equal(session.record!.layers[1].delta, undefined);
  });

  it('runs an epoch and stops at its end', async () => {
    const session = open();
    await session.stepInto();
    const outcome = await session.advance({ mover: 'inspector', stepsPerSecond: 0, toEpochEnd: true, maxSteps: 1000 });
    assert.equal(outcome.kind, 'condition');
    assert.equal(session.position.step, 2);
    assert.equal(session.epochs.length, 1);
    assert.equal(session.epochs[0].epoch, 1);
  });

  it('pauses a continuous run after its current step', async () => {
    const session = open();
    const running = session.advance({ mover: 'inspector', stepsPerSecond: 0, maxSteps: 1_000_000 });
    assert.equal(session.running, true);
    await new Promise((resolve) => setImmediate(resolve));
    await session.pause();
    const outcome = await running;
    assert.equal(outcome.kind, 'paused');
    assert.equal(session.running, false);
    const step = session.position.step;
    assert.ok(step >= 1);
    assert.deepEqual(toStepTrace(session.record!), reference(step)[step - 1]);
  });

  it('reports NaN as a stop with its place instead of throwing', async () => {
    const exploding = JSON.parse(XOR);
    exploding.optimizer = { type: 'sgd', learningRate: 1e300 };
    exploding.loss = 'mse';
    exploding.layers[1].activation = 'identity';
    const session = open(JSON.stringify(exploding));
    const outcome = await session.advance({ mover: 'inspector', stepsPerSecond: 0, until: { kind: 'nan' }, maxSteps: 100 });
    assert.equal(outcome.kind, 'non-finite');
    assert.match((outcome as { error: Error }).error.message, /step \d+/);
    assert.ok(session.stoppedBy);
  });

  it('fires change events as it moves', async () => {
    const session = open();
    const kinds: string[] = [];
    session.onDidChange((c) => kinds.push(c.kind));
    await session.step();
    await session.reset();
    assert.ok(kinds.includes('step'));
    assert.ok(kinds.includes('reset'));
  });

  it('explains a weight with a product equal to the trace gradient', async () => {
    const session = open();
    await session.step();
    await session.step();
    const explanation = session.explain(2, { kind: 'weight', layer: 0, out: 1, in: 1 })!;
    const grad = toStepTrace(session.record!).layers[0].gradWeights[1][1];
    assert.ok(Math.abs(explanation.total - grad) <= 1e-12 * Math.max(1, Math.abs(grad)));
  });

  it('keeps the current model when a replacement does not parse', async () => {
    const session = open();
    await session.step();
    const result = await session.replaceModel('{ "inputs": ');
    assert.equal(result.ok, false);
    assert.equal(session.position.step, 1);
  });
});

describe('SessionRegistry', () => {
  it('keys sessions by URI and tracks the active one', () => {
    const registry = new SessionRegistry();
    const a = registry.add(open());
    assert.equal(registry.get('file:///xor.backprop.json'), a);
    assert.equal(registry.active, a);
    registry.remove(a.uri);
    assert.equal(registry.active, undefined);
  });
});
