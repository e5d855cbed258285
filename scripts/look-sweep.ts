// A look at every view in the real workbench (code-server + Debian's Chromium), for a person to open
// and judge: `npm run look [-- combination ...]` writes PNGs to test-artifacts/look/
// (git-ignored), one workbench per combination of theme, language and width (all, or those named,
// e.g. `light-en-1600 dark-ko-420`). In each: XOR's inspector three steps and one epoch in, card by
// card; every explorer tab; the walkthrough and a lesson; the test-set evaluation; the debugger's
// Variables. A 420 px width is a 470 px window without the side bar (the width a narrow editor group
// gives). It takes pictures only: the automatic overflow/overlap checks are the tests'.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Workbench, ensureWorkbench, projectRoot } from '../test/e2e/harness';

const OUT = join(projectRoot, 'test-artifacts', 'look');
const THEMES = { light: 'Default Light Modern', dark: 'Default Dark Modern', hc: 'Default High Contrast' } as const;
const COMBINATIONS = ['light-en-1600', 'dark-en-1600', 'hc-en-1600', 'dark-ko-1600', 'light-en-420', 'light-ko-420', 'dark-en-420', 'dark-ko-420'];

async function sweep(combination: string): Promise<void> {
  const [theme, language, width] = combination.split('-') as [keyof typeof THEMES, 'en' | 'ko', string];
  const narrow = width === '420';
  const available = ensureWorkbench();
  if ('unavailable' in available) throw new Error(available.unavailable);
  const workbench = await Workbench.start({ entry: available.entry });
  const page = workbench.page;
  const shot = async (name: string) => {
    await page.waitForTimeout(800);
    await page.screenshot({ path: join(OUT, `${combination}-${name}.png`) });
    process.stdout.write(`${combination}-${name}.png\n`);
  };
  const closeAll = async () => {
    await workbench.runCommand('View: Close All Editors');
    await page.waitForTimeout(500);
  };
  try {
    await workbench.changeUserSettings({ 'workbench.colorTheme': THEMES[theme], 'backprop.language': language });
    await page.setViewportSize({ width: narrow ? 470 : 1600, height: 1000 });
    if (narrow) await workbench.runCommand('View: Close Primary Side Bar');

    // The inspector, card by card: XOR three steps in, then one epoch more (the epoch chart).
    await workbench.openFile('xor.backprop.json', 180_000);
    await workbench.runCommand('Backprop: Open Inspector');
    const inspector = workbench.webview();
    await inspector.locator('#toolbar').waitFor({ timeout: 60_000 });
    await workbench.runCommand('View: Close Editors in Other Groups');
    for (let step = 1; step <= 3; step++) {
      await inspector.locator('#step').click();
      await inspector.locator(`body[data-rendered-step="${step}"]`).waitFor({ state: 'attached', timeout: 30_000 });
    }
    await workbench.runCommand('Backprop: Run Epoch');
    await page.waitForTimeout(2_000);
    const frame = await workbench.webviewFrame();
    const cards = await frame.$$eval('section.card:not([hidden])', (sections) => sections.map((s) => s.id));
    // Each card from its top, a window's height at a time (a tall card takes several pictures).
    for (const id of cards) {
      for (let part = 0; part < 4; part++) {
        const more = await frame.evaluate(({ id, part }) => {
          const card = document.getElementById(id)!;
          const pinned = document.getElementById('toolbar')!.getBoundingClientRect().bottom; // the toolbar stays at the top
          document.documentElement.style.scrollPaddingTop = `${pinned}px`;
          if (part === 0) card.scrollIntoView({ block: 'start', behavior: 'instant' });
          else document.scrollingElement!.scrollBy({ top: window.innerHeight - pinned - 40, behavior: 'instant' });
          return card.getBoundingClientRect().bottom > window.innerHeight;
        }, { id, part });
        await shot(`inspector-${id}${part > 0 ? `-${part + 1}` : ''}`);
        if (!more) break;
      }
    }
    await closeAll();

    // Every explorer tab in one explorer panel.
    await workbench.runCommand('Backprop: Open Explorer');
    const picker = page.locator('.quick-input-widget .monaco-list-row').first();
    await picker.waitFor({ timeout: 15_000 });
    await picker.click();
    const explorer = workbench.webview();
    await explorer.locator('[id^="tab-"]').first().waitFor({ timeout: 60_000 });
    const tabs = await (await workbench.webviewFrame()).$$eval('[id^="tab-"]', (buttons) => buttons.map((b) => b.id.slice(4)));
    for (const view of tabs) {
      await explorer.locator(`#tab-${view}`).click();
      await explorer.locator(`#view-${view} svg`).first().waitFor({ timeout: 60_000 });
      await page.waitForTimeout(1_500);
      await shot(`explorer-${view}`);
    }
    await closeAll();

    // The walkthrough, and a lesson opened from it.
    await workbench.runCommand('Welcome: Open Walkthrough...');
    const row = page.locator('.quick-input-widget .monaco-list-row', { hasText: /Backprop|역전파/ }).first();
    await row.waitFor({ timeout: 30_000 });
    await row.click();
    await page.locator('.gettingStartedContainer .getting-started-step').first().waitFor({ timeout: 30_000 });
    await page.waitForTimeout(3_000); // the step's picture loads into a frame of its own
    await shot('walkthrough');
    await closeAll();
    await workbench.runCommand('Backprop: Open Lesson Example');
    const lessonInput = page.locator('.quick-input-widget input.input');
    await lessonInput.waitFor({ state: 'visible', timeout: 15_000 });
    await lessonInput.fill('08-data-splits');
    await page.waitForTimeout(800);
    await page.keyboard.press('Enter');
    const lesson = workbench.webview();
    await lesson.locator('#toolbar').waitFor({ timeout: 60_000 });
    await lesson.locator('#step').click();
    await lesson.locator('body[data-rendered-step="1"]').waitFor({ state: 'attached', timeout: 30_000 });
    await shot('lesson-08');
    await workbench.runCommand('Backprop: Evaluate on Test Set');
    await page.waitForTimeout(3_000);
    await shot('evaluate-test-set');
    await closeAll();

    // The debugger's Variables, one step in.
    await workbench.openFile('xor.backprop.json');
    await page.locator('.editor-group-container.active .monaco-editor .view-lines').first().click();
    await page.keyboard.press('F5');
    const choice = page.locator('.quick-input-widget .monaco-list-row', { hasText: 'Backprop' }).first();
    const callStack = page.locator('.debug-call-stack .monaco-list-row').first();
    await Promise.race([choice.waitFor({ timeout: 30_000 }).then(() => choice.click()), callStack.waitFor({ timeout: 30_000 })]);
    await callStack.waitFor({ timeout: 30_000 });
    await page.keyboard.press('F10');
    await page.waitForTimeout(3_000);
    const scopes = page.locator('.debug-variables .monaco-list-row[aria-expanded="false"]');
    for (let i = 0; i < 2 && (await scopes.count()) > 0; i++) {
      await scopes.first().click();
      await page.waitForTimeout(500);
    }
    await shot('debugger-variables');
  } finally {
    await workbench.dispose();
  }
}

async function main(): Promise<void> {
  mkdirSync(OUT, { recursive: true });
  const wanted = process.argv.slice(2);
  const unknown = wanted.filter((c) => !COMBINATIONS.includes(c));
  if (unknown.length > 0) {
    process.stderr.write(`look-sweep: no such combination: ${unknown.join(', ')} (known: ${COMBINATIONS.join(', ')})\n`);
    process.exit(2);
  }
  for (const combination of wanted.length > 0 ? wanted : COMBINATIONS) {
    try {
      await sweep(combination);
    } catch (error) {
      process.stderr.write(`${combination}: ${(error as Error).message.split('\n')[0]}\n`);
      process.exitCode = 1;
    }
  }
}

void main();
