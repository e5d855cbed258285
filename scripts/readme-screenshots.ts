// The README's screenshots, taken in the real workbench (code-server + Debian's Chromium) with the
// project loaded as a development extension: `npm run screenshots [-- file.webp ...]` writes
// media/screenshots/*.webp (all, or the files named). One workbench per picture, its settings
// changed as a person does (a theme written into the settings file before start is not applied).
// WebP, because the screenshots ship inside the .vsix (VS Code's extension page shows the packaged
// README) and the package must stay under 2 MB: a 1600 px workbench is ~220 KB as PNG, ~130 KB as WebP.
// A PNG copy of each goes to test-artifacts/screenshots/ for looking at with tools that read no WebP.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { FrameLocator, Page } from 'playwright-core';
import { Workbench, ensureWorkbench, projectRoot } from '../test/e2e/harness';

const OUT = join(projectRoot, 'media', 'screenshots');
const PNG_COPIES = join(projectRoot, 'test-artifacts', 'screenshots');
const WEBP_QUALITY = 0.9;

/** What a picture shows: the scene is played in a started workbench whose settings are already set. */
interface Shot {
  file: string;
  settings: Record<string, unknown>;
  width: number;
  /** Plays the scene; a scene that returns a rectangle of the page is cropped to it (to keep the picture small). */
  scene: (workbench: Workbench) => Promise<Clip | void>;
}

interface Clip { x: number; y: number; width: number; height: number }

const LIGHT = { 'workbench.colorTheme': 'Default Light Modern' };
const DARK = { 'workbench.colorTheme': 'Default Dark Modern' };
const HIGH_CONTRAST = { 'workbench.colorTheme': 'Default High Contrast' };
const KOREAN = { ...DARK, 'backprop.language': 'ko' };

/** `file`'s inspector alone in its editor area, `steps` steps in. */
async function inspectorAtStep(workbench: Workbench, file: string, steps: number, { sideBar = true } = {}): Promise<FrameLocator> {
  await workbench.openFile(file, 180_000);
  await workbench.runCommand('Backprop: Open Inspector');
  const inspector = workbench.webview();
  await inspector.locator('#toolbar').waitFor({ timeout: 60_000 });
  await workbench.runCommand('View: Close Editors in Other Groups');
  if (!sideBar) await workbench.runCommand('View: Close Primary Side Bar');
  for (let step = 1; step <= steps; step++) {
    await inspector.locator('#step').click();
    await inspector.locator(`body[data-rendered-step="${step}"]`).waitFor({ state: 'attached', timeout: 30_000 });
  }
  return inspector;
}

/** The rectangle of one card of the inspector, to crop the picture to. */
async function cardOf(inspector: FrameLocator, id: string): Promise<Clip> {
  // A card below the window's bottom is scrolled up first: a clip can only take what is on screen.
  await inspector.locator(`#${id}`).scrollIntoViewIfNeeded();
  const card = await inspector.locator(`#${id}`).boundingBox();
  if (!card) throw new Error(`the ${id} card is not on screen`);
  return card;
}

/**
 * XOR's inspector alone in its editor area, three steps in, so the pictures can be compared side by side;
 * without the side bar, a 470 px window gives the inspector the 420 px a narrow editor group has.
 */
async function inspectorAtStepThree(workbench: Workbench, { sideBar = true } = {}): Promise<void> {
  await inspectorAtStep(workbench, 'xor.backprop.json', 3, { sideBar });
  await workbench.page.waitForTimeout(1_500);
}

/** Predict, then reveal on XOR: the switch on, "+" guessed for the first question, the answer revealed. */
async function predictRevealed(workbench: Workbench): Promise<Clip> {
  const inspector = await inspectorAtStep(workbench, 'xor.backprop.json', 1);
  await inspector.locator('#predict-mode').check();
  await inspector.locator('.predict-answer').first().click();
  await inspector.locator('#predict-reveal').waitFor({ timeout: 30_000 });
  await workbench.page.waitForTimeout(1_000);
  return cardOf(inspector, 'predict');
}

/** Compare Runs on the two-parameter surface lesson with the command's defaults (sgd, momentum, adam; 5 epochs). */
async function compareOptimizers(workbench: Workbench): Promise<Clip> {
  const inspector = await inspectorAtStep(workbench, '07-optimizer-race-surface.backprop.json', 1);
  await workbench.runCommand('Backprop: Compare Runs (Optimizers, Learning Rates, Batch Modes)…');
  // What differs (the first choice: optimizers), the runs and the epochs: each question's default.
  for (let question = 0; question < 3; question++) {
    await workbench.page.locator('.quick-input-widget input.input').waitFor({ state: 'visible', timeout: 15_000 });
    await workbench.page.waitForTimeout(500);
    await workbench.page.keyboard.press('Enter');
  }
  await inspector.locator('#compare:not([hidden]) svg').first().waitFor({ timeout: 120_000 });
  await workbench.page.waitForTimeout(1_500);
  return cardOf(inspector, 'compare');
}

