// Drives a real VS Code workbench (code-server) with Debian's Chromium through playwright-core.
// One Workbench = one code-server process group with every folder it writes to inside a temp
// folder, one browser, one page. dispose() ends everything it started.
import { chromium, type Browser, type Frame, type FrameLocator, type Page } from 'playwright-core';
import { mkdtempSync, mkdirSync, cpSync, rmSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import {
  projectRoot, installWorkbench, installExtension, launchWorkbench, workbenchUrl, workbenchDirs, writeUserSettings, quietSettings, tail,
  type RunningWorkbench,
} from '../../scripts/workbench.mjs';

export { projectRoot };
export const artifactsDir = join(projectRoot, 'test-artifacts', 'e2e');
export const extensionId = 'backprop-stepper.backprop-stepper';

const chromiumPath = '/usr/bin/chromium';

/** Set to 1 to skip the end-to-end suites on a machine that cannot install the workbench (README, Testing). */
export const SKIP_WITHOUT_WORKBENCH = 'BACKPROP_E2E_SKIP_WITHOUT_WORKBENCH';

/**
 * Installs the workbench if needed and returns code-server's entry point. A workbench that cannot
 * be had fails the suite (a suite that cannot run must not pass as skipped), unless
 * BACKPROP_E2E_SKIP_WITHOUT_WORKBENCH=1 says to skip: then the reason comes back instead.
 */
export function ensureWorkbench(): { entry: string } | { unavailable: string } {
  try {
    return { entry: installWorkbench({ verbose: true }) };
  } catch (error) {
    const reason = (error as Error).message;
    if (process.env[SKIP_WITHOUT_WORKBENCH] === '1') return { unavailable: `${reason} (${SKIP_WITHOUT_WORKBENCH}=1)` };
    throw new Error(`the workbench for the end-to-end suites cannot be installed: ${reason}. Set ${SKIP_WITHOUT_WORKBENCH}=1 to skip them instead.`);
  }
}

/** Debian's Chromium, headless, with its profile folders under `configDir`. */
export function launchBrowser(configDir: string): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath,
    args: [
      '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-dev-shm-usage',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
    ],
    env: { ...process.env, XDG_CONFIG_HOME: configDir, XDG_CACHE_HOME: configDir },
  });
}

export const newPage = (browser: Browser) => browser.newPage({ viewport: { width: 1400, height: 900 } });

/** The webview of this extension inside `page`: two nested iframes. */
export function webviewOf(page: Page): FrameLocator {
  return page
    .frameLocator(`iframe.webview.ready[src*="extensionId=${extensionId}"]`)
    .last()
    .frameLocator('iframe#active-frame');
}

/** Waits until the inspector in `webview` has rendered `step` (its body's data-rendered-step). */
export function waitForRenderedStep(webview: FrameLocator, step: number, timeoutMs = 30_000): Promise<void> {
  return webview.locator(`body[data-rendered-step="${step}"]`).waitFor({ state: 'attached', timeout: timeoutMs });
}

/** The exact number the first element matching `selector` carries in data-value (waits until it has one). */
export async function readDataValue(webview: FrameLocator, selector: string): Promise<number> {
  const element = webview.locator(`${selector}[data-value]`).first();
  await element.waitFor({ state: 'attached' });
  return Number(await element.getAttribute('data-value'));
}

export interface WorkbenchOptions {
  entry: string;
  /** Folder copied into the temp folder and opened (the tests may write into their copy). */
  workspaceSource?: string;
  /**
   * A packaged extension to install with `--install-extension` into the workbench's clean
   * extensions folder; without it the project folder is loaded as a development extension.
   */
  vsix?: string;
  /** More packaged extensions installed first (a language pack made by a test). */
  extraVsix?: string[];
  /** The display language, code-server's `--locale` (VS Code uses it only when a language pack for it is installed). */
  locale?: string;
  settings?: Record<string, unknown>;
}

export class Workbench {
  private constructor(
    readonly page: Page,
    readonly workspace: string,
    private readonly browser: Browser,
    private readonly server: RunningWorkbench,
    private readonly tempDir: string,
    readonly url: string,
  ) {}

