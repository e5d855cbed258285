// Lessons and starting points in a real VS Code workbench, as a learner meets them: New Model a
// second time, "Open Lesson Example" from the palette, the walkthrough's links opening lesson
// after lesson beside the walkthrough, the status bar naming its model and leaving with its
// editors, and a progress notification that goes when its goal is reached. Screenshots at
// 1600 px and at an inspector 420 px wide go to test-artifacts/e2e/lessons-*.png.
// This file alone (the config's spec would add every scenario):
//   npx mocha --no-config --require tsx/cjs --extension ts --timeout 180000 test/e2e/lessons.test.ts
import { strict as assert } from 'node:assert';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Locator } from 'playwright-core';
import { projectRoot, useWorkbench, waitForRenderedStep } from './harness';
import { LESSON_EXAMPLES } from '../../src/extension/lessons/lessonExamples';

const nls = JSON.parse(readFileSync(join(projectRoot, 'package.nls.json'), 'utf8')) as Record<string, string>;
const exampleName = (name: string) => (JSON.parse(readFileSync(join(projectRoot, 'examples', `${name}.backprop.json`), 'utf8')) as { name: string }).name;

/** The text of the link in a walkthrough step's description that runs `command` with `argument`. */
function linkText(stepKey: string, command: string, argument?: string): string {
  const links = [...nls[`walkthrough.${stepKey}.description`].matchAll(/\[([^\]]+)\]\(command:([\w.]+)(?:\?([^)]*))?\)/g)];
  const match = links.find((m) => m[2] === command && (argument === undefined || decodeURIComponent(m[3] ?? '').includes(argument)));
  assert.ok(match, `walkthrough.${stepKey} has no link to ${command} ${argument ?? ''}`);
  return match[1];
}

