// What survives a window reload: the panel serializer gets back the state the webview saved (the
// document and its ViewState) and the host replays training to the same step and selection.
// That state comes from the webview, so it is checked like any webview message before use.
import type { ViewState } from '../protocol/messages';
import { validateWebviewMessage } from '../protocol/validate';
import type { RunOutcome, TrainingSession } from './session';

export interface PersistedPanelState {
  documentUri: string;
  view?: ViewState;
}

/** The document a saved panel showed, or undefined when the state is missing or malformed. */
export function persistedDocumentUri(raw: unknown): string | undefined {
  if (raw === null || typeof raw !== 'object') return undefined;
  const uri = (raw as { documentUri?: unknown }).documentUri;
  return typeof uri === 'string' && uri.length > 0 && uri.length < 4096 ? uri : undefined;
}

/**
 * The saved state a revived panel stands for. The webview's own state names its document when it
 * is a PersistedPanelState; a bare ViewState (what the webview saves with setState) does not, so
 * the host's copies (kept in workspaceState for every open inspector) fill the document in: the
 * copy whose view equals the webview's, else the first one not yet claimed by another panel.
 * `claimed` holds the documents already revived in this window; the chosen one is added to it.
 */
export function matchSavedState(webviewState: unknown, hostCopies: readonly PersistedPanelState[], claimed: Set<string>): PersistedPanelState | undefined {
  const own = persistedDocumentUri(webviewState);
  if (own) {
    claimed.add(own);
    return webviewState as PersistedPanelState;
  }
  const open = hostCopies.filter((copy) => persistedDocumentUri(copy) && !claimed.has(copy.documentUri));
  const sameView = webviewState !== null && typeof webviewState === 'object' ? open.find((copy) => sameJson(copy.view, webviewState)) : undefined;
  const chosen = sameView ?? open[0];
  if (!chosen) return undefined;
  claimed.add(chosen.documentUri);
  // The webview's own view is the panel's newest; the host's copy supplies the document.
  return sameView || webviewState === undefined || webviewState === null ? chosen : { documentUri: chosen.documentUri, view: webviewState as ViewState };
}

/** Equal as JSON whatever the key order (the host's copy went through validation, which rebuilds objects). */
function sameJson(a: unknown, b: unknown): boolean {
  return canonical(a) === canonical(b);
}

function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v !== null && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) : v,
  );
}

/**
 * Brings a freshly loaded session back to a saved view: the same completed step (replayed
 * deterministically from the model file, through `goTo` so a far step can show progress) and the
 * same selection. A view that does not fit the model (edited since) is ignored with the reason,
 * and the session stays at step 0.
 */
export async function restoreView(
  session: TrainingSession,
  raw: unknown,
  goTo: (step: number) => Promise<RunOutcome> = (step) => session.goToStep(step),
): Promise<{ ok: true } | { ok: false; reason: string }> {
  const view = raw !== null && typeof raw === 'object' ? (raw as { view?: unknown }).view : undefined;
  if (view === undefined) return { ok: true };
  const checked = validateWebviewMessage({ type: 'viewState', state: view }, session.validationContext);
  if (!checked.ok) return { ok: false, reason: checked.reason };
  if (checked.message.type !== 'viewState') return { ok: false, reason: 'not a view state' };
  const state = checked.message.state;
  const outcome = await goTo(state.step);
  session.viewState = state;
  session.stepsPerSecond = state.speed;
  session.select({
    layer: state.selectedLayer,
    parameter: state.selectedParameter,
    sample: state.sample === 'mean' ? undefined : state.sample,
  });
  if (outcome.kind === 'non-finite') return { ok: false, reason: outcome.error.message };
  if (outcome.kind === 'cancelled') return { ok: false, reason: `cancelled at step ${session.position.step} of ${state.step}` };
  return { ok: true };
}
