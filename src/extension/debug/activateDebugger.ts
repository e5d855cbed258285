// VS Code's side of the debugger: the `backprop` debug type runs inline in the extension host on
// the same TrainingSession the inspector and the status bar use, F5 on an open *.backprop.json
// needs no launch.json, and hovers over a layer's keys in the model file show its values.
import * as vscode from 'vscode';
import { l10n } from '../l10n';
import { isModelDocument } from '../modelFiles';
import type { TrainingSession } from '../session';
import { BackpropDebugSession, type SessionOpener } from './backpropDebugSession';
import { ModelLines, hoverExpression } from './modelLines';
import { isPythonDocument, resolveLiveConfiguration } from '../live/activateLive';
import type { LiveRuntime } from '../live/liveRuntime';

export const DEBUG_TYPE = 'backprop';

/**
 * The debug type's configuration provider and adapter factory: the extension's entry registers
 * them at activation (VS Code asks for them as it activates the extension) and forwards here.
 */
export type DebuggerHooks = Required<Pick<vscode.DebugConfigurationProvider, 'resolveDebugConfiguration'>> & vscode.DebugAdapterDescriptorFactory;

/**
 * Registers the hovers over a model's keys while debugging and returns the hooks the entry forwards to.
 * `sessionFor` is the host's: it returns the shared session of a model file (loading it when needed).
 */
export function registerDebugger(
  context: vscode.ExtensionContext,
  sessionFor: (uri: vscode.Uri) => Promise<TrainingSession | undefined>,
  showLive: (runtime: LiveRuntime, program: string) => void,
): DebuggerHooks {
  const open: SessionOpener = async (modelPath) => {
    const uri = vscode.Uri.file(modelPath);
    const session = await sessionFor(uri);
    return session ? { session } : { error: l10n.t('Cannot open {0} for debugging: see the message above or the Problems panel.', vscode.workspace.asRelativePath(uri)) };
  };
  context.subscriptions.push(
    vscode.languages.registerEvaluatableExpressionProvider({ language: 'json', pattern: '**/*.backprop.json' }, { provideEvaluatableExpression }),
  );
  return {
    resolveDebugConfiguration,
    createDebugAdapterDescriptor: () => new vscode.DebugAdapterInlineImplementation(new BackpropDebugSession(open, false, (live, program) => showLive(live.runtime, program))),
  };
}

/**
 * F5 without a launch.json arrives with an empty configuration: debug the model in the active
 * editor, or step through the PyTorch script in it live. "program" launches get their interpreter.
 */
async function resolveDebugConfiguration(_folder: vscode.WorkspaceFolder | undefined, config: vscode.DebugConfiguration): Promise<vscode.DebugConfiguration | undefined> {
  const editor = vscode.window.activeTextEditor;
  if (config.program) return resolveLiveConfiguration(config);
  if (!config.type && !config.request && !config.name && editor && isPythonDocument(editor.document)) {
    return resolveLiveConfiguration({ type: DEBUG_TYPE, request: 'launch', name: l10n.t('Step through {0}', vscode.workspace.asRelativePath(editor.document.uri)), program: editor.document.uri.fsPath });
  }
  const activeModel = editor && isModelDocument(editor.document) && editor.document.uri.scheme === 'file' ? editor.document.uri.fsPath : undefined;
  if (!config.type && !config.request && !config.name) {
    if (!activeModel) {
      void vscode.window.showInformationMessage(l10n.t('Open a *.backprop.json model file to debug its training.'));
      return undefined;
    }
    return { type: DEBUG_TYPE, request: 'launch', name: l10n.t('Debug training'), model: activeModel, stopOnEntry: true };
  }
  if (!config.model) {
    if (!activeModel) {
      void vscode.window.showInformationMessage(l10n.t('The launch configuration has no "model", and the active editor is not a *.backprop.json file.'));
      return undefined;
    }
    return { ...config, model: activeModel };
  }
  return config;
}

/** A layer's "weights" shows that layer's W, "bias" its b, "activation" its a, "units" its z; "loss" the batch loss. */
function provideEvaluatableExpression(document: vscode.TextDocument, position: vscode.Position): vscode.EvaluatableExpression | undefined {
  const range = document.getWordRangeAtPosition(position, /"?[A-Za-z]+"?/);
  if (!range) return undefined;
  const expression = hoverExpression(new ModelLines(document.getText()), position.line + 1, document.getText(range));
  return expression ? new vscode.EvaluatableExpression(range, expression) : undefined;
}
