// Korean end to end through VS Code's own display-language path: the test makes a minimal Korean
// language pack (contributes.localizations, languageId "ko", a few workbench strings), packages it
// with vsce, installs it into a clean workbench started with --locale ko, and leaves
// backprop.language at "auto". VS Code then runs in Korean (vscode.env.language = "ko"; without a
// pack it stays "en"), so the walkthrough, command titles and settings come from package.nls.ko.json
// and the views from l10n/bundle.l10n.ko.json, as a Korean user's VS Code would show them.
// Screenshots: test-artifacts/e2e/korean-*.png.
//   npx mocha --no-config --require tsx/cjs --extension ts --timeout 180000 test/e2e/korean.test.ts
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { projectRoot, useWorkbench } from './harness';

const ko = JSON.parse(readFileSync(join(projectRoot, 'package.nls.ko.json'), 'utf8')) as Record<string, string>;
const bundle = JSON.parse(readFileSync(join(projectRoot, 'l10n', 'bundle.l10n.ko.json'), 'utf8')) as Record<string, string>;

/** Workbench strings the test pack translates (module → key → Korean), checked on screen below. */
const WORKBENCH_STRINGS = {
  'vs/workbench/contrib/welcomeGettingStarted/browser/gettingStarted': { goBack: '뒤로' },
};

/** Builds the language pack in `dir` and returns its .vsix. */
function makeKoreanLanguagePack(dir: string): string {
  const pack = join(dir, 'pack');
  mkdirSync(join(pack, 'translations'), { recursive: true });
  writeFileSync(join(pack, 'package.json'), JSON.stringify({
    name: 'test-language-pack-ko',
    displayName: 'Korean language pack (Backprop Stepper tests)',
    description: 'A minimal Korean language pack made by the end-to-end tests.',
    publisher: 'backprop-stepper-tests',
    version: '0.0.1',
    license: 'MIT',
    engines: { vscode: '^1.100.0' },
    categories: ['Language Packs'],
    contributes: {
      localizations: [{
        languageId: 'ko', languageName: 'Korean', localizedLanguageName: '한국어',
        translations: [{ id: 'vscode', path: './translations/main.i18n.json' }],
      }],
    },
  }, null, 2));
  writeFileSync(join(pack, 'translations', 'main.i18n.json'), JSON.stringify({ version: '1.0.0', contents: WORKBENCH_STRINGS }, null, 2));
  writeFileSync(join(pack, 'README.md'), '# Test Korean language pack\n');
  writeFileSync(join(pack, 'LICENSE'), 'MIT\n');
  const vsix = join(dir, 'test-language-pack-ko.vsix');
  const vsce = join(projectRoot, 'node_modules', '@vscode', 'vsce', 'vsce');
  const packaged = spawnSync(process.execPath, [vsce, 'package', '--no-dependencies', '--allow-missing-repository', '-o', vsix], { cwd: pack, encoding: 'utf8', timeout: 120_000 });
  assert.equal(packaged.status, 0, `vsce package failed:\n${packaged.stdout}${packaged.stderr}`);
  return vsix;
}

