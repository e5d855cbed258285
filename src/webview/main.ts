// The inspector webview: receives host messages, keeps them in one state, and redraws the views
// at most once per animation frame. Everything it posts is validated again by the host.
import '@vscode-elements/elements/dist/vscode-button/index.js';
import type { HostMessage, ParameterRef, WebviewMessage } from '../protocol/messages';
import { fromWire } from '../protocol/nonFinite';
import { shownList } from '../protocol/traceCodec';
import type { WebviewString } from '../protocol/webviewStrings';
import * as l10n from '@vscode/l10n';
import { type Context, apply, hostMessageProblem, initialState, savedWebviewState } from './store';
import { watchTheme } from './theme';
import { applyFontScale } from './fontScale';
import { createViewport } from './viewport';
import { el, setAttr, setHidden, setText } from './dom';
import { phaseKey } from '../engine/phases';
import { createToolbar } from './views/toolbar';
import { createHistory } from './views/history';
import { createNetwork } from './views/network';
import { createLayerDetail } from './views/layerDetail';
import { createChainRule } from './views/chainRule';
import { createLoss } from './views/loss';
import { createData } from './views/data';
import { createOptimizer } from './views/optimizer';
import { createRanks } from './views/ranks';
import { createCompare } from './views/compare';
import { createPredict } from './views/predict';
import type { View } from './views/view';
import { addExportButtons, runExportRequest } from './export/exportTools';

interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}
declare function acquireVsCodeApi(): VsCodeApi;

const vscode = acquireVsCodeApi();
const state = initialState(vscode.getState());
/** Keeps what a revival needs (the document and the view) in the webview's own state. */
const saveWebviewState = () => vscode.setState(savedWebviewState(state));
/** The `show` list last posted (ShowMessage), as text; reset by init, when the host forgets it. */
let shownKey: string | undefined;
/** The sample the page last told the host it shows (its view state's), whose prediction the step brings. */
let sampleTold = state.view.sample;

/**
 * The page says it is not all there yet: `<body>` carries `data-awaiting` while parts of it wait for
 * the settle pass (render), and for the host's answers the screen waits for, from the post of a
 * request until its answer is applied and rendered.
 * - The step after a `show` list or a new sample: the page counts its posts since `ready` as the
 *   host counts what it heard (StepMessage.heard), so a step built before the host heard the
 *   request (one already on its way) does not count as the answer.
 * - Each chain rule and full tensor asked for: answered by its message or by the host's error
 *   about it (ErrorMessage.where names the request).
 */
const awaiting = { posts: 0, stepAfter: 0, stepHeard: 0, requestExplanation: 0, requestTensor: 0 };
const isAwaiting = () => unsettled.size > 0 || awaiting.stepHeard < awaiting.stepAfter || awaiting.requestExplanation > 0 || awaiting.requestTensor > 0;
/** Set on the post of a request or by a render that left parts; cleared only by a render that left none. */
const markAwaiting = () => setAttr(document.body, 'data-awaiting', isAwaiting() ? 'true' : undefined);

const post = (message: WebviewMessage) => {
  vscode.postMessage(message);
  awaiting.posts = message.type === 'ready' ? 0 : awaiting.posts + 1;
  const awaitsStep = message.type === 'show' || (message.type === 'viewState' && message.state.sample !== sampleTold);
  if (message.type === 'viewState') sampleTold = message.state.sample;
  if (awaitsStep) awaiting.stepAfter = awaiting.posts;
  if (message.type === 'requestExplanation' || message.type === 'requestTensor') awaiting[message.type]++;
  if (isAwaiting()) markAwaiting();
};

/** A host message that answers a request the screen waits for. */
function answered(message: HostMessage): void {
  if (message.type === 'init') Object.assign(awaiting, { stepAfter: 0, stepHeard: 0, requestExplanation: 0, requestTensor: 0 });
  if (message.type === 'step') awaiting.stepHeard = message.heard;
  const request = message.type === 'explanation' ? 'requestExplanation' : message.type === 'tensor' ? 'requestTensor'
    : message.type === 'error' && (message.where === 'requestExplanation' || message.where === 'requestTensor') ? message.where : undefined;
  if (request) awaiting[request] = Math.max(0, awaiting[request] - 1);
}

/**
 * Tells the host what the views read of the record on screen when that differs from the list it
 * has, so the next records carry exactly those numbers (and this one again, when a view read a
 * part the record lacked).
 */
