// Core scenarios through the VS Code API, inside the extension host of a downloaded VS Code
// (`npm run test:vscode`). The workspace is a throw-away copy of examples/.
import { strict as assert } from 'node:assert';
import * as vscode from 'vscode';
import { parseModelFile } from '../../../src/engine/model/parse';
import type { BackpropApi } from '../../../src/extension/extension';
import type { BackpropHost } from '../../../src/extension/host';

const EXTENSION_ID = 'backprop-stepper.backprop-stepper';

function workspaceFile(name: string): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'the test VS Code was started without the examples workspace');
  return vscode.Uri.joinPath(folder.uri, name);
}

/** Resolves with the diagnostics of `uri` once there are some. */
function diagnosticsOf(uri: vscode.Uri): Promise<readonly vscode.Diagnostic[]> {
  return new Promise((resolve) => {
    const current = vscode.languages.getDiagnostics(uri);
    if (current.length > 0) return resolve(current);
    const watch = vscode.languages.onDidChangeDiagnostics((event) => {
      if (!event.uris.some((changed) => changed.toString() === uri.toString())) return;
      const found = vscode.languages.getDiagnostics(uri);
      if (found.length === 0) return;
      watch.dispose();
      resolve(found);
    });
  });
}

describe('Backprop Stepper in the extension host', () => {
  let host: BackpropHost;

  before(async () => {
    const extension = vscode.extensions.getExtension<BackpropApi>(EXTENSION_ID);
    assert.ok(extension, `${EXTENSION_ID} is not loaded`);
    host = (await extension.activate()).host;
  });

  it('registers the inspector and stepping commands', async () => {
    const commands = await vscode.commands.getCommands(true);
    for (const id of ['backprop.openInspector', 'backprop.step', 'backprop.stepInto', 'backprop.stepBack', 'backprop.reset']) {
      assert.ok(commands.includes(id), `${id} is not registered`);
    }
  });

  it('opens the inspector on an example and steps forward and back', async () => {
    const document = await vscode.workspace.openTextDocument(workspaceFile('xor.backprop.json'));
    await vscode.window.showTextDocument(document);
    await vscode.commands.executeCommand('backprop.openInspector');
    const inspectorTab = () => vscode.window.tabGroups.all
      .flatMap((group) => group.tabs)
      .find((tab) => tab.input instanceof vscode.TabInputWebview && tab.input.viewType.endsWith('backprop.inspector'));
    assert.ok(inspectorTab(), 'no inspector tab after "Backprop: Open Inspector"');
    for (let i = 0; i < 3; i++) await vscode.commands.executeCommand('backprop.step');
    const session = host.registry.active;
    assert.ok(session, 'no active training session');
    assert.equal(session.position.step, 3);
    const lossAtThree = session.lossHistory(3, 3).loss[0];
    await vscode.commands.executeCommand('backprop.step');
    assert.equal(session.position.step, 4);
    await vscode.commands.executeCommand('backprop.stepBack');
    assert.equal(session.position.step, 3);
    assert.equal(session.lossHistory(3, 3).loss[0], lossAtThree, 'stepping back changed the loss of step 3');
    assert.ok(inspectorTab(), 'the inspector closed while stepping');
  });

  it('reports a malformed model file as the engine describes it', async () => {
    const text = '{\n  "inputs": 2,\n  "layers": [ { "units": 0, "activation": "relu" } ]\n}\n';
    const expected = parseModelFile(text).diagnostics.filter((d) => d.severity === 'error').map((d) => d.message);
    assert.ok(expected.length > 0, 'the engine accepts the malformed file');
    const uri = workspaceFile('broken.backprop.json');
    await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(text));
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(uri));
    const shown = (await diagnosticsOf(uri)).map((d) => d.message);
    for (const message of expected) assert.ok(shown.some((m) => m.includes(message)), `"${message}" not among ${JSON.stringify(shown)}`);
  });
});