  static async start(options: WorkbenchOptions): Promise<Workbench> {
    const tempDir = mkdtempSync(join(tmpdir(), 'backprop-e2e-'));
    const stateDir = join(tempDir, 'workbench');
    const workspace = join(tempDir, 'workspace');
    cpSync(options.workspaceSource ?? join(projectRoot, 'examples'), workspace, { recursive: true });
    writeUserSettings(stateDir, { ...quietSettings, ...options.settings });

    let server: RunningWorkbench | undefined;
    let browser: Browser | undefined;
    try {
      for (const vsix of [...(options.extraVsix ?? []), ...(options.vsix ? [options.vsix] : [])]) installExtension({ entry: options.entry, stateDir, vsix });
      if (options.extraVsix?.length) recordLanguagePacks(workbenchDirs(stateDir));
      server = await launchWorkbench({ entry: options.entry, stateDir, workspace, locale: options.locale });
      browser = await launchBrowser(join(tempDir, 'chromium-xdg'));
      const page = await newPage(browser);
      const url = workbenchUrl(server.port, workspace, options.vsix ? undefined : projectRoot);
      const workbench = new Workbench(page, workspace, browser, server, tempDir, url);
      await workbench.load();
      return workbench;
    } catch (error) {
      await browser?.close().catch(() => undefined);
      await server?.stop();
      const log = server ? `\n--- workbench log ---\n${tail(server.log)}` : '';
      rmSync(tempDir, { recursive: true, force: true });
      throw new Error(`${(error as Error).message}${log}`);
    }
  }

  /** Opens the page and waits for the workbench to be ready. */
  async load(): Promise<void> {
    await this.page.goto(this.url, { waitUntil: 'domcontentloaded', timeout: 120_000 });
    await this.waitForWorkbench();
  }

  /**
   * Reloads the window with "Developer: Reload Window", as a person would. The command first waits
   * for the workbench to write its UI state (the open editors, each webview's saved state) to the
   * browser's storage. A bare browser reload (page.reload, F5) does not wait: the write it starts
   * races the page's teardown, so what changed since the workbench's last periodic save (every
   * 60 s) can be lost, tabs and all (code-server 4.100 / VS Code 1.100; microsoft/vscode#127166).
   */
  async reload(): Promise<void> {
    const reloaded = this.page.waitForEvent('domcontentloaded', { timeout: 120_000 });
    await this.runCommand('Developer: Reload Window');
    await reloaded;
    await this.waitForWorkbench();
  }

  private async waitForWorkbench(): Promise<void> {
    // generous: the machine may be shared with other heavy jobs
    await this.page.locator('.monaco-workbench .statusbar').waitFor({ timeout: 120_000 });
  }

  /**
   * Runs a command by its palette title ("Backprop: Open Inspector"). Right after start-up a
   * command may not be listed for a few seconds, so it retries until `timeoutMs`.
   */
  async runCommand(title: string, timeoutMs = 60_000): Promise<void> {
    await this.pick('F1', `>${title}`, title, timeoutMs);
  }

  /**
   * Opens a workspace file in an editor through Quick Open and waits for its tab. Right after
   * start-up the file search may not list it yet, so it retries until `timeoutMs`.
   */
  async openFile(fileName: string, timeoutMs = 60_000): Promise<void> {
    await this.pick('Control+P', fileName, fileName, timeoutMs);
    await this.page.locator(`.tabs-container .tab[data-resource-name="${fileName}"].active`).waitFor({ timeout: 15_000 });
  }

