// Save Picture in a real VS Code workbench (issue 15 item 2): the network card's SVG and PNG buttons
// in the inspector, VS Code's save dialog (code-server shows its simple file dialog: a path typed
// into the quick input), and the files on disk: the SVG parses and holds the card's numbers, the
// PNG has the card's size times the device pixel ratio.
import { strict as assert } from 'node:assert';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { useWorkbench, waitForRenderedStep } from './harness';

const MODEL = 'xor.backprop.json';

/** Waits until `file` exists (the host writes it after the dialog closes); 20 s at most. */
async function written(file: string): Promise<Buffer> {
  const deadline = Date.now() + 20_000;
  while (!existsSync(file)) {
    if (Date.now() > deadline) throw new Error(`${file} was not written within 20 s`);
    await new Promise((r) => setTimeout(r, 200));
  }
  await new Promise((r) => setTimeout(r, 300));
  return readFileSync(file);
}

describe('e2e: Save Picture through the real save dialog', function () {
  this.timeout(180_000);
  const workbench = useWorkbench('the Save Picture scenario');
  before(async function () {
    this.timeout(300_000);
    const wb = workbench();
    await wb.openFile(MODEL, 180_000);
    await wb.runCommand('Backprop: Open Inspector');
    const inspector = wb.webview();
    await inspector.locator('#toolbar').waitFor({ timeout: 60_000 });
    for (let step = 1; step <= 2; step++) {
      await inspector.locator('#step').click();
      await waitForRenderedStep(inspector, step);
    }
  });

  /** Clicks the network card's export button and answers the save dialog with `file`. */
  async function save(format: 'svg' | 'png', file: string): Promise<Buffer> {
    const wb = workbench();
    rmSync(file, { force: true });
    await wb.webview().locator(`[data-export="network:${format}"]`).click();
    const input = wb.page.locator('.quick-input-widget input.input');
    await input.waitFor({ timeout: 30_000 });
    // The simple dialog offers the suggested name next to the model a moment after it opens (what is
    // typed before is overwritten, and Enter then saves under the suggested name): wait for it, type
    // our own path instead, and press Enter once the field holds it.
    await wb.page.waitForFunction((ext) => (document.querySelector('.quick-input-widget input.input') as HTMLInputElement | null)?.value.endsWith(ext), `.${format}`, { timeout: 30_000 });
    await input.fill(file);
    await wb.page.waitForFunction((path) => (document.querySelector('.quick-input-widget input.input') as HTMLInputElement | null)?.value === path, file, { timeout: 10_000 });
    await input.press('Enter');
    return written(file);
  }

  it('saves the network card as SVG: it parses and holds the numbers the card shows', async () => {
    const file = join(workbench().workspace, 'e2e-network.svg');
    const text = (await save('svg', file)).toString('utf8');
    const inspector = workbench().webview();
    // Parsed by the browser's own XML parser: no parser error, an <svg> root.
    const parsed = await inspector.locator('body').evaluate((_, svgText) => {
      const doc = new DOMParser().parseFromString(svgText, 'image/svg+xml');
      return { root: doc.documentElement.nodeName, error: doc.getElementsByTagName('parsererror').length, texts: [...doc.querySelectorAll('text')].map((t) => t.textContent) };
    }, text);
    assert.equal(parsed.error, 0, 'the SVG parses');
    assert.equal(parsed.root, 'svg');
    // Every value label the card shows above its nodes, as the screen writes it.
    const shown = await inspector.locator('#diagram .node-value').evaluateAll((ts) => ts.map((t) => t.textContent).filter((s) => s));
    assert.ok(shown.length >= 5, `the card shows its node values (${shown.length})`);
    for (const label of shown) assert.ok(parsed.texts.includes(label), `the SVG holds ${label}`);
  });

  it('saves the network card as PNG with the card\'s size times the device pixel ratio', async () => {
    const file = join(workbench().workspace, 'e2e-network.png');
    const png = await save('png', file);
    assert.deepEqual([...png.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a], 'a PNG signature');
    const [width, height] = [png.readUInt32BE(16), png.readUInt32BE(20)];
    const card = await workbench().webview().locator('#network').evaluate((e) => ({ width: e.getBoundingClientRect().width, height: e.getBoundingClientRect().height, ratio: devicePixelRatio }));
    assert.equal(width, Math.round(Math.ceil(card.width) * card.ratio), `PNG width ${width} for a ${card.width} px card at ×${card.ratio}`);
    assert.equal(height, Math.round(Math.ceil(card.height) * card.ratio), `PNG height ${height} for a ${card.height} px card at ×${card.ratio}`);
  });
});
