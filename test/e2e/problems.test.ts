// Issue 10 item 9 in a real VS Code workbench: a model file with one type error and one semantic
// error shows exactly two problems, each once (VS Code's JSON service reads the schema for
// completion and hover only; the extension lists every problem), and the type error does not hide
// the semantic one. This file alone:
//   npx mocha --no-config --require tsx/cjs --extension ts --timeout 180000 --exit test/e2e/problems.test.ts
import { strict as assert } from 'node:assert';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseModelFile } from '../../src/engine/model';
import { useWorkbench } from './harness';

describe('e2e: every problem of a model file is listed once', function () {
  this.timeout(180_000);
  const workbench = useWorkbench('the problems scenario');
  before(() => workbench().page.setViewportSize({ width: 1600, height: 1000 }));

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
    writeFileSync(join(wb.workspace, file), text);
    await wb.openFile(file);
    await wb.page.locator('.statusbar-item[id="status.problems"]').click();
    const rows = wb.page.locator('.markers-panel .monaco-list-row');
    const problemRows = rows.filter({ hasNotText: file });
    await problemRows.nth(1).waitFor({ timeout: 30_000 });
    // VS Code's JSON service validates after the extension: give it time to add its own.
    await wb.page.waitForTimeout(5_000);
    const listed = await problemRows.allTextContents();
    assert.equal(listed.length, 2, `listed:\n${listed.join('\n')}`);
    for (const problem of expected) {
      assert.equal(listed.filter((row) => row.includes(problem.message.slice(0, 40))).length, 1, `"${problem.message}" is not listed once:\n${listed.join('\n')}`);
    }
    // the file's row counts two as well
    assert.match((await rows.filter({ hasText: file }).first().textContent()) ?? '', /2/);
    await wb.screenshot('problems-listed-once');
  });
});
