// `npm start` as a person uses it: it prints an address, the page opens the workbench with the
// inspector already showing the default example, and Ctrl+C stops everything it started.
import { strict as assert } from 'node:assert';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { freePort } from '../../scripts/workbench.mjs';
import { ensureWorkbench, launchBrowser, newPage, projectRoot, screenshot, waitForRenderedStep, webviewOf } from './harness';

/** Resolves with the first line of `child`'s stdout that matches `pattern`. */
function lineMatching(child: ChildProcess, pattern: RegExp, timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let output = '';
    const timer = setTimeout(() => reject(new Error(`no line matching ${pattern} within ${timeoutMs / 1000} s:\n${output}`)), timeoutMs);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const line = output.split('\n').find((l) => pattern.test(l));
      if (line) {
        clearTimeout(timer);
        child.stdout?.off('data', onData);
        resolve(line.trim());
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code) => reject(new Error(`npm start exited (${code}) before printing the address:\n${output}`)));
  });
}

async function answers(url: string): Promise<boolean> {
  try {
    return (await fetch(url)).ok;
  } catch {
    return false;
  }
}

describe('e2e: npm start', function () {
  this.timeout(300_000);
  let start: ChildProcess | undefined;
  let browser: Browser | undefined;
  let temp: string;

  before(function () {
    this.timeout(600_000);
    const available = ensureWorkbench();
    if ('unavailable' in available) {
      console.warn(`skipping the npm start scenario: ${available.unavailable}`);
      this.skip();
    }
    temp = mkdtempSync(join(tmpdir(), 'backprop-start-'));
  });
  after(async () => {
    await browser?.close().catch(() => undefined);
    if (start?.pid && start.exitCode === null) process.kill(-start.pid, 'SIGKILL');
    if (temp) rmSync(temp, { recursive: true, force: true });
  });

  it('opens the workbench with the inspector on the default example, and Ctrl+C stops it', async () => {
    const port = await freePort();
    start = spawn(process.execPath, ['scripts/start.mjs', '--port', String(port), '--state-dir', join(temp, 'state')], {
      cwd: projectRoot,
      detached: true, // its own group, as a terminal's foreground job
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const url = await lineMatching(start, new RegExp(`^\\s*http://127\\.0\\.0\\.1:${port}/\\?`), 240_000);

    browser = await launchBrowser(join(temp, 'chromium'));
    const page = await newPage(browser);
    await page.goto(url, { waitUntil: 'domcontentloaded', timeout: 120_000 });
    await page.locator('.monaco-workbench .statusbar').waitFor({ timeout: 120_000 });
    // nobody runs a command: the setting npm start writes opens the inspector
    await webviewOf(page).locator('#toolbar').waitFor({ timeout: 90_000 });
    await waitForRenderedStep(webviewOf(page), 0);
    assert.match(await page.title(), /Extension Development Host/);
    await screenshot(page, '00-npm-start');
    await browser.close();
    browser = undefined;

    const exited = new Promise<number | null>((resolve) => start!.once('exit', (code) => resolve(code)));
    process.kill(start.pid!, 'SIGINT'); // what Ctrl+C sends to the foreground process
    assert.equal(await exited, 0);
    assert.equal(await answers(`http://127.0.0.1:${port}/healthz`), false, 'the workbench still answers after Ctrl+C');
  });
});
