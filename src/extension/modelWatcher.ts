// Model files in the editor: diagnostics as the user types or saves, and the offer to start over
// when the file under an open inspector changes.
import * as vscode from 'vscode';
import { loadModelAsync } from '../engine/model';
import { isModelDocument } from './modelFiles';
import { clearDiagnosticsWhenGone, explanationAt, jsonServiceDialect, problemsForEditor } from './modelDiagnostics';
import { offerResetOnEdit } from './modelChangeOffer';
import { loadOptionsFor } from './modelLocations';
import type { SessionRegistry, TrainingSession } from './session';

const TYPING_PAUSE_MS = 300;

export class ModelFileWatcher implements vscode.Disposable {
  private readonly diagnostics = vscode.languages.createDiagnosticCollection('backprop');
  /** Per document, the problems VS Code's JSON service lists for us: our sentences for them, shown on hover. */
  private readonly explained = new Map<string, vscode.Diagnostic[]>();
  private readonly pendingChecks = new Map<string, ReturnType<typeof setTimeout>>();
  private readonly offering = new Set<string>();
  /** The latest check started per document: an older one that finishes later is dropped. */
  private readonly latestCheck = new Map<string, number>();
  private checks = 0;
  private readonly disposables: vscode.Disposable[];

  constructor(
    private readonly extensionUri: vscode.Uri,
    private readonly registry: SessionRegistry,
    /** Whether an inspector shows the document (only then is a reset offered). */
    private readonly hasInspector: (uri: string) => boolean,
  ) {
    this.disposables = [
      this.diagnostics,
      vscode.workspace.onDidOpenTextDocument((d) => this.check(d)),
      vscode.workspace.onDidSaveTextDocument((d) => this.check(d)),
      vscode.workspace.onDidChangeTextDocument((e) => this.checkSoon(e.document)),
      ...clearDiagnosticsWhenGone(this.diagnostics),
      vscode.workspace.onDidCloseTextDocument((d) => this.explained.delete(d.uri.toString())),
      vscode.languages.registerHoverProvider(['json', 'jsonc'].flatMap((language) => ['file', 'untitled'].map((scheme) => ({ language, scheme }))), {
        provideHover: (document, position) => explanationAt(this.explained.get(document.uri.toString()) ?? [], position),
      }),
    ];
    for (const document of vscode.workspace.textDocuments) this.check(document);
  }

  private checkSoon(document: vscode.TextDocument): void {
    if (!isModelDocument(document)) return;
    const key = document.uri.toString();
    clearTimeout(this.pendingChecks.get(key));
    this.pendingChecks.set(key, setTimeout(() => this.check(document), TYPING_PAUSE_MS));
  }

  private check(document: vscode.TextDocument): void {
    void this.checkNow(document);
  }

  /** Loads the document (its data file read off the event loop) and shows its problems, unless a newer check started meanwhile. */
  private async checkNow(document: vscode.TextDocument): Promise<void> {
    if (!isModelDocument(document) || document.isClosed) return; // a check scheduled before it closed
    const key = document.uri.toString();
    this.pendingChecks.delete(key);
    const id = ++this.checks;
    this.latestCheck.set(key, id);
    const text = document.getText();
    const loaded = await loadModelAsync(text, loadOptionsFor(this.extensionUri, document.uri));
    if (this.latestCheck.get(key) !== id || document.isClosed) return;
    this.latestCheck.delete(key);
    const { listed, explained } = problemsForEditor(loaded.diagnostics, text, jsonServiceDialect(document));
    this.diagnostics.set(document.uri, listed);
    this.explained.set(key, explained);
    const session = this.registry.get(key);
    if (loaded.data && session && this.hasInspector(key) && text !== session.text) void this.offerReset(session, document);
  }

  /** The file under an open inspector changed: ask before throwing the session's steps away (one question at a time). */
  private async offerReset(session: TrainingSession, document: vscode.TextDocument): Promise<void> {
    if (this.offering.has(session.uri)) return;
    this.offering.add(session.uri);
    try {
      await offerResetOnEdit(session, () => document.getText(), loadOptionsFor(this.extensionUri, document.uri), {
        ask: (message, ...choices) => vscode.window.showInformationMessage(message, ...choices),
        showError: (message) => void vscode.window.showErrorMessage(message),
      });
    } finally {
      this.offering.delete(session.uri);
    }
  }

  dispose(): void {
    for (const timer of this.pendingChecks.values()) clearTimeout(timer);
    for (const d of this.disposables) d.dispose();
  }
}