  /**
   * Opens the quick input with `key`, types `query` and clicks the row labelled exactly
   * `label` once it is listed; retries (closing and reopening) until `timeoutMs`.
   */
  private async pick(key: string, query: string, label: string, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    const widget = this.page.locator('.quick-input-widget');
    const input = widget.locator('input.input');
    for (;;) {
      await this.page.keyboard.press('Escape');
      await this.page.keyboard.press(key);
      const row = widget.locator('.monaco-list-row', { hasText: label }).first();
      try {
        // an overloaded workbench may take more than 10 s to show the quick input: try again
        await input.waitFor({ state: 'visible', timeout: 10_000 });
        await input.fill(query);
        await row.waitFor({ state: 'visible', timeout: 3_000 });
        // the exact label, not a longer one that merely contains it
        const shown = (await row.locator('.label-name').first().textContent())?.replace(/\s+/g, ' ').trim();
        if (shown === label) {
          // a click, not Enter: Enter accepts the focused row, which may be a different match
          await row.click();
          return;
        }
      } catch {
        // not shown or not listed yet
      }
      if (Date.now() > deadline) {
        await this.page.keyboard.press('Escape');
        throw new Error(`the quick input (${key}) did not list "${label}" for "${query}" within ${timeoutMs / 1000} s`);
      }
      await this.page.waitForTimeout(1_000);
    }
  }

  /** The document inside the extension's webview (two nested iframes). */
  webview(): FrameLocator {
    return webviewOf(this.page);
  }

  /** The same document as a Frame, for reading the whole page at once ($$eval, evaluate). */
  async webviewFrame(): Promise<Frame> {
    const body = await this.webview().locator('body').elementHandle({ timeout: 30_000 });
    const frame = await body.ownerFrame();
    if (!frame) throw new Error('the webview document has no frame');
    return frame;
  }

  /** The status-bar items of this extension. */
  statusBarItem(id: string) {
    return this.page.locator(`.statusbar-item[id="${extensionId}.${id}"], .statusbar-item[id="${id}"]`);
  }

  screenshot(name: string): Promise<string> {
    return screenshot(this.page, name);
  }

  /**
   * Changes user settings as a person would in "Preferences: Open User Settings (JSON)": the
   * whole file replaced with the merged settings, saved, and the editor closed again. (Writing
   * the file behind the workbench's back is picked up only after a long, variable delay.)
   */
  async changeUserSettings(settings: Record<string, unknown>): Promise<void> {
    const file = join(this.server.dirs.userData, 'User', 'settings.json');
    const current = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    await this.runCommand('Preferences: Open User Settings (JSON)');
    await this.page.locator('.tabs-container .tab[data-resource-name="settings.json"].active').waitFor({ timeout: 30_000 });
    const editor = this.page.locator('.editor-group-container.active .monaco-editor textarea').first();
    await editor.focus();
    await this.page.keyboard.press('Control+A');
    await this.page.keyboard.insertText(JSON.stringify({ ...current, ...settings }, null, 2));
    await this.page.keyboard.press('Control+S');
    await this.page.locator('.tabs-container .tab[data-resource-name="settings.json"]:not(.dirty)').waitFor({ timeout: 30_000 });
    await this.page.keyboard.press('Control+W');
  }

  /** Every line of the extension host's and the extension's logs that matches `pattern` (the start-up bench reads them). */
  logLines(pattern: RegExp): string[] {
    return findFiles(join(this.server.dirs.userData, 'logs'), /(remoteexthost|Backprop Stepper)\.log$/)
      .flatMap((file) => readFileSync(file, 'utf8').split('\n'))
      .filter((line) => pattern.test(line));
  }

  /** The workbench's own log and the extension host's logs, for a failing test's report. */
  logs(): string {
    const parts = [`--- ${this.server.log} ---\n${tail(this.server.log, 40)}`];
    for (const file of findFiles(join(this.server.dirs.userData, 'logs'), /(remoteexthost|Backprop Stepper)\.log$/)) {
      if (statSync(file).size > 0) parts.push(`--- ${relative(this.tempDir, file)} ---\n${tail(file, 40)}`);
    }
    return parts.join('\n');
  }

  async dispose(): Promise<void> {
    await this.browser.close().catch(() => undefined);
    await this.server.stop();
    rmSync(this.tempDir, { recursive: true, force: true });
  }
}

/**
 * Writes the user-data folder's languagepacks.json for the installed extensions that contribute
 * localizations, in the form VS Code's language-pack cache writes it (platform/languagePacks/node/
 * languagePacks.ts: per language id its label, the packs' ids and versions, an md5 of them, and
 * each translation's file). VS Code reads it at start to resolve `--locale`; code-server 4.100's
 * `--install-extension` installs a pack without writing it (the cache is kept by the running
 * server's install participant), so a pack installed before the first start needs this entry.
 */
