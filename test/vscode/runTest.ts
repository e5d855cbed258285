// `npm run test:vscode`: downloads VS Code (needs access to Microsoft's update service, so it is
// not part of `npm test` on machines without it), starts it with this extension under
// development and a throw-away copy of examples/, and runs ./suite inside its extension host.
import { runTests } from '@vscode/test-electron';
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

async function main(): Promise<void> {
  const projectRoot = resolve(__dirname, '../../..');
  const temp = mkdtempSync(join(tmpdir(), 'backprop-vscode-test-'));
  const workspace = join(temp, 'workspace');
  cpSync(join(projectRoot, 'examples'), workspace, { recursive: true });
  try {
    await runTests({
      version: process.env.VSCODE_TEST_VERSION ?? 'stable',
      extensionDevelopmentPath: projectRoot,
      extensionTestsPath: resolve(__dirname, 'suite', 'index'),
      launchArgs: [workspace, '--disable-extensions', '--disable-workspace-trust', `--user-data-dir=${join(temp, 'user-data')}`],
    });
  } finally {
    rmSync(temp, { recursive: true, force: true });
  }
}

main().catch((error) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
