// The whole extension in a real VS Code workbench (code-server 4.100.3 + Debian's Chromium),
// loaded as a development extension: what a person does, checked against the CLI's trace of
// the same model computed in a separate process. One workbench serves the scenarios in order
// (each starts where the previous one left off), and each saves a screenshot.
import { strict as assert } from 'node:assert';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { StepTrace } from '../../src/engine/types';
import { parseModelFile } from '../../src/engine/model/parse';
import { projectRoot, readDataValue, useWorkbench, waitForRenderedStep } from './harness';
import { cliTrace } from './cliTrace';

const MODEL = 'xor.backprop.json';

/** Polls `read` until it returns something other than `before` (20 s at most). */
async function changed(read: () => Promise<string>, before: string): Promise<string> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const now = await read();
    if (now !== before) return now;
    if (Date.now() > deadline) throw new Error(`still "${before}" after 20 s`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Row-major flat index of W[j][i] as the layer-detail tables number their cells. */
const flatIndex = (matrix: number[][], j: number, i: number) => j * matrix[0].length + i;

describe('e2e: the inspector in a real VS Code workbench', function () {
  this.timeout(120_000);
  let trace: StepTrace[];
  const wb = useWorkbench('the inspector scenario', () => {
    trace = cliTrace(join(projectRoot, 'examples', MODEL), 4);
    return {};
  });

  const inspector = () => wb().webview();
  const renderedStep = (step: number) => waitForRenderedStep(inspector(), step, 20_000);
  const exactValue = (selector: string) => readDataValue(inspector(), selector);
  /** Where the diagram's phase band is: its kind and column, or "none" (loss and update have none). */
  const highlightedOperation = async () => {
    const band = inspector().locator('#diagram .phase-band');
    if ((await band.count()) === 0 || !(await band.first().isVisible())) return 'none';
    return `${await band.first().getAttribute('class')} @x=${await band.first().getAttribute('x')}`;
  };
  const statusNext = async () => (await inspector().locator('#status-next').textContent()) ?? '';

  it('opens the inspector from the command palette on an example', async () => {
    await wb().openFile(MODEL);
    await wb().runCommand('Backprop: Open Inspector');
    await inspector().locator('#toolbar').waitFor({ timeout: 30_000 });
    await renderedStep(0);
    await wb().screenshot('01-open-inspector');
  });

  it('steps 3 times and shows the batch loss and a chain-rule value of the CLI trace at step 3', async () => {
    for (let step = 1; step <= 3; step++) {
      await inspector().locator('#step').click();
      await renderedStep(step);
    }
    const expected = trace[2];
    assert.equal(expected.step, 3);
    assert.equal(await exactValue('#loss-value'), expected.loss);
    // ∂J/∂W of the output layer is upstream × local gradient × input, summed over the batch
    const output = expected.layers.length - 1;
    await inspector().locator(`#layer-tab-${output}`).click();
    const gradWeights = expected.layers[output].gradWeights;
    const cell = `td[data-tensor="layers[${output}].gradWeights"][data-index="${flatIndex(gradWeights, 0, 1)}"]`;
    await inspector().locator(cell).waitFor();
    assert.equal(await exactValue(cell), gradWeights[0][1]);
    // the chain-rule view of the same weight: the product of its factors, plus regularization,
    // summed in another order than the engine's backward pass, so equal to rounding
    await inspector().locator(`#diagram [data-param="w:${output}:0:1"]`).dispatchEvent('click');
    await inspector().locator('#chain-gradient').waitFor();
    const fromChain = await exactValue('#chain-gradient');
    assert.ok(Math.abs(fromChain - gradWeights[0][1]) <= 1e-12 * Math.max(1, Math.abs(gradWeights[0][1])),
      `chain rule ${fromChain} vs the CLI's ∂J/∂W[0][1] ${gradWeights[0][1]}`);
    await wb().screenshot('02-three-steps');
  });

  it('shows the same step and loss in the status bar', async () => {
    const item = wb().statusBarItem('backprop.status');
    await item.waitFor();
    const text = (await item.textContent()) ?? '';
    const loss = trace[2].loss.toPrecision(4);
    assert.match(text, new RegExp(`Step 3\\b.*${loss.replace('.', '\\.')}`), `status bar: "${text}"`);
    await wb().screenshot('03-status-bar');
  });

  it('steps into one operation at a time and the highlighted operation moves', async () => {
    const layers = trace[0].layers.length;
    // one step is forward 1..L, the loss, backward L..1 and the update: 2L + 2 operations
    const seen = [await statusNext()];
    const bands: string[] = [];
    for (let op = 0; op < 2 * layers + 2; op++) {
      await inspector().locator('#step-into').click();
      seen.push(await changed(statusNext, seen[seen.length - 1]));
      bands.push(await highlightedOperation());
      if (op === 0) await wb().screenshot('04-step-into');
    }
    assert.equal(new Set(seen.slice(1)).size, seen.length - 1, `an operation came twice: ${seen.join(' → ')}`);
    assert.ok(new Set(bands).size >= 3, `the highlighted operation did not move: ${bands.join(', ')}`);
    // after the whole cycle step 4 is complete, with the CLI's numbers
    await renderedStep(4);
    assert.equal(await exactValue('#loss-value'), trace[3].loss);
  });

  it('steps back and shows the earlier numbers exactly', async () => {
    await inspector().locator('#step-back').click();
    await renderedStep(3);
    assert.equal(await exactValue('#loss-value'), trace[2].loss);
    await inspector().locator('#step-back').click();
    await renderedStep(2);
    assert.equal(await exactValue('#loss-value'), trace[1].loss);
    await wb().screenshot('05-step-back');
  });

  it('follows a dark theme', async () => {
    await wb().runCommand('Preferences: Color Theme');
    const picker = wb().page.locator('.quick-input-widget');
    await picker.locator('input.input').fill('Dark Modern');
    await picker.locator('.monaco-list-row .label-name', { hasText: /^Dark Modern$/ }).first().click();
    await inspector().locator('body.vscode-dark').waitFor({ timeout: 20_000 });
    const background = await inspector().locator('body').evaluate((body) => getComputedStyle(body).backgroundColor);
    const [r, g, b] = (background.match(/\d+/g) ?? []).map(Number);
    assert.ok(r + g + b < 3 * 96, `the inspector's background stayed light: ${background}`);
    await wb().screenshot('07-dark-theme');
  });

  it('follows the backprop.language setting to Korean', async () => {
    const korean = JSON.parse(readFileSync(join(projectRoot, 'l10n', 'bundle.l10n.ko.json'), 'utf8')) as Record<string, string>;
    await wb().changeUserSettings({ 'backprop.language': 'ko' });
    await inspector().locator('html[lang="ko"]').waitFor({ state: 'attached', timeout: 30_000 });
    await inspector().locator('#step', { hasText: korean['Step'] }).waitFor();
    // a new page in another language, the same numbers
    await renderedStep(2);
    assert.equal(await exactValue('#loss-value'), trace[1].loss);
    await wb().screenshot('08-korean');
  });

  it('shows the diagnostic of a malformed model file in the Problems panel', async () => {
    const broken = 'broken.backprop.json';
    const text = '{\n  "inputs": 2,\n  "layers": [ { "units": 0, "activation": "relu" } ]\n}\n';
    const firstError = parseModelFile(text).diagnostics.find((d) => d.severity === 'error');
    assert.ok(firstError, 'the engine accepts the malformed file');
    writeFileSync(join(wb().workspace, broken), text);
    await wb().openFile(broken);
    await wb().page.locator('.statusbar-item[id="status.problems"]').click();
    const problems = wb().page.locator('.markers-panel .monaco-list-row');
    await problems.first().waitFor({ timeout: 20_000 });
    const rows = await problems.allTextContents();
    assert.ok(rows.some((row) => row.includes(broken)), `no problems listed for ${broken}: ${rows.join(' | ')}`);
    assert.ok(rows.some((row) => row.includes(firstError.message)), `"${firstError.message}" is not listed: ${rows.join(' | ')}`);
    await wb().screenshot('09-problems');
    // close it again, so the inspector is the visible editor of its group for what follows
    await wb().page.locator(`.tabs-container .tab[data-resource-name="${broken}"]`).click();
    await wb().page.keyboard.press('Control+W');
    await inspector().locator('#toolbar').waitFor({ timeout: 30_000 });
  });
  it('restores the inspector at the same step after the window reloads', async () => {
    await wb().reload();
    // The panel comes back as a tab behind the malformed file opened last; VS Code revives a
    // webview when its tab is shown, so show it as a person would.
    await wb().page.locator('.tabs-container .tab', { hasText: /(Inspector|인스펙터): XOR/ }).first().click({ timeout: 60_000 });
    await inspector().locator('#toolbar').waitFor({ timeout: 60_000 });
    await renderedStep(2);
    assert.equal(await exactValue('#loss-value'), trace[1].loss);
    await wb().screenshot('06-reload-restored');
  });
});