describe('e2e: Korean end to end (a test language pack, --locale ko)', function () {
  this.timeout(180_000);
  let temp: string | undefined;
  const wb = useWorkbench('the Korean scenario', () => {
    temp = mkdtempSync(join(tmpdir(), 'backprop-ko-'));
    return {
      extraVsix: [makeKoreanLanguagePack(temp)],
      locale: 'ko',
      settings: { 'backprop.openWalkthroughOnStartup': true, 'backprop.openInspectorOnStartup': 'xor.backprop.json' },
    };
  });
  after(() => {
    if (temp) rmSync(temp, { recursive: true, force: true });
  });

  const page = () => wb().page;
  const walkthrough = () => page().locator('.gettingStartedContainer');
  /** Runs a palette command with the workbench focused (a webview that has focus keeps F1 to itself). */
  const command = async (title: string) => {
    await page().locator('.part.sidebar .composite.title').first().click();
    await wb().runCommand(title);
  };

  it('the walkthrough opens at start in Korean (its title and lessons), with VS Code\'s own strings from the pack', async function () {
    this.timeout(360_000);
    // Opening a model activates the extension (onLanguage:json) however late the window's own
    // start-up activation (workspaceContains, or onStartupFinished after its search) comes on a
    // loaded machine.
    await wb().openFile('xor.backprop.json', 180_000);
    // The walkthrough may have opened before the model and be behind it in the same group: bring
    // its tab to the front (the tab is named after the extension, in either language).
    const tab = page().locator('.tabs-container .tab', { hasText: 'Backprop Stepper' }).first();
    await tab.waitFor({ timeout: 180_000 });
    await tab.click();
    await walkthrough().getByText(ko['walkthrough.lessons.title']).first().waitFor({ timeout: 180_000 });
    const step = walkthrough().locator('.getting-started-step[data-step-id$="training-units"]');
    await step.click();
    await step.getByText(ko['walkthrough.training-units.title']).first().waitFor({ timeout: 30_000 });
    await step.getByText('온라인 학습 예제 열기').waitFor({ timeout: 30_000 });
    // The workbench's own "Go Back" (on the page, shown when the window is narrow) comes from the
    // test pack: VS Code itself runs in Korean.
    await walkthrough().getByText(WORKBENCH_STRINGS['vs/workbench/contrib/welcomeGettingStarted/browser/gettingStarted'].goBack, { exact: true }).first().waitFor({ state: 'attached', timeout: 30_000 });
    await wb().screenshot('korean-01-walkthrough');
  });

  it('the inspector opened beside it speaks Korean with backprop.language "auto"', async () => {
    // The start-up work may have opened it before the first test opened the model, which is then
    // in front of it in the same group: bring its tab (named in Korean) to the front.
    const tab = page().locator('.tabs-container .tab', { hasText: bundle['Inspector: {0}'].replace('{0}', '') }).first();
    await tab.waitFor({ timeout: 90_000 });
    await tab.click();
    const inspector = wb().webview();
    await inspector.locator('#toolbar').waitFor({ timeout: 90_000 });
    assert.equal(await inspector.locator('html').getAttribute('lang'), 'ko');
    await inspector.locator('#toolbar').getByText(bundle['Step'], { exact: true }).first().waitFor({ timeout: 30_000 });
    await wb().screenshot('korean-02-inspector');
  });

  it('command titles are Korean: "다음 강의" opens the first lesson, "확대" zooms the inspector', async () => {
    await command(`Backprop: ${ko['command.nextLesson']}`);
    await page().locator('.tabs-container .tab[data-resource-name="01-learning-is-optimization.backprop.json"]').waitFor({ timeout: 60_000 });
    // The lesson's title bar has Previous/Next Lesson, named in Korean.
    await page().locator(`.editor-actions .action-label[aria-label="${ko['command.nextLesson']}"]`).first().waitFor({ timeout: 30_000 });
    await command(`Backprop: ${ko['command.zoomIn']}`);
    await wb().webview().locator('html[data-font-scale="1.25"]').waitFor({ state: 'attached', timeout: 30_000 });
    await wb().screenshot('korean-03-next-lesson-zoomed');
  });

  it('settings are Korean: backprop.fontScale\'s description, and its value is the zoom just made', async () => {
    await command('Preferences: Open Settings (UI)');
    const editor = page().locator('.settings-editor');
    await editor.waitFor({ timeout: 30_000 });
    await editor.locator('.settings-header .suggest-input-container textarea, .settings-header input').first().fill('backprop.fontScale');
    await editor.getByText(ko['config.fontScale'].split('(')[0].trim()).first().waitFor({ timeout: 30_000 });
    // The zoom of the test before is the setting's value: VS Code keeps it.
    assert.equal(await editor.locator('.setting-item-contents input').first().inputValue(), '1.25');
    await wb().screenshot('korean-04-settings');
  });

  it('the explorer speaks Korean: the palette\'s pick and the panel', async () => {
    await command(`Backprop: ${ko['command.openExplorer']}`);
    const row = page().locator('.quick-input-widget .monaco-list-row', { hasText: bundle['Norms and distances'] }).first();
    await row.waitFor({ timeout: 30_000 });
    await row.click();
    const explorer = wb().webview();
    await explorer.locator('body[data-view="norms"]').waitFor({ state: 'attached', timeout: 60_000 });
    assert.equal(await explorer.locator('html').getAttribute('lang'), 'ko');
    await explorer.locator('[role="tab"]', { hasText: bundle['Norms'] }).first().waitFor({ timeout: 30_000 });
    await wb().screenshot('korean-05-explorer');
  });

  it('"강의 발표 모드" presents the lesson: one editor group with its inspector in front, the side bar closed', async () => {
    await command(`Backprop: ${ko['command.presentLesson']}`);
    await page().locator('.part.sidebar').waitFor({ state: 'hidden', timeout: 30_000 });
    await page().waitForFunction(() => document.querySelectorAll('.editor-group-container').length === 1, undefined, { timeout: 30_000 });
    await page().locator('.tabs-container .tab.active', { hasText: bundle['Inspector: {0}'].replace('{0}', '') }).waitFor({ timeout: 30_000 });
    await wb().screenshot('korean-06-present-lesson');
  });
});
