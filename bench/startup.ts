// Start-up in the real workbench (code-server with Debian's Chromium, the e2e harness): the
// extension's activation as VS Code itself times it ("Developer: Startup Performance", the figures
// "Developer: Show Running Extensions" shows), the same from the logs, and the first inspector
// paint: from choosing "Backprop: Open Inspector" to the webview's first rendered step. Two
// workspaces, since what activates the extension differs: the examples folder (model files) and a
// folder without any.
import { mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Frame } from 'playwright-core';
import type { BenchSection } from './measure';
import { Workbench, ensureWorkbench, extensionId, projectRoot } from '../test/e2e/harness';

const MODEL = 'xor.backprop.json';

/** Cold starts measured; the table shows their medians (one start varies by hundreds of ms on a shared machine). */
const STARTS = 3;

/** One extension's row of VS Code's "Extension Activation Stats" (its ActivationTimes, in ms). */
interface ActivationTimes {
  /** Loading the extension's main module: from the moment VS Code starts loading it until require() returns. */
  loadCode: number;
  /** The activate() call. */
  callActivate: number;
  /** From activate() returning until the promise it returned resolved. */
  finishActivate: number;
  /** The activation event. */
  event: string;
}

/** A workspace the cold starts open. */
interface StartWorkspace {
  /** How the report names it. */
  label: string;
  /** The folder copied and opened; the harness's default, the examples folder, when undefined. */
  source?: string;
  /** Whether each start goes on to open a model file and its inspector (the first paint). */
  paints: boolean;
}

interface ActivationFigures {
  /** VS Code's own times for this extension. */
  vscode: ActivationTimes;
  /** The other extensions VS Code started activating on the same event just before this one, with their Load Code. */
  batch: string[];
  /**
   * The part of this extension's Load Code spent loading theirs: the extension host starts a whole
   * event's activations in one loop and then loads their modules one after another, this one's
   * last, so its clock runs while theirs load. From this extension's start (VS Code's log) to the
   * end of the last of theirs (its start in the log + its Load Code); 0 when there were none.
   */
  batchLoading: number;
  /** VS Code's log: it starts activating the extension → the extension's log: activate() returned. */
  activation: number;
  /** The extension's log: the activate() call alone. */
  own: number;
  /** Whether the extension proper (dist/backprop.js) was loaded before anything asked for it (no model file open yet). */
  loadedUnasked: boolean;
}

interface PaintFigures {
  /** The extension's log: loading the extension proper, when the model file opened (NaN if not logged). */
  loaded: number;
  /** Choosing "Backprop: Open Inspector" → step 0 rendered in the webview. */
  paint: number;
  /** Where the paint's time went: command chosen → the webview asks for its script → has it → step 0 on screen. */
  paintParts: { request: number; fetch: number; rest: number };
  /** The longest fetch of the webview's stylesheets (tens of KB, the same way as the script). */
  stylesheetFetch: number;
}

/** How long one start may take to show the activation in the logs (a loaded machine starts the extension host slowly). */
const ACTIVATION_WAIT_MS = 180_000;

/** The activation lines of VS Code's extension-host log: which extension, on which event, when. */
function activationStarts(workbench: Workbench): { id: string; event: string; at: number }[] {
  return workbench.logLines(/_doActivateExtension /).flatMap((line) => {
    const match = /_doActivateExtension ([^,\s]+), startup: \w+, activationEvent: '([^']*)'/.exec(line);
    return match ? [{ id: match[1], event: match[2], at: stamp(line) }] : [];
  });
}

/** A log line's time stamp ("2026-12-02 06:55:13.050 [info] …"), in ms. */
const stamp = (line: string) => Date.parse(line.slice(0, 23).replace(' ', 'T'));

/**
 * VS Code's own activation times of every activated extension: the "Extension Activation Stats"
 * table of "Developer: Startup Performance" (a read-only markdown editor, copied whole through the
 * clipboard, since the editor draws only the lines in view). They are the ActivationTimes the
 * extension host reports for each extension; "Developer: Show Running Extensions" shows Load Code +
 * Call Activate of the same record.
 */
