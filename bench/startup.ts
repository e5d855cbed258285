// Start-up in the real workbench (code-server with Debian's Chromium, the e2e harness): the
// extension's activation from the logs (code-server's "Developer: Show Running Extensions" lists
// nothing for the remote extension host), and the first inspector paint: from choosing
// "Backprop: Open Inspector" to the webview's first rendered step.
import type { BenchSection } from './measure';
import { Workbench, ensureWorkbench, extensionId } from '../test/e2e/harness';

const MODEL = 'xor.backprop.json';

export const startup: BenchSection = {
  title: 'Start-up: activation and first inspector paint (code-server)',
  async run() {
    const available = ensureWorkbench();
    if ('unavailable' in available) return `Not measured: ${available.unavailable}.`;
    const workbench = await Workbench.start({ entry: available.entry });
    try {
      // The examples folder holds *.backprop.json files, so workspaceContains activates the extension
      // at start-up. VS Code logs when it starts activating it (before loading its code) and the
      // extension logs when activate() returns: the gap is VS Code's activation time (code loading
      // and the activate call), timed by the extension host's one clock.
      const stamp = (line: string) => Date.parse(line.slice(0, 23).replace(' ', 'T'));
      const deadline = Date.now() + 180_000; // a loaded machine starts the extension host slowly
      let begun: string | undefined;
      let done: string | undefined;
      while ((!begun || !done) && Date.now() < deadline) {
        begun = workbench.logLines(new RegExp(`_doActivateExtension ${extensionId.replace(/\./g, '\\.')}\\b`))[0];
        done = workbench.logLines(/activated in [\d.]+ ms/)[0];
        if (!begun || !done) await workbench.page.waitForTimeout(500);
      }
      if (!begun || !done) throw new Error(`the logs do not show the activation:\n${workbench.logs()}`);
      const activation = stamp(done) - stamp(begun);
      const own = done.match(/activated in ([\d.]+) ms/)![1];
      await workbench.openFile(MODEL);
      await workbench.runCommand('Backprop: Open Inspector');
      const clicked = performance.now();
      await workbench.webview().locator('body[data-rendered-step="0"]').waitFor({ state: 'attached', timeout: 60_000 });
      const paint = performance.now() - clicked;
      return [
        `One cold start of the workbench on the examples folder (${extensionId} activated by workspaceContains:**/*.backprop.json).`,
        '',
        '| figure | value |',
        '| --- | ---: |',
        `| activation: VS Code starts activating → activate() returned (code loading + activate call), from the logs | ${activation} ms |`,
        `| activate() alone, the extension's log | ${own} ms |`,
        `| first inspector paint (${MODEL}): command chosen → step 0 rendered | ${Math.round(paint)} ms |`,
        '',
        `- Activation under 50 ms: ${activation < 50 ? 'met' : '**NOT met**'} (${activation} ms; the logs' clock has millisecond steps).`,
      ].join('\n');
    } finally {
      await workbench.dispose();
    }
  },
};
