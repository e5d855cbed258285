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

/** How long one start may take to show the activation in the logs (a loaded machine starts the extension host slowly). */
const ACTIVATION_WAIT_MS = 180_000;

async function coldStart(entry: string): Promise<StartFigures> {
  const workbench = await Workbench.start({ entry });
  try {
    // onStartupFinished activates the extension once the window has started. VS Code logs when it
    // starts activating it (before loading its code) and the extension logs when activate()
    // returns, with what the call took: the gap between the two lines bounds the activation
    // (code loading, the call and the log's own write) from above.
    const stamp = (line: string) => Date.parse(line.slice(0, 23).replace(' ', 'T'));
    const deadline = Date.now() + ACTIVATION_WAIT_MS;
    const activationLines = () => ({
      begun: workbench.logLines(/_doActivateExtension/).find((line) => line.includes(`_doActivateExtension ${extensionId},`)),
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
    // Opening a model file loads the extension proper (dist/backprop.js) for its diagnostics.
    await workbench.openFile(MODEL);
    await workbench.runCommand('Backprop: Open Inspector');
    const clicked = performance.now();
    await workbench.webview().locator('body[data-rendered-step="0"]').waitFor({ state: 'attached', timeout: 60_000 });
    const paint = performance.now() - clicked;
    const loaded = workbench.logLines(/ loaded in [\d.]+ ms/)[0]?.match(/loaded in ([\d.]+) ms/)?.[1];
    return { activation: stamp(own) - stamp(begun), own: Number(own.match(/activated in ([\d.]+) ms/)![1]), loaded: Number(loaded ?? NaN), paint };
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
    // A start that cannot activate (or paint) is reported and the next one tried, never waited on for ever.
    const failures: string[] = [];
    for (let i = 0; i < STARTS; i++) {
      try {
        starts.push(await coldStart(available.entry));
      } catch (error) {
        failures.push(`start ${i + 1}: ${(error as Error).message.split('\n')[0]}`);
      }
    }
    if (starts.length === 0) throw new Error(`no start finished: ${failures.join('; ')}`);
    const row = (label: string, pick: (f: StartFigures) => number, digits = 0) => {
      const values = starts.map(pick);
      const shown = values.some(Number.isNaN) ? 'not logged' : `${median(values).toFixed(digits)} ms`;
      return `| ${label} | ${shown} | ${values.map((v) => v.toFixed(digits)).join(', ')} |`;
    };
    const activation = median(starts.map((f) => f.activation));
    const own = median(starts.map((f) => f.own));
    return [
      `${STARTS} cold starts of the workbench on the examples folder (${extensionId} activated by onStartupFinished); medians of the ${starts.length} that finished.`,
      '',
      '| figure | median | each start |',
      '| --- | ---: | ---: |',
      row("activation, VS Code's log → the extension's: starts activating → activate() returned and logged (an upper bound: code loading + activate call + the log's write)", (f) => f.activation),
      row("activate() alone, the extension's log", (f) => f.own, 1),
      row(`loading the extension proper (dist/backprop.js) when ${MODEL} opened, the extension's log`, (f) => f.loaded, 1),
      row(`first inspector paint (${MODEL}): command chosen → step 0 rendered`, (f) => f.paint),
      '',
      `- Activation under 50 ms: activate() ${own < 50 ? 'met' : '**NOT met**'} (${own.toFixed(1)} ms); ` +
        `with code loading, by the logs' clocks (millisecond steps): ${activation < 50 ? 'met' : '**NOT met**'} (${activation} ms).`,
      ...failures.map((failure) => `- Did not finish: ${failure}.`),
    ].join('\n');
  },
};