function postShown(): void {
  const reads = state.record?.reads;
  if (!reads) return;
  // By name: the views read in the order they render, and a settle pass renders some of them later.
  const tensors = shownList(reads).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const key = JSON.stringify(tensors);
  if (key === shownKey) return;
  shownKey = key;
  post({ type: 'show', tensors });
}

/** Tells the host a message was dropped; the host then sends everything again, so the list is said again too. */
function dropped(reason: string): void {
  shownKey = undefined;
  post({ type: 'protocolError', reason: reason.slice(0, 2000) });
}

const FRAME_MS = 16;
/**
 * The longest a part far from the viewport waits for the settle pass when the page is never idle
 * (a run at full speed): a quarter of a second, so a screen reader or a scroll finds it current soon.
 */
const SETTLE_WITHIN_MS = 250;
/**
 * Host messages applied so far, on <body> as data-applied and in each inspector-rendered's detail:
 * a reader who posts a message waits for the render whose count includes it, not for one that
 * finishes an earlier render's settle pass.
 */
let applied = 0;
let frame = 0;
let soon = false;
let lastRender = -Infinity;
/**
 * True once an animation frame has begun since the last render: a render now is the only one this
 * frame shows. The 16 ms clock alone waited a frame more for a step that came after a quick render
 * and an idle settle pass; it stays for a hidden page, whose animation frames do not run.
 */
let frameSinceRender = true;
let themeChanged = false;
/** The views a render left (wholly or in part) for the settle pass, and its idle callback. */
const unsettled = new Set<View>();
let settleCallback = 0;
/** True while the settle pass runs: every part is written. */
let settling = false;
/** Set by ctx.shows when the view being rendered leaves a part for the settle pass. */
let partLeft = false;
// A part left for the settle pass that comes near the viewport is brought up to date at once.
const viewport = createViewport(() => {
  if (unsettled.size) ctx.invalidate();
});
const ctx: Context = {
  state,
  post,
  t: (text: WebviewString, ...args) => l10n.t(text, ...args),
  invalidate() {
    // A render is coming: a settle pass still waiting would only finish a render it replaces.
    cancelSettle();
    if (frame || soon) return;
    // Leading edge: when nothing was rendered during the last frame, render as soon as this task's
    // messages are applied; otherwise wait for the next animation frame, so a burst of messages
    // (a run at 60 steps/s) still costs at most one render per frame.
    if (frameSinceRender || performance.now() - lastRender >= FRAME_MS) {
      soon = true;
      queueMicrotask(render);
    } else frame = requestAnimationFrame(render);
  },
  shows(part) {
    if (settling || viewport.near(part)) return true;
    partLeft = true;
    return false;
  },
  settle() {
    if (unsettled.size) settle();
  },
  saveView(change) {
    Object.assign(state.view, change);
    saveWebviewState();
    post({ type: 'viewState', state: { ...state.view } });
    ctx.invalidate();
  },
  select(layer: number, parameter?: ParameterRef) {
    // The user's own choice replaces the debugger's focus (the host's selection drops it too).
    state.focus = undefined;
    ctx.saveView({ selectedLayer: layer, selectedParameter: parameter });
    post(parameter ? { type: 'select', layer, parameter } : { type: 'select', layer });
    // Step 0 has no chain rule yet (nothing was computed), so there is nothing to ask the host for.
    if (parameter && state.record && state.record.step > 0) post({ type: 'requestExplanation', step: state.record.step, parameter });
  },
};

const app = document.getElementById('app') ?? document.body.appendChild(el('main', { id: 'app' }));
app.removeAttribute('aria-busy');
const banner = el('div', { id: 'error-banner', className: 'banner', attrs: { role: 'alert' } });
const waiting = el('p', { id: 'waiting', className: 'placeholder' });

const views: View[] = [];
let mounted = false;

function mount(): void {
  app.replaceChildren();
  views.length = 0;
  const toolbar = createToolbar(ctx);
  const history = createHistory(ctx);
  const grid = el('div', { className: 'grid' });
  const left = el('div', { className: 'column main-column' });
  const right = el('div', { className: 'column side-column' });
  const network = createNetwork(ctx);
  const chain = createChainRule(ctx);
  const detail = createLayerDetail(ctx);
  const loss = createLoss(ctx);
  const data = createData(ctx);
  const optimizer = createOptimizer(ctx);
  const ranks = createRanks(ctx);
  const compare = createCompare(ctx);
  const predict = createPredict(ctx);
  left.append(network.root, predict.root, chain.root, detail.root);
  right.append(loss.root, ranks.root, data.root, optimizer.root, compare.root);
  grid.append(left, right);
  app.append(toolbar.root, history.root, banner, grid);
  views.push(toolbar, history, network, predict, chain, detail, loss, ranks, data, optimizer, compare);
  addExportButtons(ctx, app);
  mounted = true;
}