/** Online training (examples/online-linear): 30 steps of fresh samples, the loss card with its moving average. */
async function onlineTraining(workbench: Workbench): Promise<Clip> {
  const inspector = await inspectorAtStep(workbench, 'online-linear.backprop.json', 30);
  await workbench.page.waitForTimeout(1_000);
  return cardOf(inspector, 'loss');
}

/** The chain rule card of XOR three steps in, with its picture and LaTeX/Markdown buttons. */
async function exportButtons(workbench: Workbench): Promise<Clip> {
  const inspector = await inspectorAtStep(workbench, 'xor.backprop.json', 3);
  await workbench.page.waitForTimeout(1_000);
  return cardOf(inspector, 'chain-rule');
}

/** Present Lesson on lesson 5 at a projector's 1280 px, zoomed in once, two steps in: the whole window. */
async function presentLesson(workbench: Workbench): Promise<void> {
  await workbench.openFile('05-backprop-lecture-network.backprop.json', 180_000);
  await workbench.runCommand('Backprop: Present Lesson (one panel, for a projector)');
  const inspector = workbench.webview();
  await inspector.locator('#toolbar').waitFor({ timeout: 60_000 });
  await workbench.runCommand('Backprop: Zoom In (Inspector and Explorers)');
  for (let step = 1; step <= 2; step++) {
    await inspector.locator('#step').click();
    await inspector.locator(`body[data-rendered-step="${step}"]`).waitFor({ state: 'attached', timeout: 30_000 });
  }
  await workbench.page.waitForTimeout(1_500);
}

/**
 * The digits dataset (64 inputs named r0c0…r7c7) through a 32-unit layer, two steps in: the diagram
 * draws the input as the sample's 8×8 image and pages the wide layer. The model is written into the
 * workspace copy (no lesson uses the digits yet).
 */
async function digitsDiagram(workbench: Workbench): Promise<Clip> {
  writeFileSync(join(workbench.workspace, 'digits.backprop.json'), JSON.stringify({
    name: 'Digits, 8×8 pixels', seed: 1, inputs: 64,
    layers: [{ units: 32, activation: 'relu' }, { units: 10, activation: 'softmax' }],
    loss: 'cross-entropy', optimizer: { type: 'sgd', learningRate: 0.01 }, data: { builtin: 'digits' },
    batch: { mode: 'mini-batch', size: 8, shuffle: false },
  }, null, 2));
  const inspector = await inspectorAtStep(workbench, 'digits.backprop.json', 2);
  await inspector.locator('#sample-select').selectOption('0');
  await inspector.locator('[data-pager="1:next"]').click();
  await workbench.page.waitForTimeout(1_500);
  return cardOf(inspector, 'network');
}

const SHOTS: Shot[] = [
  { file: 'inspector-light.webp', settings: LIGHT, width: 1600, scene: (workbench) => inspectorAtStepThree(workbench) },
  { file: 'inspector-dark.webp', settings: DARK, width: 1600, scene: (workbench) => inspectorAtStepThree(workbench) },
  { file: 'inspector-high-contrast.webp', settings: HIGH_CONTRAST, width: 1600, scene: (workbench) => inspectorAtStepThree(workbench) },
  { file: 'inspector-korean.webp', settings: KOREAN, width: 1600, scene: (workbench) => inspectorAtStepThree(workbench) },
  { file: 'inspector-narrow.webp', settings: LIGHT, width: 470, scene: (workbench) => inspectorAtStepThree(workbench, { sideBar: false }) },
  { file: 'predict-light.webp', settings: LIGHT, width: 1600, scene: (workbench) => predictRevealed(workbench) },
  { file: 'predict-korean.webp', settings: KOREAN, width: 1600, scene: (workbench) => predictRevealed(workbench) },
  { file: 'compare-runs-light.webp', settings: LIGHT, width: 1600, scene: (workbench) => compareOptimizers(workbench) },
  { file: 'compare-runs-korean.webp', settings: KOREAN, width: 1600, scene: (workbench) => compareOptimizers(workbench) },
  { file: 'online-training-light.webp', settings: LIGHT, width: 1600, scene: (workbench) => onlineTraining(workbench) },
  { file: 'export-buttons-korean.webp', settings: KOREAN, width: 1600, scene: (workbench) => exportButtons(workbench) },
  { file: 'present-lesson-dark.webp', settings: DARK, width: 1280, scene: (workbench) => presentLesson(workbench) },
  { file: 'network-digits-dark.webp', settings: DARK, width: 1600, scene: (workbench) => digitsDiagram(workbench) },
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
      const clip = await shot.scene(workbench);
      const png = await workbench.page.screenshot(clip ? { clip } : {});
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
