// Start-up in the real workbench (code-server with Debian's Chromium, the e2e harness): the
// extension's activation from the logs (code-server's "Developer: Show Running Extensions" lists
// nothing for the remote extension host), and the first inspector paint: from choosing
// "Backprop: Open Inspector" to the webview's first rendered step.
import type { BenchSection } from './measure';
import { Workbench, ensureWorkbench, extensionId } from '../test/e2e/harness';

const MODEL = 'xor.backprop.json';

/** Cold starts measured; the table shows their medians (one start varies by hundreds of ms on a shared machine). */
const STARTS = 3;

interface StartFigures {
  /** VS Code's log: it starts activating the extension → the eager activations resolved. */
  activation: number;
  /** The extension's log: the activate() call alone. */
  own: number;
  /** The extension's log: loading the extension proper, when the model file opened (NaN if not logged). */
  loaded: number;
  /** Choosing "Backprop: Open Inspector" → step 0 rendered in the webview. */
  paint: number;
}

async function coldStart(entry: string): Promise<StartFigures> {
  const workbench = await Workbench.start({ entry });
  try {
    // The examples folder holds *.backprop.json files, so workspaceContains activates the extension
    // at start-up, among the window's eager activations. VS Code logs when it starts activating
    // it (before loading its code) and when the eager activations have all resolved; ours starts
    // last, so the gap bounds its activation time (code loading and the activate call) from
    // above. The extension's own log lines carry its figures (their time stamps are when the
    // output channel wrote them, later than the calls: not used).
    const stamp = (line: string) => Date.parse(line.slice(0, 23).replace(' ', 'T'));
    const deadline = Date.now() + 180_000; // a loaded machine starts the extension host slowly
    const activationLines = () => {
      const lines = workbench.logLines(/_doActivateExtension|Eager extensions activated|activated in [\d.]+ ms/);
      const begun = lines.findIndex((line) => line.includes(`_doActivateExtension ${extensionId},`));
      const eager = begun < 0 ? undefined : lines.slice(begun).find((line) => line.includes('Eager extensions activated'));
      return { begun: lines[begun], eager, own: lines.find((line) => / activated in [\d.]+ ms/.test(line)) };
    };
    let found = activationLines();
    while ((!found.begun || !found.eager || !found.own) && Date.now() < deadline) {
      await workbench.page.waitForTimeout(500);
      found = activationLines();
    }
    const { begun, eager, own } = found;
    if (!begun || !eager || !own) {
      throw new Error(`the logs do not show the activation (VS Code's start: ${Boolean(begun)}, eager activations resolved: ${Boolean(eager)}, the extension's line: ${Boolean(own)})\n${workbench.logs()}`);
    }
    // Opening a model file loads the extension proper (dist/backprop.js) for its diagnostics.
    await workbench.openFile(MODEL);
    await workbench.runCommand('Backprop: Open Inspector');
    const clicked = performance.now();
    await workbench.webview().locator('body[data-rendered-step="0"]').waitFor({ state: 'attached', timeout: 60_000 });
    const paint = performance.now() - clicked;
    const loaded = workbench.logLines(/ loaded in [\d.]+ ms/)[0]?.match(/loaded in ([\d.]+) ms/)?.[1];
    return { activation: stamp(eager) - stamp(begun), own: Number(own.match(/activated in ([\d.]+) ms/)![1]), loaded: Number(loaded ?? NaN), paint };
  } finally {
    await workbench.dispose();
  }
}

function median(values: number[]): number {
  const sorted = [...values].sort((x, y) => x - y);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

export const startup: BenchSection = {
  title: 'Start-up: activation and first inspector paint (code-server)',
  async run() {
    const available = ensureWorkbench();
    if ('unavailable' in available) return `Not measured: ${available.unavailable}.`;
    const starts: StartFigures[] = [];
    for (let i = 0; i < STARTS; i++) starts.push(await coldStart(available.entry));
    const row = (label: string, pick: (f: StartFigures) => number, digits = 0) => {
      const values = starts.map(pick);
      const shown = values.some(Number.isNaN) ? 'not logged' : `${median(values).toFixed(digits)} ms`;
      return `| ${label} | ${shown} | ${values.map((v) => v.toFixed(digits)).join(', ')} |`;
    };
    const activation = median(starts.map((f) => f.activation));
    return [
      `${STARTS} cold starts of the workbench on the examples folder (${extensionId} activated by workspaceContains:**/*.backprop.json); medians.`,
      '',
      '| figure | median | each start |',
      '| --- | ---: | ---: |',
      row("activation, VS Code's log: starts activating → eager activations resolved (an upper bound: code loading + activate call)", (f) => f.activation),
      row("activate() alone, the extension's log", (f) => f.own, 1),
      row(`loading the extension proper (dist/backprop.js) when ${MODEL} opened, the extension's log`, (f) => f.loaded, 1),
      row(`first inspector paint (${MODEL}): command chosen → step 0 rendered`, (f) => f.paint),
      '',
      `- Activation under 50 ms: ${activation < 50 ? 'met' : '**NOT met**'} (${activation} ms by VS Code's log, whose clock has millisecond steps).`,
    ].join('\n');
  },
};
