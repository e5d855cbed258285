// Export Trace through the command users run (exportCommand.exportTrace), with the window's dialogs
// answered by a scripted ExportUi: the file must be what the session showed.
import './useVscodeStub';
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { TrainingSession } from '../../../src/extension/session';
import { type ExportUi, LARGE_EXPORT_BYTES, exportTrace, parseStepRange } from '../../../src/extension/exportCommand';
import { Trainer } from '../../../src/engine/trainer';
import { loadModel } from '../../../src/engine/model';
import { toStepTrace } from '../../../src/engine/trace';

const root = join(__dirname, '../../..');
const LESSON6 = readFileSync(join(root, 'examples/06-activations-break-a-derivative.backprop.json'), 'utf8');
const XOR = readFileSync(join(root, 'examples/xor.backprop.json'), 'utf8');

function open(text: string): TrainingSession {
  const loaded = TrainingSession.load('file:///ws/model.backprop.json', text);
  assert.ok(loaded.ok);
  return loaded.session;
}

/** The window as a script: answers the range and confirmation, records what the command did. */
function scriptedUi(answers: { range?: string; confirm?: boolean; cancelAfterChunks?: number } = {}) {
  const done = { written: undefined as string | undefined, target: '', messages: [] as string[], asked: [] as string[], progress: [] as number[] };
  let chunks = 0;
  const ui: ExportUi = {
    askRange: async (prompt, value, validate) => {
      done.asked.push(`range: ${prompt} [${value}]`);
      const text = answers.range ?? value;
      assert.equal(validate(text), undefined, `the scripted range ${text} is valid`);
      return text;
    },
    askTarget: async (title, suggested) => {
      done.asked.push(`target: ${title}`);
      return suggested;
    },
    confirm: async (message) => {
      done.asked.push(`confirm: ${message}`);
      return answers.confirm ?? true;
    },
    withProgress: (_title, task) =>
      task(
        (percent) => {
          chunks++;
          done.progress.push(percent);
        },
        () => answers.cancelAfterChunks !== undefined && chunks >= answers.cancelAfterChunks,
      ),
    write: async (target, bytes) => {
      done.target = target;
      done.written = new TextDecoder().decode(bytes);
    },
    describe: (target) => target.replace('file:///ws/', ''),
    inform: (message) => void done.messages.push(message),
  };
  return { ui, done };
}

const lines = (text: string) => text.split('\n').filter((l) => l !== '');

describe('Export Trace (the command path)', () => {
  it('after "Break a Derivative" and two steps, the file is the two steps the session showed', async () => {
    const session = open(LESSON6);
    await session.setBrokenDerivative({ kind: 'tanh-without-square' });
    const shown: string[] = [];
    for (let s = 0; s < 2; s++) {
      await session.step();
      shown.push(JSON.stringify(toStepTrace(session.record!)));
    }
    const { ui, done } = scriptedUi();
    await exportTrace(session, ui);
    assert.deepEqual(lines(done.written!), shown);
    assert.equal(done.target, 'file:///ws/model.trace.jsonl');
    // The broken derivative matters: a fresh training with the true derivatives differs.
    const loaded = loadModel(LESSON6);
    const honest = new Trainer(loaded.model!, loaded.data!);
    honest.step();
    assert.notDeepEqual(JSON.parse(lines(done.written!)[1]), toStepTrace(honest.step()));
    assert.match(done.messages.at(-1)!, /Exported steps 1 to 2 \(\d+\.\d KB\) to model\.trace\.jsonl/);
  });

  it('writes the range the user chose, each line what the CLI serializer prints for that step', async () => {
    const session = open(XOR);
    for (let s = 0; s < 100; s++) await session.step();
    await session.stepBack(); // the range is of completed steps, wherever the session stands
    const { ui, done } = scriptedUi({ range: '2-90' });
    await exportTrace(session, ui);
    const loaded = loadModel(XOR);
    const reference = new Trainer(loaded.model!, loaded.data!);
    const expected = Array.from({ length: 90 }, () => JSON.stringify(toStepTrace(reference.step()))).slice(1);
    assert.deepEqual(lines(done.written!), expected);
    assert.equal(session.completedSteps, 99, 'the export does not move the session');
    assert.deepEqual(done.progress, [100], 'one chunk: one report');
  });

  it('says the size and asks before writing a large file; declined, it writes nothing', async () => {
    const session = open(XOR);
    const line = (await (async () => (await session.step(), JSON.stringify(toStepTrace(session.record!)) + '\n'))()).length;
    const steps = Math.ceil(LARGE_EXPORT_BYTES / line) + 10;
    await session.goToStep(steps);
    const { ui, done } = scriptedUi({ confirm: false });
    await exportTrace(session, ui);
    const confirm = done.asked.find((a) => a.startsWith('confirm:'));
    assert.ok(confirm, done.asked.join('\n'));
    const mb = Number(/about ([\d.]+) MB/.exec(confirm)![1]);
    assert.ok(Math.abs(mb - (steps * line) / 2 ** 20) < 0.02 * mb + 0.1, `${confirm} vs ${steps} lines of ${line} bytes`);
    assert.equal(done.written, undefined);
    assert.ok(!done.asked.some((a) => a.startsWith('target:')), 'declined before asking where');
  });

  it('reports progress by chunks and, cancelled, writes nothing', async () => {
    const session = open(XOR);
    await session.goToStep(1000);
    const { ui, done } = scriptedUi({ cancelAfterChunks: 2 });
    await exportTrace(session, ui);
    assert.deepEqual(done.progress, [25, 51]);
    assert.equal(done.written, undefined);
    assert.match(done.messages.at(-1)!, /cancelled: nothing was written/);
  });

  it('reads step ranges and says what to write instead of a bad one', () => {
    assert.deepEqual(parseStepRange('3-7', 10), { from: 3, through: 7 });
    assert.deepEqual(parseStepRange(' 4 ', 10), { from: 4, through: 4 });
    assert.deepEqual(parseStepRange('2..10', 10), { from: 2, through: 10 });
    assert.equal(parseStepRange('0-3', 10), 'The steps go from 1 to 10.');
    assert.equal(parseStepRange('3-11', 10), 'The steps go from 1 to 10.');
    assert.equal(parseStepRange('7-3', 10), 'The range starts after it ends: write 3-7.');
    assert.equal(parseStepRange('all', 10), 'Write a step range such as 1-10, or one step such as 10.');
  });
});
