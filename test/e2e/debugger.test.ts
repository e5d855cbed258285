// The debugger in a real VS Code workbench (code-server + Debian's Chromium), as a person uses it:
// F5 on an example with no launch.json, F10 twice, the Variables view's loss against the CLI's
// `--json` trace of the same model (a separate process), F11 moving the highlighted layer line.
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { StepTrace } from '../../src/engine/types';
import { projectRoot, useWorkbench } from './harness';
import { cliTrace } from './cliTrace';

const MODEL = 'xor.backprop.json';
const modelPath = join(projectRoot, 'examples', MODEL);

/** The 1-based line of the first line containing `needle` in the example. */
const lineOf = (needle: string) => readFileSync(modelPath, 'utf8').split('\n').findIndex((line) => line.includes(needle)) + 1;

describe('e2e: the debugger in a real VS Code workbench', function () {
  this.timeout(180_000);
  let trace: StepTrace[];
  const workbench = useWorkbench('the debugger end-to-end scenario', () => {
    trace = cliTrace(modelPath, 3);
    return {};
  });

  const page = () => workbench().page;
  const callStack = () => page().locator('.debug-call-stack .monaco-list-row');
  /** Waits until the top frame reads `name` and returns its line as the call stack shows it. */
  async function topFrame(name: string): Promise<number> {
    const row = callStack().filter({ hasText: name }).first();
    await row.waitFor({ timeout: 60_000 });
    const location = (await row.locator('.line-number').textContent()) ?? '';
    return Number(location.split(':')[0]);
  }
  async function press(key: string): Promise<void> {
    await page().keyboard.press(key);
  }

  it('F5 on an open example starts the debugger without a launch.json and stops on entry', async () => {
    await workbench().openFile(MODEL);
    await page().locator('.editor-group-container.active .monaco-editor .view-lines').first().click();
    await press('F5');
    // with more than one debugger for JSON files, VS Code asks which one
    const choice = page().locator('.quick-input-widget .monaco-list-row', { hasText: 'Backprop: Debug Training' }).first();
    await Promise.race([
      choice.waitFor({ timeout: 30_000 }).then(() => choice.click()),
      callStack().first().waitFor({ timeout: 30_000 }),
    ]);
    assert.equal(await topFrame('start · before forward · layer 1'), lineOf('"units": 3'));
    await workbench().screenshot('debugger-01-entry');
  });

  it('F10 twice shows the loss of step 2 equal to the CLI\'s in the Variables view', async () => {
    await press('F10');
    assert.equal(await topFrame('update'), lineOf('"optimizer"'));
    await press('F10');
    await callStack().filter({ hasText: 'step 2 (batch 2 of epoch 1)' }).first().waitFor({ timeout: 60_000 });
    assert.equal(await topFrame('update'), lineOf('"optimizer"'));
    const variables = page().locator('.debug-variables .monaco-list-row');
    const lossScope = variables.filter({ hasText: /^Loss$/ }).first();
    const total = variables.filter({ hasText: 'total J' }).first();
    // The view re-renders its scopes after each stop and a hover can cover a row: expand the Loss
    // scope until its rows show, clicking only while it is still collapsed.
    for (let attempt = 0; attempt < 10 && !(await total.isVisible()); attempt++) {
      await page().mouse.move(0, 0);
      if ((await lossScope.getAttribute('aria-expanded')) !== 'true') await lossScope.click();
      await total.waitFor({ timeout: 3_000 }).catch(() => undefined);
    }
    await total.waitFor({ timeout: 30_000 });
    const shown = (await total.locator('.value').textContent())?.trim();
    assert.equal(Number(shown), Number(trace[1].loss.toPrecision(6)), `Variables view: ${shown}, CLI: ${trace[1].loss}`);
    await workbench().screenshot('debugger-02-two-steps');
  });

  it('F11 moves the highlighted line to the layer of the next operation', async () => {
    const stackFrameLine = () => page().locator('.editor-group-container.active .monaco-editor .debug-top-stack-frame-line');
    await stackFrameLine().first().waitFor({ timeout: 30_000 });
    const before = await stackFrameLine().first().boundingBox();
    await press('F11');
    assert.equal(await topFrame('forward · layer 1'), lineOf('"units": 3'));
    await page().waitForFunction(
      (top) => {
        const line = document.querySelector('.editor-group-container.active .monaco-editor .debug-top-stack-frame-line');
        return line !== null && line.getBoundingClientRect().top !== top;
      },
      before?.y ?? -1,
      { timeout: 30_000 },
    );
    const after = await stackFrameLine().first().boundingBox();
    assert.ok(before && after && after.y < before.y, 'the highlight moved up from "optimizer" to the first layer');
    // the Layer scope of the operation frame lists the layer's tensors
    await page().locator('.debug-variables .monaco-list-row', { hasText: 'a = f(z)' }).first().waitFor({ timeout: 30_000 });
    await workbench().screenshot('debugger-03-step-into');
  });
});
