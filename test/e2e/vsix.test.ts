// The package, not the development folder: `npm run package` builds the .vsix, code-server's
// `--install-extension` installs it into a clean extensions folder, and the inspector runs from
// the installed copy.
import { strict as assert } from 'node:assert';
import { spawnSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { projectRoot, useWorkbench, waitForRenderedStep } from './harness';
import { cliTrace } from './cliTrace';

const SIZE_TARGET_BYTES = 2 * 1024 * 1024;

describe('e2e: the packaged .vsix installed into a clean workbench', function () {
  this.timeout(120_000);
  let vsix: string;
  const workbench = useWorkbench('the .vsix scenario', () => {
    const { name, version } = JSON.parse(readFileSync(join(projectRoot, 'package.json'), 'utf8')) as { name: string; version: string };
    const packaged = spawnSync('npm', ['run', 'package'], { cwd: projectRoot, encoding: 'utf8' });
    assert.equal(packaged.status, 0, `npm run package failed:\n${packaged.stdout}${packaged.stderr}`);
    vsix = join(projectRoot, `${name}-${version}.vsix`);
    return { vsix };
  });

  it(`is smaller than ${SIZE_TARGET_BYTES / 1024 / 1024} MB`, () => {
    const bytes = statSync(vsix).size;
    console.log(`      ${vsix.slice(projectRoot.length + 1)}: ${(bytes / 1024).toFixed(0)} KiB`);
    assert.ok(bytes < SIZE_TARGET_BYTES, `${bytes} bytes`);
  });

  it('runs the inspector from the installed extension', async () => {
    const wb = workbench();
    assert.doesNotMatch(await wb.page.title(), /Extension Development Host/);
    await wb.openFile('xor.backprop.json');
    await wb.runCommand('Backprop: Open Inspector');
    const inspector = wb.webview();
    await inspector.locator('#toolbar').waitFor({ timeout: 30_000 });
    await inspector.locator('#step').click();
    await waitForRenderedStep(inspector, 1, 20_000);
    const [first] = cliTrace(join(projectRoot, 'examples', 'xor.backprop.json'), 1);
    assert.equal(Number(await inspector.locator('#loss-value').getAttribute('data-value')), first.loss);
    await wb.screenshot('10-installed-vsix');
  });
});
