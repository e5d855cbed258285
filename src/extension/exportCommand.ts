// The Export Trace command: asks which steps and where, states the size before writing a large
// file, then writes the session's own records (traceExport.ts) as JSON Lines under a cancellable
// progress notification. The window's dialogs come in through ExportUi so tests drive this same code.
import * as vscode from 'vscode';
import { l10n } from './l10n';
import type { TrainingSession } from './session';
import { type StepRange, estimateBytes, traceChunks } from './traceExport';

/** Files above this ask before they are written. */
export const LARGE_EXPORT_BYTES = 50 * 1024 * 1024;
/** Steps read per chunk: progress and cancellation come between chunks. */
const CHUNK_STEPS = 256;

/** What the command asks of the window. */
export interface ExportUi {
  /** The step range as the user typed it (validated with `validate`), or undefined to stop. */
  askRange(prompt: string, value: string, validate: (text: string) => string | undefined): Promise<string | undefined>;
  /** Where to write (a URI string), or undefined to stop. */
  askTarget(title: string, suggested: string): Promise<string | undefined>;
  /** True to go on writing a file of the size `message` states. */
  confirm(message: string, action: string): Promise<boolean>;
  /** Runs `task` under a cancellable progress notification; `report` takes the percentage done. */
  withProgress<T>(title: string, task: (report: (percent: number) => void, cancelled: () => boolean) => Promise<T>): Promise<T>;
  write(target: string, bytes: Uint8Array): Promise<void>;
  /** The target as the user knows it (a workspace-relative path). */
  describe(target: string): string;
  inform(message: string): void;
}

export async function exportTrace(session: TrainingSession, ui: ExportUi = windowUi): Promise<void> {
  const last = session.completedSteps;
  if (last === 0) {
    ui.inform(l10n.t('Nothing to export yet: take at least one step.'));
    return;
  }
  const text = await ui.askRange(l10n.t('Steps to export, from 1 to {0} (e.g. 1-{0})', last), `1-${last}`, (value) => {
    const range = parseStepRange(value, last);
    return typeof range === 'string' ? range : undefined;
  });
  if (text === undefined) return;
  const range = parseStepRange(text, last) as StepRange;
  const steps = range.through - range.from + 1;
  const bytes = estimateBytes(session, range);
  if (bytes > LARGE_EXPORT_BYTES && !(await ui.confirm(l10n.t('Exporting {0} steps writes about {1}. Go on?', steps, formatBytes(bytes)), l10n.t('Export')))) return;
  const base = session.uri.replace(/\.backprop\.json$/i, '').replace(/\.json$/i, '');
  const target = await ui.askTarget(l10n.t('Export {0} steps (about {1}) as JSON Lines', steps, formatBytes(bytes)), `${base}.trace.jsonl`);
  if (!target) return;
  const written = await ui.withProgress(l10n.t('Exporting the trace of {0}', session.name), (report, cancelled) => collect(session, range, report, cancelled));
  if (typeof written === 'string') {
    ui.inform(written);
    return;
  }
  await ui.write(target, written);
  ui.inform(l10n.t('Exported steps {0} to {1} ({2}) to {3}.', range.from, range.through, formatBytes(written.length), ui.describe(target)));
}

/** The file's bytes, or why there are none (cancelled, or the session moved back past the range meanwhile). */
async function collect(session: TrainingSession, range: StepRange, report: (percent: number) => void, cancelled: () => boolean): Promise<Uint8Array | string> {
  const encoder = new TextEncoder();
  const parts: Uint8Array[] = [];
  const steps = range.through - range.from + 1;
  for (const chunk of traceChunks(session, range, CHUNK_STEPS)) {
    parts.push(encoder.encode(chunk.text));
    report(Math.floor((chunk.stepsDone * 100) / steps));
    await new Promise((resolve) => setImmediate(resolve));
    if (cancelled()) return l10n.t('Export cancelled: nothing was written.');
    if (session.completedSteps < range.through) return l10n.t('{0} went back to step {1} during the export: nothing was written.', session.name, session.completedSteps);
  }
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/**
 * Reads "a-b" (or "a–b", "a..b") or a single step "n" as a range within 1..last; otherwise a
 * message saying what to write instead.
 */
export function parseStepRange(text: string, last: number): StepRange | string {
  const match = /^\s*(\d+)\s*(?:(?:-|–|\.\.)\s*(\d+)\s*)?$/.exec(text);
  if (!match) return l10n.t('Write a step range such as 1-{0}, or one step such as {0}.', last);
  const from = Number(match[1]);
  const through = match[2] === undefined ? from : Number(match[2]);
  if (from < 1 || through > last) return l10n.t('The steps go from 1 to {0}.', last);
  if (from > through) return l10n.t('The range starts after it ends: write {0}-{1}.', through, from);
  return { from, through };
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return l10n.t('{0} bytes', bytes);
  if (bytes < 1024 * 1024) return l10n.t('{0} KB', (bytes / 1024).toFixed(1));
  return l10n.t('{0} MB', (bytes / (1024 * 1024)).toFixed(1));
}

const windowUi: ExportUi = {
  askRange: (prompt, value, validate) => Promise.resolve(vscode.window.showInputBox({ title: l10n.t('Export Trace'), prompt, value, validateInput: validate })),
  askTarget: async (title, suggested) =>
    (await vscode.window.showSaveDialog({ title, defaultUri: vscode.Uri.parse(suggested), filters: { [l10n.t('JSON Lines')]: ['jsonl'] } }))?.toString(),
  confirm: async (message, action) => (await vscode.window.showWarningMessage(message, { modal: true }, action)) === action,
  withProgress: (title, task) =>
    Promise.resolve(
      vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title, cancellable: true }, (progress, token) => {
        let reported = 0;
        return task((percent) => {
          if (percent > reported) progress.report({ increment: percent - reported, message: `${percent}%` });
          reported = Math.max(reported, percent);
        }, () => token.isCancellationRequested);
      }),
    ),
  write: (target, bytes) => Promise.resolve(vscode.workspace.fs.writeFile(vscode.Uri.parse(target), bytes)),
  describe: (target) => vscode.workspace.asRelativePath(vscode.Uri.parse(target)),
  inform: (message) => void vscode.window.showInformationMessage(message),
};
