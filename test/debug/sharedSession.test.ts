// The debugger and the inspector drive one TrainingSession: a move on either side is the other's
// move too (the inline adapter in VS Code works on this same object).
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TrainingSession } from '../../src/extension/session';
import { type RuntimeEvent, TrainingRuntime } from '../../src/extension/debug/trainingRuntime';

const XOR = join(__dirname, '..', '..', 'examples', 'xor.backprop.json');

function open(): TrainingSession {
  const loaded = TrainingSession.load('file:///xor.backprop.json', readFileSync(XOR, 'utf8'));
  assert.ok(loaded.ok);
  return loaded.session;
}

describe('debugger and inspector share one session', () => {
  it('a debugger move is the session\'s move, which the inspector shows', async () => {
    const session = open();
    const runtime = new TrainingRuntime(session);
    const changes: string[] = [];
    session.onDidChange((c) => changes.push(c.kind));
    await runtime.stepOver();
    assert.equal(session.position.step, 1);
    assert.equal(session.position.next, undefined, 'step 1 is complete');
    await runtime.stepIn();
    assert.deepEqual(session.position.next, { kind: 'forward', layer: 1 });
    assert.ok(changes.includes('step') && changes.includes('op'), changes.join(','));
    runtime.dispose();
  });

  it('an inspector move stops the debugger where the inspector went', async () => {
    const session = open();
    const runtime = new TrainingRuntime(session);
    const events: RuntimeEvent[] = [];
    runtime.onEvent((e) => events.push(e));
    await session.step();
    await session.stepInto();
    const stops = events.filter((e) => e.type === 'stopped');
    assert.ok(stops.length >= 1);
    const last = stops[stops.length - 1];
    assert.ok(last.type === 'stopped' && /moved in the inspector to forward · layer 1 of step 2/.test(last.stop.description), JSON.stringify(last));
    assert.equal(runtime.state.lastOperation().step, 2);
    runtime.dispose();
  });

  it('Continue ends at maxSteps, and Pause stops a long Continue', async () => {
    const session = open();
    const bounded = new TrainingRuntime(session, { maxSteps: 7 });
    const reasons: string[] = [];
    bounded.onEvent((e) => e.type === 'stopped' && reasons.push(e.stop.description));
    await bounded.continue();
    assert.equal(session.completedSteps, 7);
    assert.match(reasons[0], /end of training: step 7 \(maxSteps 7\)/);
    await bounded.stepIn();
    assert.equal(session.completedSteps, 7, 'no move goes past the end');
    bounded.dispose();

    const long = new TrainingRuntime(session, { maxSteps: 1_000_000 });
    const stopped = new Promise<string>((resolve) => long.onEvent((e) => e.type === 'stopped' && resolve(e.stop.reason)));
    const running = long.continue();
    setImmediate(() => long.pause());
    await running;
    assert.equal(await stopped, 'pause');
    assert.ok(session.completedSteps < 1_000_000);
    long.dispose();
  });

  it('one mover at a time: an inspector run while the debugger continues is refused, visibly, and moves nothing', async () => {
    const session = open();
    const runtime = new TrainingRuntime(session, { maxSteps: 1_000_000 });
    const events: RuntimeEvent[] = [];
    runtime.onEvent((e) => events.push(e));
    const continuing = runtime.continue();
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(session.running, true, "the debugger's Continue is a run of the session");
    assert.equal(session.mover, 'debugger');
    const before = session.completedSteps;
    // Before the fix this ran 50 steps alongside the debugger's Continue (58 → 247 steps in the issue).
    const inspectorRun = await session.advance({ mover: 'inspector', until: { kind: 'steps', value: 50 }, fullSpeed: true, maxSteps: 100_000 });
    assert.equal(session.completedSteps, before, 'the refused run took no step');
    assert.ok(inspectorRun.kind === 'refused' && inspectorRun.by === 'debugger', JSON.stringify(inspectorRun));
    // Every other move of the inspector is refused the same way, and none of them moved anything.
    assert.deepEqual(await session.step(), { kind: 'refused', by: 'debugger' });
    assert.deepEqual(await session.stepBack(), { kind: 'refused', by: 'debugger' });
    assert.deepEqual(await session.goToStep(0), { kind: 'refused', by: 'debugger' });
    assert.deepEqual(await session.reset(), { kind: 'refused', by: 'debugger' });
    assert.equal(session.completedSteps, before);
    runtime.pause();
    await continuing;
    const last = events.filter((e) => e.type === 'stopped').at(-1);
    assert.ok(last?.type === 'stopped' && last.stop.reason === 'pause', JSON.stringify(last));
    assert.equal(session.running, false);
    runtime.dispose();
  });

  it('one mover at a time: a debugger Continue while the inspector runs is refused with a message the user sees', async () => {
    const session = open();
    const runtime = new TrainingRuntime(session, { maxSteps: 10_000 });
    const events: RuntimeEvent[] = [];
    runtime.onEvent((e) => events.push(e));
    const inspectorRun = session.advance({ mover: 'inspector', until: { kind: 'steps', value: 400 }, stepsPerSecond: 1000, maxSteps: 100_000 });
    await new Promise((resolve) => setImmediate(resolve));
    const before = session.completedSteps;
    await runtime.continue();
    assert.ok(events.some((e) => e.type === 'refused' && /inspector/.test(e.message)), JSON.stringify(events));
    assert.ok(session.completedSteps - before < 5, 'the debugger did not run alongside');
    await session.pause();
    const outcome = await inspectorRun;
    assert.equal(outcome.kind, 'paused');
    runtime.dispose();
  });
});
