// The README's screenshots, taken in the real workbench (code-server + Debian's Chromium) with the
// project loaded as a development extension: `npm run screenshots [-- file.webp ...]` writes
// media/screenshots/*.webp (all, or the files named). One workbench per picture, its settings
// changed as a person does (a theme written into the settings file before start is not applied).
// WebP, because the screenshots ship inside the .vsix (VS Code's extension page shows the packaged
// README) and the package must stay under 2 MB: a 1600 px workbench is ~220 KB as PNG, ~130 KB as WebP.
// A PNG copy of each goes to test-artifacts/screenshots/ for looking at with tools that read no WebP.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { Workbench, ensureWorkbench, projectRoot } from '../test/e2e/harness';

const OUT = join(projectRoot, 'media', 'screenshots');
const PNG_COPIES = join(projectRoot, 'test-artifacts', 'screenshots');
const WEBP_QUALITY = 0.9;

/** What a picture shows: the scene is played in a started workbench whose settings are already set. */
interface Shot {
  file: string;
  settings: Record<string, unknown>;
  width: number;
  scene: (workbench: Workbench) => Promise<void>;
}

const LIGHT = { 'workbench.colorTheme': 'Default Light Modern' };
const DARK = { 'workbench.colorTheme': 'Default Dark Modern' };
const HIGH_CONTRAST = { 'workbench.colorTheme': 'Default High Contrast' };
const KOREAN = { ...DARK, 'backprop.language': 'ko' };

/**
 * XOR's inspector alone in its editor area, three steps in, so the pictures can be compared side by side;
 * without the side bar, a 470 px window gives the inspector the 420 px a narrow editor group has.
 */
async function inspectorAtStepThree(workbench: Workbench, { sideBar = true } = {}): Promise<void> {
  await workbench.openFile('xor.backprop.json', 180_000);
  await workbench.runCommand('Backprop: Open Inspector');
  const inspector = workbench.webview();
  await inspector.locator('#toolbar').waitFor({ timeout: 60_000 });
  // the model's editor closed first, so the inspector has the whole window as a learner would give it
  // (at 420 px two editor groups leave the inspector's toolbar under the workbench's own sashes)
  await workbench.runCommand('View: Close Editors in Other Groups');
  if (!sideBar) await workbench.runCommand('View: Close Primary Side Bar');
  for (let step = 1; step <= 3; step++) {
    await inspector.locator('#step').click();
    await inspector.locator(`body[data-rendered-step="${step}"]`).waitFor({ state: 'attached', timeout: 30_000 });
  }
  await workbench.page.waitForTimeout(1_500);
}

const SHOTS: Shot[] = [
  { file: 'inspector-light.webp', settings: LIGHT, width: 1600, scene: (workbench) => inspectorAtStepThree(workbench) },
  { file: 'inspector-dark.webp', settings: DARK, width: 1600, scene: (workbench) => inspectorAtStepThree(workbench) },
  { file: 'inspector-high-contrast.webp', settings: HIGH_CONTRAST, width: 1600, scene: (workbench) => inspectorAtStepThree(workbench) },
  { file: 'inspector-korean.webp', settings: KOREAN, width: 1600, scene: (workbench) => inspectorAtStepThree(workbench) },
  { file: 'inspector-narrow.webp', settings: LIGHT, width: 470, scene: (workbench) => inspectorAtStepThree(workbench, { sideBar: false }) },
];

/** The page's PNG screenshot re-encoded as WebP by Chromium itself (no image library needed). */
async function webpOf(page: Page, png: Buffer): Promise<Buffer> {
  const webp = await page.evaluate(
    async ({ base64, quality }) => {
      const bytes = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0));
      const bitmap = await createImageBitmap(new Blob([bytes], { type: 'image/png' }));
      const canvas = new OffscreenCanvas(bitmap.width, bitmap.height);
      canvas.getContext('2d')!.drawImage(bitmap, 0, 0);
      const blob = await canvas.convertToBlob({ type: 'image/webp', quality });
      let binary = '';
      for (const byte of new Uint8Array(await blob.arrayBuffer())) binary += String.fromCharCode(byte);
      return btoa(binary);
    },
    { base64: png.toString('base64'), quality: WEBP_QUALITY },
  );
  return Buffer.from(webp, 'base64');
}

async function main(): Promise<void> {
  const available = ensureWorkbench();
  if ('unavailable' in available) throw new Error(available.unavailable);
  mkdirSync(OUT, { recursive: true });
  mkdirSync(PNG_COPIES, { recursive: true });
  const wanted = process.argv.slice(2);
  const unknown = wanted.filter((file) => !SHOTS.some((shot) => shot.file === file));
  if (unknown.length > 0) throw new Error(`no such screenshot: ${unknown.join(', ')} (known: ${SHOTS.map((s) => s.file).join(', ')})`);
  for (const shot of SHOTS.filter((s) => wanted.length === 0 || wanted.includes(s.file))) {
    const workbench = await Workbench.start({ entry: available.entry });
    try {
      await workbench.changeUserSettings(shot.settings);
      await workbench.page.setViewportSize({ width: shot.width, height: 1000 });
      await shot.scene(workbench);
      const png = await workbench.page.screenshot();
      writeFileSync(join(PNG_COPIES, shot.file.replace(/\.webp$/, '.png')), png);
      const picture = await webpOf(workbench.page, png);
      writeFileSync(join(OUT, shot.file), picture);
      process.stdout.write(`${shot.file} ${(picture.length / 1024).toFixed(0)} KiB\n`);
    } finally {
      await workbench.dispose();
    }
  }
}

main().catch((error: Error) => {
  process.stderr.write(`screenshots: ${error.message}\n`);
  process.exit(1);
});