async function vscodeActivationTimes(workbench: Workbench): Promise<Map<string, ActivationTimes>> {
  const { page } = workbench;
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: new URL(workbench.url).origin });
  const deadline = Date.now() + 60_000;
  for (;;) {
    await workbench.runCommand('Developer: Startup Performance');
    await page.locator('.tabs-container .tab.active', { hasText: 'Startup Performance' }).waitFor({ timeout: 30_000 });
    await page.locator('.editor-group-container.active .monaco-editor textarea').first().focus();
    await page.keyboard.press('Control+A');
    await page.keyboard.press('Control+C');
    const text = await page.evaluate(() => navigator.clipboard.readText());
    const rows = new Map<string, ActivationTimes>();
    const section = text.split('## Extension Activation Stats')[1]?.split('\n## ')[0] ?? '';
    for (const line of section.split('\n')) {
      // | Extension | Eager | Load Code | Call Activate | Finish Activate | Event | By |
      const cells = line.split('|').slice(1, -1).map((cell) => cell.trim());
      if (cells.length !== 7 || !/^\d+$/.test(cells[2])) continue;
      rows.set(cells[0], { loadCode: Number(cells[2]), callActivate: Number(cells[3]), finishActivate: Number(cells[4]), event: cells[5] });
    }
    await page.keyboard.press('Control+W');
    if (rows.has(extensionId)) return rows;
    if (Date.now() > deadline) throw new Error(`"Developer: Startup Performance" listed no activation times for ${extensionId}`);
    await page.waitForTimeout(2_000);
  }
}

/**
 * When the webview asked for its script and when it had it, on the clock of Date.now(): the
 * resource timing of dist/webview.js. (The page's own navigation timing is of an empty page VS
 * Code loads first and then writes the real one into, and main.ts keeps only its last render's marks.)
 */
async function scriptFetch(frame: Frame): Promise<{ requested: number; received: number; stylesheet: number }> {
  const entry = await frame.evaluate(() => {
    const resources = performance.getEntriesByType('resource') as PerformanceResourceTiming[];
    const script = resources.find((resource) => /\/webview\.js(\?|$)/.test(resource.name));
    // the page's stylesheets come the same way and are far smaller: what a fetch costs apart from its size
    const stylesheets = resources.filter((resource) => /\.css(\?|$)/.test(resource.name)).map((resource) => resource.responseEnd - resource.startTime);
    return { origin: performance.timeOrigin, requested: script?.startTime, received: script?.responseEnd, stylesheet: stylesheets.length ? Math.max(...stylesheets) : NaN };
  });
  const at = (ms: number | undefined) => (ms === undefined ? NaN : entry.origin + ms);
  return { requested: at(entry.requested), received: at(entry.received), stylesheet: entry.stylesheet };
}

/** One cold start's figures: its activation, and the first paint where the workspace has one. */
type StartFigures = ActivationFigures & { firstPaint?: PaintFigures };

async function coldStart(entry: string, workspace: StartWorkspace): Promise<StartFigures> {
  const workbench = await Workbench.start({ entry, workspaceSource: workspace.source });
  try {
    const activation = await activationFigures(workbench);
    return { ...activation, firstPaint: workspace.paints ? await paintFigures(workbench) : undefined };
  } finally {
    await workbench.dispose();
  }
}

async function activationFigures(workbench: Workbench): Promise<ActivationFigures> {
  // workspaceContains activates the extension while the window starts where a model file is found,
  // onStartupFinished after the window's eager activations otherwise. VS Code logs when it starts
  // activating it (before loading its code) and the extension logs when activate() returns, with
  // what the call took: the gap between the two lines bounds the activation (code loading, the
  // extension's context, the call and the log's own write) from above.
  const deadline = Date.now() + ACTIVATION_WAIT_MS;
  const activationLines = () => ({
    begun: activationStarts(workbench).find((start) => start.id === extensionId),
    own: workbench.logLines(/ activated in [\d.]+ ms/)[0],
  });
  let found = activationLines();
  while ((!found.begun || !found.own) && Date.now() < deadline) {
    await workbench.page.waitForTimeout(500);
    found = activationLines();
  }
  const { begun, own } = found;
  if (!begun || !own) {
    const timedOut = workbench.logLines(/Timed out while searching|Not activating extension/)[0];
    throw new Error(
      `no activation within ${ACTIVATION_WAIT_MS / 1000} s (VS Code's start logged: ${Boolean(begun)}, the extension's line: ${Boolean(own)})` +
        (timedOut ? `; VS Code: ${timedOut.trim()}` : ''),
    );
  }
  const times = await vscodeActivationTimes(workbench);
  // The extensions started on the same event before this one, in the same burst of the log.
  const starts = activationStarts(workbench);
  const batch = starts.slice(0, starts.findIndex((start) => start.id === extensionId)).filter((start) => start.event === begun.event && begun.at - start.at < 1_000);
  const batchTimes = batch.map((start) => ({ id: start.id, loadCode: times.get(start.id)?.loadCode ?? NaN }));
  return {
    vscode: times.get(extensionId)!,
    batch: batchTimes.map((b) => `${b.id} ${b.loadCode} ms`),
    batchLoading: Math.max(0, ...batch.map((start, i) => start.at + batchTimes[i].loadCode - begun.at)),
    activation: stamp(own) - begun.at,
    own: Number(own.match(/activated in ([\d.]+) ms/)![1]),
    loadedUnasked: workbench.logLines(LOADED_LINE).length > 0,
  };
}