function recordLanguagePacks(dirs: { userData: string; extensions: string }): void {
  type Localization = { languageId: string; languageName?: string; localizedLanguageName?: string; translations: { id: string; path: string }[] };
  const packs: Record<string, { hash: string; extensions: { extensionIdentifier: { id: string }; version: string }[]; translations: Record<string, string>; label: string }> = {};
  for (const folder of readdirSync(dirs.extensions)) {
    const manifestFile = join(dirs.extensions, folder, 'package.json');
    let manifest: { publisher: string; name: string; version: string; contributes?: { localizations?: Localization[] } };
    try {
      manifest = JSON.parse(readFileSync(manifestFile, 'utf8'));
    } catch {
      continue;
    }
    for (const localization of manifest.contributes?.localizations ?? []) {
      const entry = (packs[localization.languageId] ??= { hash: '', extensions: [], translations: {}, label: localization.localizedLanguageName ?? localization.languageName ?? localization.languageId });
      entry.extensions.push({ extensionIdentifier: { id: `${manifest.publisher}.${manifest.name}` }, version: manifest.version });
      for (const t of localization.translations) entry.translations[t.id] = join(dirs.extensions, folder, t.path);
    }
  }
  for (const entry of Object.values(packs)) {
    const md5 = createHash('md5');
    for (const e of entry.extensions) md5.update(e.extensionIdentifier.id).update(e.version);
    entry.hash = md5.digest('hex');
  }
  writeFileSync(join(dirs.userData, 'languagepacks.json'), JSON.stringify(packs));
}

/** Saves a screenshot of `page` as test-artifacts/e2e/<name>.png. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(artifactsDir, { recursive: true });
  const file = join(artifactsDir, `${name}.png`);
  await page.screenshot({ path: file });
  return file;
}

function findFiles(dir: string, pattern: RegExp): string[] {
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch {
    return [];
  }
  return entries.flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return findFiles(path, pattern);
    return pattern.test(path) ? [path] : [];
  });
}

/**
 * Mocha glue for a describe block that drives one workbench: `before` starts it (`prepare` first
 * makes what the start needs: a workspace, a .vsix), `afterEach` reports a failed test, `after`
 * disposes it. A machine without the workbench fails the suite unless ensureWorkbench allows a skip.
 * Returns the running workbench's getter for the tests.
 */
export function useWorkbench(
  scenario: string,
  prepare: () => Omit<WorkbenchOptions, 'entry'> | Promise<Omit<WorkbenchOptions, 'entry'>> = () => ({}),
): () => Workbench {
  let workbench: Workbench | undefined;
  before(async function () {
    this.timeout(600_000); // a first install of the workbench takes a few minutes
    const available = ensureWorkbench();
    if ('unavailable' in available) {
      console.warn(`skipping ${scenario}: ${available.unavailable}`);
      this.skip();
    }
    workbench = await Workbench.start({ entry: available.entry, ...(await prepare()) });
  });
  afterEach(reportFailures(() => workbench));
  after(async () => {
    await workbench?.dispose();
  });
  return () => {
    if (!workbench) throw new Error(`the workbench of ${scenario} has not started`);
    return workbench;
  };
}

/**
 * Mocha glue: afterEach saves a screenshot of a failed test and prints the logs; the screenshot
 * of a passing test is taken by the test itself under its scenario name.
 */
export function reportFailures(getWorkbench: () => Workbench | undefined) {
  return async function (this: Mocha.Context) {
    const test = this.currentTest;
    const workbench = getWorkbench();
    if (!test || test.state !== 'failed' || !workbench) return;
    const name = `FAILED-${test.fullTitle().replace(/[^\w-]+/g, '_').slice(0, 100)}`;
    const file = await workbench.screenshot(name).catch(() => '(no screenshot)');
    console.error(`\nscreenshot: ${file}\n${workbench.logs()}`);
  };
}
