// What survives a window reload: the panel serializer gets back the state the webview saved (the
// document and its ViewState) and the host replays training to the same step and selection.
// That state comes from the webview, so it is checked like any webview message before use.
import type { ViewState } from '../protocol/messages';
import { validateWebviewMessage } from '../protocol/validate';
import type { TrainingSession } from './session';

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
 * Brings a freshly loaded session back to a saved view: the same completed step (replayed
 * deterministically from the model file) and the same selection. A view that does not fit the
 * model (edited since) is ignored with the reason, and the session stays at step 0.
 */
export async function restoreView(session: TrainingSession, raw: unknown): Promise<{ ok: true } | { ok: false; reason: string }> {
  const view = raw !== null && typeof raw === 'object' ? (raw as { view?: unknown }).view : undefined;
  if (view === undefined) return { ok: true };
  const checked = validateWebviewMessage({ type: 'viewState', state: view }, session.validationContext);
  if (!checked.ok) return { ok: false, reason: checked.reason };
  if (checked.message.type !== 'viewState') return { ok: false, reason: 'not a view state' };
  const state = checked.message.state;
  const stopped = await session.goToStep(state.step);
  session.viewState = state;
  session.stepsPerSecond = state.speed;
  session.select({
    layer: state.selectedLayer,
    parameter: state.selectedParameter,
    sample: state.sample === 'mean' ? undefined : state.sample,
  });
  return stopped ? { ok: false, reason: stopped.message } : { ok: true };
}