describe('e2e: lessons and starting points in a real VS Code workbench', function () {
  this.timeout(180_000);
  const wb = useWorkbench('the lessons scenario');
  before(() => wb().page.setViewportSize({ width: 1600, height: 1000 }));

  const page = () => wb().page;
  const tab = (fileName: string) => page().locator(`.tabs-container .tab[data-resource-name="${fileName}"]`);
  const toasts = () => page().locator('.notifications-toasts .notification-toast');
  const inspectorTabs = () => page().locator('.tabs-container .tab', { hasText: /^Inspector: / });
  /** Runs a palette command; once more if the palette closed under the first try (focus moving as editors open). */
  const command = async (title: string) => {
    try {
      await wb().runCommand(title, 20_000);
    } catch {
      await page().waitForTimeout(1_000);
      await wb().runCommand(title);
    }
  };
  const closeAllEditors = async () => {
    await command('View: Close All Editor Groups');
    await page().locator('.tabs-container .tab').first().waitFor({ state: 'detached', timeout: 20_000 }).catch(() => undefined);
  };

  const openWalkthrough = async () => {
    await command('Welcome: Open Walkthrough...');
    const row = page().locator('.quick-input-widget .monaco-list-row', { hasText: nls['walkthrough.lessons.title'] }).first();
    await row.waitFor({ timeout: 30_000 });
    await row.click();
    const walkthrough = page().locator('.gettingStartedContainer');
    await walkthrough.locator('.getting-started-step').first().waitFor({ timeout: 30_000 });
    return walkthrough;
  };
  /** Brings the walkthrough's tab forward and expands step `stepKey`. */
  const walkthroughStep = async (walkthrough: Locator, stepKey: string) => {
    await page().locator('.tabs-container .tab', { hasText: 'Walkthrough:' }).first().click();
    const step = walkthrough.locator(`.getting-started-step[data-step-id$="${stepKey}"]`);
    await step.waitFor({ timeout: 30_000 });
    if (!(await step.evaluate((el) => el.classList.contains('expanded')))) await step.click();
    return step;
  };

  it('New Model works a second time, after the first was saved as model-1 (item 8)', async () => {
    // What saving the first New Model leaves on disk.
    writeFileSync(join(wb().workspace, 'model-1.backprop.json'), '{}\n');
    await command('Backprop: New Model');
    await tab('model-2.backprop.json').waitFor({ timeout: 30_000 });
    await page().waitForTimeout(1_000);
    await command('Backprop: New Model');
    await tab('model-3.backprop.json').waitFor({ timeout: 30_000 });
    assert.equal(await toasts().filter({ hasText: 'already exists' }).count(), 0);
    await wb().screenshot('lessons-01-new-model-twice');
    await command('View: Revert and Close Editor');
    await command('View: Revert and Close Editor');
  });

  it('"Open Lesson Example" from the palette asks which lesson, then opens it with its inspector (item 14)', async () => {
    await command('Backprop: Open Lesson Example');
    const picker = page().locator('.quick-input-widget');
    const rows = picker.locator('.monaco-list-row');
    await rows.first().waitFor({ timeout: 20_000 });
    assert.equal(await rows.first().locator('.label-name').first().textContent(), exampleName(LESSON_EXAMPLES[0]));
    await picker.locator('input.input').fill('03-gradient-descent');
    await rows.filter({ hasText: exampleName('03-gradient-descent') }).first().click();
    await tab('03-gradient-descent.backprop.json').waitFor({ timeout: 30_000 });
    await wb().webview().locator('#toolbar').waitFor({ timeout: 30_000 });
    assert.equal(await toasts().filter({ hasText: 'no lesson example' }).count(), 0);
    await wb().screenshot('lessons-02-open-lesson-example');
  });

  it('the status bar names its model and leaves when the model\'s editors close (item 17)', async () => {
    const item = wb().statusBarItem('backprop.status');
    await item.waitFor({ timeout: 20_000 });
    assert.match((await item.textContent()) ?? '', /Lesson 3: gradient desc….*Step 0/);
    await closeAllEditors();
    await item.waitFor({ state: 'hidden', timeout: 20_000 });
    await wb().screenshot('lessons-03-status-bar-gone');
  });

  it('a progress notification goes once its goal is reached (item 17)', async () => {
    await wb().openFile('xor.backprop.json');
    await command('Backprop: Open Inspector');
    await waitForRenderedStep(wb().webview(), 0);
    await page().waitForTimeout(1_000);
    await tab('xor.backprop.json').click();
    await command('Backprop: Go To Step…');
    const input = page().locator('.quick-input-widget input.input');
    await input.waitFor();
    await input.fill('3000');
    await page().keyboard.press('Enter');
    const item = wb().statusBarItem('backprop.status');
    await item.filter({ hasText: 'Step 3000' }).waitFor({ timeout: 60_000 });
    await toasts().filter({ hasText: 'Going to step' }).waitFor({ state: 'hidden', timeout: 10_000 });
    // Run until the loss is below 0.1: XOR gets there within a few hundred steps.
    // Keys typed in a webview stay there: the palette opens from the model's editor.
    await tab('xor.backprop.json').click();
    await command('Backprop: Reset Training');
    await item.filter({ hasText: 'Step 0' }).waitFor({ timeout: 20_000 });
    await tab('xor.backprop.json').click();
    await command('Backprop: Run Until…');
    await page().locator('.quick-input-widget .monaco-list-row', { hasText: 'Loss below' }).first().click();
    await input.fill('0.1');
    await page().keyboard.press('Enter');
    await toasts().filter({ hasText: 'Training' }).first().waitFor({ timeout: 20_000 }).catch(() => undefined);
    await wb().screenshot('lessons-04a-running-until');
    await toasts().filter({ hasText: 'is below the target' }).waitFor({ timeout: 60_000 });
    // The run's progress notification ("Training … until …") goes with the run; the message that
    // says why it stopped stays, once.
    await toasts().filter({ hasText: /Training .* until/ }).first().waitFor({ state: 'hidden', timeout: 5_000 });
    await page().waitForTimeout(2_000);
    await wb().screenshot('lessons-04b-goal-reached');
    const messages = await page().locator('.notifications-toasts .notification-toast .notification-list-item-message').allInnerTexts();
    assert.deepEqual(messages.filter((m) => /Training .* until/.test(m)), [], `the progress notification stayed: ${messages.join(' | ')}`);
    assert.equal(messages.filter((m) => /^Stopped at step \d+: the loss \S+ is below the target\.$/.test(m)).length, 1, messages.join(' | '));
    await closeAllEditors();
  });

  it('walkthrough links open every lesson in one group beside the walkthrough, replacing the previous lesson (item 12)', async () => {
    await closeAllEditors();
    const walkthrough = await openWalkthrough();
    const lessons: Array<[string, string]> = [
      ['optimization', '01-learning-is-optimization'],
      ['norms-information', '02-norms-and-information'],
      ['gradient-descent', '03-gradient-descent'],
      ['chain-rule', '04-chain-rule'],
      ['backpropagation', '05-backprop-lecture-network'],
    ];
    for (const [stepKey, example] of lessons) {
      // The walkthrough is still there to click: its tab in its own group.
      const step = await walkthroughStep(walkthrough, stepKey);
      await step.getByText(linkText(stepKey, 'backprop.openLessonExample', example), { exact: true }).click();
      await tab(`${example}.backprop.json`).waitFor({ timeout: 30_000 });
      await inspectorTabs().filter({ hasText: exampleName(example) }).first().waitFor({ timeout: 30_000 });
    }
    await wb().webview().locator('#toolbar').waitFor({ timeout: 30_000 });
    const groups = await page().locator('.editor-group-container').count();
    assert.equal(groups, 2, 'the walkthrough\'s group and the lessons\' group');
    assert.equal(await inspectorTabs().count(), 1, 'one inspector: the last lesson\'s');
    const modelTabs = await page().locator('.tabs-container .tab[data-resource-name$=".backprop.json"]').count();
    assert.equal(modelTabs, 1, 'one lesson example: the last one');
    assert.equal(await page().locator('.tabs-container .tab', { hasText: 'Walkthrough:' }).count(), 1);
    await wb().screenshot('lessons-05-walkthrough-and-lesson-1600');
  });

  it('the loss-surface explorer opened from the walkthrough draws at once, in the lessons\' group (item 15)', async () => {
    const walkthrough = await openWalkthrough();
    const step = await walkthroughStep(walkthrough, 'gradient-descent');
    const started = Date.now();
    await step.getByText(linkText('gradient-descent', 'backprop.openExplorer'), { exact: true }).click();
    await page().locator('.tabs-container .tab', { hasText: 'Backprop Explorer' }).waitFor({ timeout: 30_000 });
    const tabShown = Date.now() - started;
    await wb().webview().locator('#tab-surface').waitFor({ timeout: 30_000 });
    const pageShown = Date.now() - started;
    await wb().webview().locator('#view-surface svg.plot').first().waitFor({ timeout: 30_000 });
    const elapsed = Date.now() - started;
    console.log(`surface explorer: tab ${tabShown} ms, page ${pageShown} ms, plot ${elapsed} ms`);
    await wb().screenshot('lessons-06-surface-from-walkthrough');
    // The panel's own start (activation, webview load) is the workbench's; once its page shows, the plot follows within a second or two (it took four while the first request parsed the lesson models).
    assert.ok(elapsed - pageShown < 2_500, `the surface stayed blank ${elapsed - pageShown} ms after its page showed`);
    assert.equal(await page().locator('.editor-group-container').count(), 2, 'the walkthrough\'s group and the lessons\' group');
  });

  it('screenshots: dark, Korean, a lesson inspector about 420 px wide beside the walkthrough, and the activations explorer', async () => {
    await page().setViewportSize({ width: 1200, height: 1000 });
    await wb().changeUserSettings({ 'workbench.colorTheme': 'Default Dark Modern', 'backprop.language': 'ko' });
    await closeAllEditors();
    const walkthrough = await openWalkthrough();
    let step = await walkthroughStep(walkthrough, 'backpropagation');
    await step.getByText(linkText('backpropagation', 'backprop.openLessonExample'), { exact: true }).click();
    const inspector = wb().webview();
    await inspector.locator('html[lang="ko"] body[data-rendered-step="0"]').waitFor({ state: 'attached', timeout: 30_000 });
    await inspector.locator('#step').click();
    await waitForRenderedStep(inspector, 1);
    await inspector.locator('#diagram [data-param^="w:0:"]').first().dispatchEvent('click');
    await inspector.locator('#chain-gradient').waitFor({ timeout: 30_000 });
    const width = await inspector.locator('body').evaluate((body) => body.clientWidth);
    assert.ok(width > 350 && width < 520, `the lesson inspector is ${width} px wide`);
    const sideways = await inspector.locator('html').evaluate((html) => html.scrollWidth - html.clientWidth);
    assert.equal(sideways, 0, 'the inspector page does not scroll sideways');
    await wb().screenshot('lessons-07-dark-korean-inspector-420');
    step = await walkthroughStep(walkthrough, 'activations');
    await step.getByText(linkText('activations', 'backprop.openExplorer'), { exact: true }).click();
    await wb().webview().locator('#view-activations svg[data-activation="relu"]').waitFor({ timeout: 30_000 });
    await wb().screenshot('lessons-08-dark-korean-activations-420');
  });
});
