// The README's screenshots, taken in the real workbench (code-server + Debian's Chromium) with the
// project loaded as a development extension: `npm run screenshots [-- file.png ...]` writes
// media/screenshots/*.png (all, or the files named). One workbench per picture, its settings
// changed as a person does (a theme written into the settings file before start is not applied);
// XOR stepped to the same place in each, so the pictures can be compared side by side.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Workbench, ensureWorkbench, projectRoot } from '../test/e2e/harness';

const OUT = join(projectRoot, 'media', 'screenshots');
const MODEL = 'xor.backprop.json';

interface Shot {
  file: string;
  settings: Record<string, unknown>;
  width: number;
}

const SHOTS: Shot[] = [
  { file: 'inspector-light.png', settings: { 'workbench.colorTheme': 'Default Light Modern' }, width: 1600 },
  { file: 'inspector-dark.png', settings: { 'workbench.colorTheme': 'Default Dark Modern' }, width: 1600 },
  { file: 'inspector-high-contrast.png', settings: { 'workbench.colorTheme': 'Default High Contrast' }, width: 1600 },
  { file: 'inspector-korean.png', settings: { 'workbench.colorTheme': 'Default Dark Modern', 'backprop.language': 'ko' }, width: 1600 },
  { file: 'inspector-narrow.png', settings: { 'workbench.colorTheme': 'Default Light Modern' }, width: 420 },
];

/** XOR's inspector alone in the window, three steps and one operation in, the first weight selected. */
async function inspectorAtStepThree(workbench: Workbench): Promise<void> {
  await workbench.openFile(MODEL, 180_000);
  await workbench.runCommand('Backprop: Open Inspector');
  const inspector = workbench.webview();
  await inspector.locator('#toolbar').waitFor({ timeout: 60_000 });
  for (let step = 1; step <= 3; step++) {
    await inspector.locator('#step').click();
    await inspector.locator(`body[data-rendered-step="${step}"]`).waitFor({ state: 'attached', timeout: 30_000 });
  }
  // the model's editor closed, so the inspector has the whole window as a learner would give it
  await workbench.runCommand('View: Close Editors in Other Groups');
  await workbench.page.waitForTimeout(1_500);
}

async function main(): Promise<void> {
  const available = ensureWorkbench();
  if ('unavailable' in available) throw new Error(available.unavailable);
  mkdirSync(OUT, { recursive: true });
  const wanted = process.argv.slice(2);
  for (const shot of SHOTS.filter((s) => wanted.length === 0 || wanted.includes(s.file))) {
    const workbench = await Workbench.start({ entry: available.entry });
    try {
      await workbench.changeUserSettings(shot.settings);
      await workbench.page.setViewportSize({ width: shot.width, height: 1000 });
      await inspectorAtStepThree(workbench);
      await workbench.page.screenshot({ path: join(OUT, shot.file) });
      process.stdout.write(`${shot.file}\n`);
    } finally {
      await workbench.dispose();
    }
  }
}

main().catch((error: Error) => {
  process.stderr.write(`screenshots: ${error.message}\n`);
  process.exit(1);
});
