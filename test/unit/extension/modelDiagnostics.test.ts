// Issue 10, item 9: no ghost problems. A model's problems leave the Problems panel when its
// document closes (an untitled model closed unsaved included), is deleted or is renamed.
import './useVscodeStub';
import { strict as assert } from 'node:assert';
import type * as vscode from 'vscode';
import { clearDiagnosticsWhenGone } from '../../../src/extension/modelDiagnostics';
import { workspaceEvents } from './vscodeStub';

describe('model diagnostics: none outlive their document', () => {
  it('closing, deleting and renaming remove the problems of exactly that document', () => {
    const deleted: unknown[] = [];
    const collection = { delete: (uri: unknown) => deleted.push(uri) } as unknown as vscode.DiagnosticCollection;
    const subscriptions = clearDiagnosticsWhenGone(collection);
    const untitled = 'untitled:/model-1.backprop.json';
    workspaceEvents.closed.fire({ uri: untitled });
    workspaceEvents.deleted.fire({ files: ['file:///a.backprop.json', 'file:///b.backprop.json'] });
    workspaceEvents.renamed.fire({ files: [{ oldUri: 'file:///old.backprop.json', newUri: 'file:///new.backprop.json' }] });
    assert.deepEqual(deleted, [untitled, 'file:///a.backprop.json', 'file:///b.backprop.json', 'file:///old.backprop.json']);
    for (const s of subscriptions) s.dispose();
    workspaceEvents.closed.fire({ uri: 'untitled:/model-2.backprop.json' });
    assert.equal(deleted.length, 4, 'no longer listening after dispose');
  });
});
