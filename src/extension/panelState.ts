// What survives a window reload: the panel serializer gets back the state the webview saved (the
// document and its ViewState) and the host replays training to the same step and selection.
// That state comes from the webview, so it is checked like any webview message before use.
import { DEFAULT_VIEW_STATE, RUN_SPEED, type ViewState } from '../protocol/messages';
import { validateWebviewMessage } from '../protocol/validate';
import type { RunOutcome, TrainingSession } from './session';
import type { InspectedSession } from './inspectedSession';

export interface PersistedPanelState {
  documentUri: string;
  view?: ViewState;
}

/**
 * What to save for a session's panel: the webview's last view (or the default one) at the step on
 * screen now. The webview reports its view only when the user changes it, so the step comes from
 * the session: stepping alone must also survive a reload.
 */
export function panelStateOf(session: InspectedSession): PersistedPanelState {
  const base = session.viewState ?? {
    ...DEFAULT_VIEW_STATE,
    selectedLayer: session.selection.layer,
    speed: Math.min(RUN_SPEED.max, Math.max(RUN_SPEED.min, session.stepsPerSecond)),
  };
  return { documentUri: session.uri, view: { ...base, step: session.position.step } };
}

/** The document a saved panel showed, or undefined when the state is missing or malformed. */
export function persistedDocumentUri(raw: unknown): string | undefined {
  if (raw === null || typeof raw !== 'object') return undefined;
  const uri = (raw as { documentUri?: unknown }).documentUri;
  return typeof uri === 'string' && uri.length > 0 && uri.length < 4096 ? uri : undefined;
}

/**
 * The saved state a revived panel stands for. The host's copies (one per open inspector, saved
 * whenever its step or view changes) are the newest; the webview's own state picks which one.
 * When it names its document ({ documentUri, view }) that document's copy is taken (or the state
 * itself when there is no copy). A bare ViewState (what the webview saved with setState before it
 * knew its document) is matched to the copy with the same view apart from the step, else to the
 * first copy not yet claimed. `claimed` holds the documents already revived in this window; the
 * chosen one is added to it.
 */
export function matchSavedState(webviewState: unknown, hostCopies: readonly PersistedPanelState[], claimed: Set<string>): PersistedPanelState | undefined {
  const own = persistedDocumentUri(webviewState);
  if (own) {
    claimed.add(own);
    return hostCopies.find((copy) => copy.documentUri === own) ?? (webviewState as PersistedPanelState);
  }
  const open = hostCopies.filter((copy) => persistedDocumentUri(copy) && !claimed.has(copy.documentUri));
  const sameView = webviewState !== null && typeof webviewState === 'object' ? open.find((copy) => sameJson(withoutStep(copy.view), withoutStep(webviewState))) : undefined;
  const chosen = sameView ?? open[0];
  if (chosen) claimed.add(chosen.documentUri);
  return chosen;
}

function withoutStep(view: unknown): unknown {
  if (view === null || typeof view !== 'object') return view;
  const { step: _step, ...rest } = view as Record<string, unknown>;
  return rest;
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