/** The extension's log line for loading the extension proper (extension.ts). */
const LOADED_LINE = / loaded in ([\d.]+) ms/;

async function paintFigures(workbench: Workbench): Promise<PaintFigures> {
  // Opening a model file loads the extension proper (dist/backprop.js) for its diagnostics.
  await workbench.openFile(MODEL);
  await workbench.runCommand('Backprop: Open Inspector');
  const clicked = Date.now();
  await workbench.webview().locator('body[data-rendered-step="0"]').waitFor({ state: 'attached', timeout: 60_000 });
  const paint = Date.now() - clicked;
  const script = await scriptFetch(await workbench.webviewFrame());
  const loaded = workbench.logLines(LOADED_LINE)[0]?.match(LOADED_LINE)?.[1];
  return {
    loaded: Number(loaded ?? NaN),
    paint,
    paintParts: { request: script.requested - clicked, fetch: script.received - script.requested, rest: clicked + paint - script.received },
    stylesheetFetch: script.stylesheet,
  };
}

const kilobytes = (file: string) => Math.round(statSync(join(projectRoot, file)).size / 1024);

function median(values: number[]): number {
  const sorted = [...values].sort((x, y) => x - y);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/**
 * `STARTS` cold starts on `workspace`: its heading (the activating event), its table and the
 * verdicts. A start that cannot activate (or paint) is reported and the next one tried, never
 * waited on for ever.
 */
async function workspaceReport(entry: string, workspace: StartWorkspace): Promise<string[]> {
  const starts: StartFigures[] = [];
  const failures: string[] = [];
  for (let i = 0; i < STARTS; i++) {
    try {
      starts.push(await coldStart(entry, workspace));
    } catch (error) {
      failures.push(`start ${i + 1}: ${(error as Error).message.split('\n')[0]}`);
    }
  }
  const notFinished = failures.map((failure) => `- Did not finish: ${failure}.`);
  if (starts.length === 0) return [`### ${workspace.label}`, '', ...notFinished];
  const row = (label: string, pick: (f: StartFigures) => number, digits = 0) => {
    const values = starts.map(pick);
    const shown = values.some(Number.isNaN) ? 'not logged' : `${median(values).toFixed(digits)} ms`;
    return `| ${label} | ${shown} | ${values.map((v) => v.toFixed(digits)).join(', ')} |`;
  };
  const paintRow = (label: string, pick: (f: PaintFigures) => number, digits = 0) => row(label, (f) => pick(f.firstPaint!), digits);
  const vscodeTotal = (f: StartFigures) => f.vscode.loadCode + f.vscode.callActivate;
  const ownLoadCode = (f: StartFigures) => f.vscode.loadCode - f.batchLoading;
  const ownShare = (f: StartFigures) => ownLoadCode(f) + f.vscode.callActivate;
  const total = median(starts.map(vscodeTotal));
  const share = median(starts.map(ownShare));
  const events = [...new Set(starts.map((f) => f.vscode.event))].join(', ');
  const batched = starts.filter((f) => f.batch.length > 0).length;
  const loadedUnasked = starts.filter((f) => f.loadedUnasked).length;
  return [
    `### ${workspace.label}: activated by ${events}`,
    '',
    `Medians of the ${starts.length} of ${STARTS} cold starts that finished.`,
    '',
    '| figure | median | each start |',
    '| --- | ---: | ---: |',
    row('**activation as VS Code times it**: Load Code + Call Activate ("Developer: Startup Performance"; "Developer: Show Running Extensions" shows this sum)', vscodeTotal),
    row("VS Code's Load Code: from starting to load the extension's module to require() returning", (f) => f.vscode.loadCode),
    row("VS Code's Call Activate: the activate() call", (f) => f.vscode.callActivate),
    row("VS Code's Finish Activate: activate()'s result resolved", (f) => f.vscode.finishActivate),
    row("of its Load Code, the other extensions' loading: VS Code started them on the same event just before this one and loaded their modules first " +
      `(each start: ${starts.map((f) => f.batch.join(', ') || 'none').join('; ')}); from this extension's start to the end of the last of theirs, by the log's start times (1 ms steps)`, (f) => f.batchLoading),
    row("this extension's own code loading: the rest of its Load Code", ownLoadCode),
    row("**this extension's own share**: its own code loading + Call Activate", ownShare),
    row("activation, VS Code's log → the extension's: starts activating → activate() returned and logged (an upper bound: the batch's code loading + the extension's context + activate call + the log's write)", (f) => f.activation),
    row("activate() alone, the extension's log", (f) => f.own, 1),
    ...(workspace.paints
      ? [
          paintRow(`loading the extension proper (dist/backprop.js) when ${MODEL} opened, the extension's log`, (f) => f.loaded, 1),
          paintRow(`**first inspector paint** (${MODEL}): command chosen → step 0 rendered`, (f) => f.paint),
          paintRow("of it: command chosen → the webview asks for its script (VS Code runs the command; the host opens the session, creates the panel and its HTML; the workbench makes the webview's frames and writes the page)", (f) => f.paintParts.request),
          paintRow(`of it: → the script received (dist/webview.js, ${kilobytes('dist/webview.js')} KB unminified in this development build, through the webview's service worker and the workbench)`, (f) => f.paintParts.fetch),
          paintRow(`for comparison: the longest fetch of one of its stylesheets (${kilobytes('dist/codicon.css')} KB or less, the same way)`, (f) => f.stylesheetFetch),
          paintRow('of it: → step 0 on screen (running the script, its "ready", the host\'s first messages, the first render, seen by polling)', (f) => f.paintParts.rest),
        ]
      : []),
    '',
    `- Activation under 50 ms, as VS Code times it: ${total < 50 ? 'met' : '**NOT met**'} (${total} ms). ` +
      `This extension's own share (its module's loading and the activate() call): ${share < 50 ? 'met' : '**NOT met**'} (${share} ms). ` +
      (batched === 0
        ? 'No other extension was activated on the same event, so VS Code\'s figure is this extension\'s own.'
        : `In ${batched} of ${starts.length} starts other extensions were activated on the same event: the extension host starts them in one loop and ` +
          "loads their modules one after another before this extension's (the built-in ones come first), and VS Code's clock for each " +
          'runs from that common start, so their code loading counts in this figure.') +
      " The log clock adds the extension's context (storage) and the log's write.",
    `- Nothing computed before it is needed: the extension proper (dist/backprop.js: the engine, the host, the views' hosts) was loaded at start-up, before any model file opened, in ${loadedUnasked} of ${starts.length} starts; activation registered the entry's stand-ins only.`,
    ...notFinished,
  ];
}

export const startup: BenchSection = {
  title: 'Start-up: activation and first inspector paint (code-server)',
  async run() {
    const available = ensureWorkbench();
    if ('unavailable' in available) return `Not measured: ${available.unavailable}.`;
    // A workspace with a README and a JSON file that is not a model, neither of them open.
    const modelFree = mkdtempSync(join(tmpdir(), 'backprop-bench-no-models-'));
    writeFileSync(join(modelFree, 'README.md'), '# Notes\n');
    writeFileSync(join(modelFree, 'data.json'), '{ "values": [1, 2, 3] }\n');
    try {
      const workspaces: StartWorkspace[] = [
        { label: 'The examples folder (model files)', paints: true },
        { label: 'A folder without model files (a README and a plain JSON file, neither open)', source: modelFree, paints: false },
      ];
      const reports: string[] = [];
      for (const workspace of workspaces) reports.push(...(await workspaceReport(available.entry, workspace)), '');
      return [`${STARTS} cold starts of the workbench in each workspace (${extensionId}).`, '', ...reports].join('\n').trimEnd();
    } finally {
      rmSync(modelFree, { recursive: true, force: true });
    }
  },
};
