// Issue 10 item 9 in a real VS Code workbench: every problem of a model file is one row in
// Problems, counting both sources (VS Code's JSON language service and the extension).
//  - A type error and a semantic error are two rows: VS Code's JSON service reads the schema for
//    completion and hover only, the extension lists every such problem, and the type error does
//    not hide the semantic one.
//  - A missing comma is one row: VS Code's JSON service lists the syntax error ("Expected comma"),
//    so the extension leaves it out and gives its own sentence on hover over the same place.
// This file alone:
//   npx mocha --config test/e2e/.mocharc.json test/e2e/problems.test.ts
import { strict as assert } from 'node:assert';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseModelFile } from '../../src/engine/model';
import { useWorkbench } from './harness';

describe('e2e: every problem of a model file is listed once', function () {
  this.timeout(180_000);
  const workbench = useWorkbench('the problems scenario');
  before(() => workbench().page.setViewportSize({ width: 1600, height: 1000 }));

  /**
   * Opens `text` as the only model file in the editor and returns the Problems rows under it, once
   * both sources had time to report (VS Code's JSON service validates after the extension).
   */
  async function problemRows(file: string, text: string, atLeast: number): Promise<string[]> {
    const wb = workbench();
    await wb.runCommand('View: Close All Editors'); // the problems of closed files leave the panel
    writeFileSync(join(wb.workspace, file), text);
    await wb.openFile(file);
    // the status bar's problems item toggles the panel: open it only when it is not open already
    if (!(await wb.page.locator('.markers-panel').isVisible())) await wb.page.locator('.statusbar-item[id="status.problems"]').click();
    const rows = wb.page.locator('.markers-panel .monaco-list-row').filter({ hasNotText: file });
    await rows.nth(atLeast - 1).waitFor({ timeout: 30_000 });
    await wb.page.waitForTimeout(5_000);
    return rows.allTextContents();
  }

  it('a type error and a semantic error are two problems in Problems', async () => {
    const wb = workbench();
    const file = 'two-problems.backprop.json';
    // learningRate is a string (the schema's type), and y has 1 number for 2 output units (semantic).
    const text = [
      '{',
      '  "inputs": 2,',
      '  "layers": [ { "units": 2, "activation": "sigmoid" } ],',
      '  "loss": "mse",',
      '  "optimizer": { "type": "sgd", "learningRate": "fast" },',
      '  "data": { "x": [[0, 1]], "y": [[1]] }',
      '}',
      '',
    ].join('\n');
    const expected = parseModelFile(text).diagnostics;
    assert.deepEqual(expected.map((d) => d.path), ['optimizer.learningRate', 'data.y[0]']);
    const listed = await problemRows(file, text, 2);
    assert.equal(listed.length, 2, `listed:\n${listed.join('\n')}`);
    for (const problem of expected) {
      assert.equal(listed.filter((row) => row.includes(problem.message.slice(0, 40))).length, 1, `"${problem.message}" is not listed once:\n${listed.join('\n')}`);
    }
    // the file's row counts two as well
    assert.match((await wb.page.locator('.markers-panel .monaco-list-row').filter({ hasText: file }).first().textContent()) ?? '', /2/);
    await wb.screenshot('problems-listed-once');
  });

  it('a missing comma is one problem in Problems, with the extension\'s sentence on hover', async () => {
    const wb = workbench();
    const file = 'missing-comma.backprop.json';
    const text = [
      '{',
      '  "inputs": 2',
      '  "layers": [ { "units": 1, "activation": "sigmoid" } ],',
      '  "loss": "mse",',
      '  "optimizer": { "type": "sgd", "learningRate": 0.1 },',
      '  "data": { "x": [[0, 1]], "y": [[1]] }',
      '}',
      '',
    ].join('\n');
    const [ours] = parseModelFile(text).diagnostics;
    assert.match(ours.message, /expected a comma before/);
    const listed = await problemRows(file, text, 1);
    assert.equal(listed.length, 1, `listed:\n${listed.join('\n')}`);
    assert.match(listed[0], /Expected comma/, 'VS Code\'s JSON service lists it');
    assert.match(listed[0], /\[Ln 3, Col 3\]/, 'at the property that needed the comma before it');
    // Our sentence on hover over the same place: the editor's hover shows both. The cursor is put
    // inside "layers" (line 3, column 5) from the keyboard after a click in the editor (a
    // double-click on the Problems row left the focus in the panel under load), and the hover
    // asked for by its command.
    await wb.page.locator('.monaco-editor .view-lines').first().click();
    for (const key of ['Control+Home', 'ArrowDown', 'ArrowDown', 'Home', 'ArrowRight', 'ArrowRight']) await wb.page.keyboard.press(key);
    const hover = wb.page.locator('.monaco-hover-content').filter({ hasText: 'Backprop Stepper' });
    for (let attempt = 1; ; attempt++) {
      await wb.runCommand('Show or Focus Hover');
      try {
        await hover.waitFor({ timeout: 10_000 });
        break;
      } catch (error) {
        if (attempt === 3) throw error;
      }
    }
    // (VS Code's MarkdownString.appendText keeps spaces as no-break spaces)
    assert.match((await hover.textContent())?.replace(/\u00a0/g, ' ') ?? '', /Backprop Stepper: JSON syntax: expected a comma before/);
    await wb.screenshot('problems-missing-comma-once');
  });
});
