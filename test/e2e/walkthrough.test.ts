// The lessons' walkthrough in a real VS Code workbench: opened from the palette as a learner
// would, two steps' command links run from the walkthrough page (lesson 4's expression graph in
// the explorer, lesson 5's network in the inspector), lesson 6's "break a derivative" link, and
// the localized step image (a %key% in package.json's media path) shown. Screenshots go to
// test-artifacts/e2e/walkthrough-*.png.
// This file alone (the config's spec would add every scenario):
//   npx mocha --no-config --require tsx/cjs --extension ts --timeout 180000 test/e2e/walkthrough.test.ts
import { strict as assert } from 'node:assert';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Locator } from 'playwright-core';
import { projectRoot, useWorkbench, waitForRenderedStep } from './harness';

const nls = JSON.parse(readFileSync(join(projectRoot, 'package.nls.json'), 'utf8')) as Record<string, string>;
const WALKTHROUGH_TITLE = nls['walkthrough.lessons.title'];

/** The text of the link in a step's description that runs `command` (as the walkthrough shows it). */
function linkText(stepKey: string, command: string): string {
  const match = [...nls[`walkthrough.${stepKey}.description`].matchAll(/\[([^\]]+)\]\(command:([\w.]+)/g)].find((m) => m[2] === command);
  assert.ok(match, `walkthrough.${stepKey} has no link to ${command}`);
  return match[1];
}

describe('e2e: the lessons walkthrough in a real VS Code workbench', function () {
  this.timeout(180_000);
  const wb = useWorkbench('the walkthrough scenario');
  const page = () => wb().page;
  const walkthrough = () => page().locator('.gettingStartedContainer');

  /** Opens the walkthrough's page on step `stepKey` (expanded) and returns that step. */
  async function openStep(stepKey: string): Promise<Locator> {
    // The editor's tab says "Walkthrough: <extension>"; the page inside has the walkthrough's title.
    const tab = page().locator('.tabs-container .tab', { hasText: 'Walkthrough:' });
    if (await tab.count()) await tab.first().click();
    const step = walkthrough().locator(`.getting-started-step[data-step-id$="${stepKey}"]`);
    await step.waitFor({ timeout: 30_000 });
    if (!(await step.evaluate((el) => el.classList.contains('expanded')))) await step.click();
    await step.locator('.step-description-container').waitFor({ state: 'visible', timeout: 10_000 });
    return step;
  }

  it('opens from "Welcome: Open Walkthrough..." with the ten lessons', async () => {
    await wb().runCommand('Welcome: Open Walkthrough...');
    const row = page().locator('.quick-input-widget .monaco-list-row', { hasText: WALKTHROUGH_TITLE }).first();
    await row.waitFor({ timeout: 30_000 });
    await row.click();
    await walkthrough().locator('.getting-started-step').first().waitFor({ timeout: 30_000 });
    assert.equal(await walkthrough().locator('.getting-started-step').count(), 10);
    await wb().screenshot('walkthrough-01-open');
  });

  it('lesson 4\'s link opens the expression graph of (2x + y)² in the explorer', async () => {
    const step = await openStep('chain-rule');
    await step.getByText(linkText('chain-rule', 'backprop.openExplorer'), { exact: true }).click();
    const explorer = wb().webview();
    await explorer.locator('body[data-view="expression"]').waitFor({ state: 'attached', timeout: 30_000 });
    const graph = explorer.locator('svg.graph');
    await graph.waitFor({ timeout: 30_000 });
    assert.ok((await graph.locator('circle').count()) >= 5, 'x, y, 2, 2x, 2x + y, its square: the graph has its nodes');
    // (2·1 + 2)² = 16 at the default values x = 1, y = 2: the output node's forward value
    assert.ok((await graph.locator('text.value').allTextContents()).includes('16'));
    await wb().screenshot('walkthrough-02-expression-graph');
  });

  it('lesson 5\'s link opens the lecture\'s network in the inspector', async () => {
    const step = await openStep('backpropagation');
    await step.getByText(linkText('backpropagation', 'backprop.openLessonExample'), { exact: true }).click();
    await page().locator('.tabs-container .tab[data-resource-name="05-backprop-lecture-network.backprop.json"]').waitFor({ timeout: 30_000 });
    const inspector = wb().webview();
    await inspector.locator('#toolbar').waitFor({ timeout: 30_000 });
    await waitForRenderedStep(inspector, 0);
    // 2 inputs → 2 ReLU units → 1 output: 2·2 + 2·1 weights drawn as edges
    await inspector.locator('#diagram .edge').first().waitFor({ state: 'attached', timeout: 30_000 });
    assert.equal(await inspector.locator('#diagram .edge[data-param^="w:"]').count(), 6);
    await wb().screenshot('walkthrough-03-lecture-network');
  });

  it('lesson 6\'s link breaks a derivative: quick pick, warning in the status bar, and back', async () => {
    const step = await openStep('activations');
    await step.getByText(linkText('activations', 'backprop.breakDerivative'), { exact: true }).click();
    const row = page().locator('.quick-input-widget .monaco-list-row', { hasText: 'σ′ = σ' }).first();
    await row.waitFor({ timeout: 30_000 });
    await row.click();
    const warning = wb().statusBarItem('backprop.brokenDerivative');
    await warning.waitFor({ timeout: 30_000 });
    assert.match((await warning.textContent()) ?? '', /σ′ = σ/);
    await page().locator('.notifications-toasts', { hasText: 'backward now uses σ′ = σ' }).waitFor({ timeout: 30_000 });
    await wb().screenshot('walkthrough-04-broken-derivative');
    await page().locator('.notifications-toasts .monaco-button', { hasText: 'Restore the true derivative' }).first().click();
    await warning.waitFor({ state: 'hidden', timeout: 30_000 });
  });

  it('shows the localized image of a step (a %key% media path)', async () => {
    await openStep('data');
    // The step's SVG is drawn in the walkthrough's media frame; its labels come from data-splits.svg.
    const deadline = Date.now() + 30_000;
    let found = false;
    while (!found && Date.now() < deadline) {
      for (const frame of page().frames()) {
        const text = await frame.locator('svg').allTextContents().catch(() => [] as string[]);
        if (text.some((t) => t.includes('validation') && t.includes('world'))) found = true;
      }
      if (!found) await page().waitForTimeout(500);
    }
    await wb().screenshot('walkthrough-05-localized-image');
    assert.ok(found, 'the data step shows media/walkthrough/data-splits.svg');
  });
});