/**
 * Renders the state: every view near the viewport, and of a view the parts near it (ctx.shows);
 * what is left waits for the settle pass, in the page's next idle time. `inspector-shown` says the
 * viewport shows the state; `inspector-rendered` (and body's data-rendered-step) that every part
 * does, so a reader of the whole page (a test, an export) waits for that one.
 */
function render(): void {
  if (frame) cancelAnimationFrame(frame);
  frame = 0;
  soon = false;
  lastRender = performance.now();
  frameSinceRender = false;
  requestAnimationFrame(() => (frameSinceRender = true));
  cancelSettle();
  // Marks for the latency benchmark (bench/webviewLatency.ts reads how long the render itself took).
  performance.clearMarks();
  performance.mark('inspector-render-start');
  if (!state.model) {
    waiting.textContent = ctx.t('Waiting for the extension…');
    app.replaceChildren(waiting);
    mounted = false;
    unsettled.clear();
    return;
  }
  if (!mounted) mount();
  const error = state.error;
  setHidden(banner, !error);
  setText(banner, error ? ctx.t('Error in {0}: {1}', error.where, error.message) : '');
  unsettled.clear();
  renderViews(views);
  performance.mark('inspector-render-end');
  // The position on screen (StepOnScreen): the step shown and the operation Step Into runs next
  // ("complete" between steps), so a reader of the page knows which trace line its numbers are from.
  const position = state.position;
  setAttr(app, 'data-step', position ? String(position.step) : undefined);
  setAttr(app, 'data-op', position ? (position.next ? phaseKey(position.next) : 'complete') : undefined);
  document.body.dispatchEvent(new CustomEvent('inspector-shown', { detail: { step: state.record?.step ?? 0 } }));
  if (unsettled.size) {
    settleCallback = requestIdleCallback(settle, { timeout: SETTLE_WITHIN_MS });
    markAwaiting();
  } else rendered();
}

/** Renders each of `list` whose card is near the viewport, noting in `unsettled` the ones that left something. */
function renderViews(list: Iterable<View>): void {
  for (const view of list) {
    partLeft = false;
    if (ctx.shows(view.root)) view.render(themeChanged);
    if (partLeft) unsettled.add(view);
  }
}

/** The settle pass: the views the last render left, every part of them. */
function settle(): void {
  cancelSettle();
  settling = true;
  try {
    renderViews([...unsettled]);
  } finally {
    settling = false;
  }
  unsettled.clear();
  rendered();
}

/** Drops the idle callback of a settle pass still waiting (a render or the pass itself runs instead). */
function cancelSettle(): void {
  if (settleCallback) cancelIdleCallback(settleCallback);
  settleCallback = 0;
}

/** Every part shows the state: the host hears what the views read, and a reader of the page may look. */
function rendered(): void {
  themeChanged = false;
  postShown();
  markAwaiting();
  document.body.dataset.renderedStep = String(state.record?.step ?? 0);
  document.body.dispatchEvent(new CustomEvent('inspector-rendered', { detail: { step: state.record?.step ?? 0, applied } }));
}

window.addEventListener('message', (event: MessageEvent) => {
  const data = fromWire<HostMessage>(event.data);
  const problem = hostMessageProblem(data);
  if (problem) {
    dropped(problem);
    return;
  }
  if (data.type === 'exportRequest') {
    runExportRequest(ctx, data.request).catch((error: Error) => post({ type: 'protocolError', reason: `exportRequest: ${error.message}`.slice(0, 2000) }));
    return;
  }
  try {
    const wasInit = data.type === 'init';
    if (data.type === 'fontScale') applyFontScale(data.scale);
    answered(data);
    apply(state, data);
    document.body.dataset.applied = String(++applied);
    if (wasInit) {
      mounted = false;
      shownKey = undefined;
      sampleTold = state.view.sample;
      document.documentElement.lang = state.locale;
    }
    if (wasInit || data.type === 'focus' || data.type === 'step') saveWebviewState();
  } catch (error) {
    dropped(`${data.type}: ${(error as Error).message}`);
    return;
  }
  ctx.invalidate();
});

watchTheme(() => {
  themeChanged = true;
  ctx.invalidate();
});

render();
post({ type: 'ready' });
