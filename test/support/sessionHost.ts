// The host side of the webview tests and the latency benchmark: a real TrainingSession (the one
// the extension opens per model document) and the host's own message builders
// (src/extension/inspectorMessages.ts), so the webview is fed exactly what the extension sends.
// Only the vscode panel around them is left out: what it adds is the post itself.
import type { ModelFile, StepRecord } from '../../src/engine/types';
import type { LoadOptions } from '../../src/engine/model/load';
import { routeWebviewMessage, type InspectorActions } from '../../src/extension/inspectorRouter';
import {
  HistoryCursor, buildExplanationMessage, buildInitMessage, buildSnapshotMessages, buildTensorMessage,
} from '../../src/extension/inspectorMessages';
import { TrainingSession } from '../../src/extension/session';
import { type InspectorPage, openInspector } from './browserPage';
import type { CopyTextMessage, HostMessage, InitMessage, SavePictureMessage, StepMessage, WebviewMessage } from '../../src/protocol/messages';

type Of<T extends HostMessage['type']> = Extract<HostMessage, { type: T }>;

/** How many of each page's posts answerHost has answered. */
const answeredPosts = new WeakMap<InspectorPage, number>();

/**
 * Every webview message since `from` through the host's own router (validation included); the
 * host's answers back to the page, and what the page posts after rendering them (its `show` list
 * of what its views read) answered in turn, until it asks for nothing more.
 */
export async function answerHost(view: InspectorPage, host: SessionHost, from: number): Promise<void> {
  // Posts left unanswered since the last call (a click the test did not answer) are answered too, as the panel would.
  for (let next = answeredPosts.get(view) ?? from; next < view.posted.length;) {
    const end = view.posted.length;
    let answered = false;
    for (const message of view.posted.slice(next, end)) {
      for (const reply of await host.handle(message)) {
        await view.send(reply);
        answered = true;
      }
    }
    next = end;
    answeredPosts.set(view, end);
    // The page posts from its render; a round trip lets those posts reach `posted`.
    if (answered) await view.page.evaluate(() => new Promise((done) => setTimeout(done, 0)));
  }
  // The parts a render left for the page's settle pass are written in an idle callback (within
  // 250 ms, main.ts): one queued after it, with a later deadline, runs after it. (Headless Chromium
  // can go without idle periods when nothing draws, so the deadline is what ends the wait then.)
  await view.page.evaluate(() => new Promise((done) => requestIdleCallback(done, { timeout: 300 })));
}

/**
 * An inspector page and a host session of `model` that have gone through steps 1…`steps` one at
 * a time, the page's requests answered after each as the panel would.
 */
export async function openStepped(
  options: Parameters<typeof openInspector>[0], model: ModelFile, steps: number,
): Promise<{ view: InspectorPage; host: SessionHost }> {
  const view = await openInspector(options);
  const host = SessionHost.open(model);
  await view.send(host.init());
  for (let k = 1; k <= steps; k++) {
    const from = view.posted.length;
    await view.send(await host.next(k));
    await answerHost(view, host, k === 1 ? 0 : from);
  }
  return { view, host };
}

/** Chooses `value` in the page's `<select>` and lets the host answer what the page asked for. */
export async function choose(view: InspectorPage, host: SessionHost, selector: string, value: string): Promise<void> {
  const from = view.posted.length;
  await view.page.selectOption(selector, value);
  await answerHost(view, host, from);
}

export class SessionHost {
  /** What an open inspector has been sent so far (the incremental loss history). */
  private readonly cursor = new HistoryCursor();

  /** Pictures and text the webview asked to save or copy, as the host received them after checking. */
  readonly saved: SavePictureMessage[] = [];
  readonly copied: CopyTextMessage[] = [];

  private constructor(readonly session: TrainingSession) {}

  /** `options` give the loader its file readers (a CSV or built-in dataset). */
  static open(model: ModelFile, uri = 'file:///ws/test.backprop.json', options: LoadOptions = {}): SessionHost {
    const loaded = TrainingSession.load(uri, JSON.stringify(model), options);
    if (!loaded.ok) throw new Error(`sessionHost: the model does not load: ${loaded.loaded.diagnostics.map((d) => d.message).join('; ')}`);
    return new SessionHost(loaded.session);
  }

  init(strings: Record<string, string> = {}, locale = 'en'): InitMessage {
    return buildInitMessage(this.session, { strings, locale, theme: 'light' });
  }

  /** The session's record of a completed step. */
  record(step: number): StepRecord {
    const record = this.session.recordAt(step);
    if (!record) throw new Error(`sessionHost: step ${step} is not recorded`);
    return record;
  }

  /** Moves the session to `step` and returns every message a freshly opened inspector gets there. */
  async at(step: number): Promise<HostMessage[]> {
    await this.session.goToStep(step);
    return this.snapshot();
  }

  /**
   * Every message a freshly opened inspector gets where the session is now (after a Step Into, say).
   * The host then knows only what these messages carry, so later answers build on them.
   */
  snapshot(): HostMessage[] {
    this.cursor.restart();
    return buildSnapshotMessages(this.session, this.cursor);
  }

  /** One message of `at(step)` by type. */
  async message<T extends HostMessage['type']>(step: number, type: T): Promise<Of<T>> {
    const found = (await this.at(step)).find((m): m is Of<T> => m.type === type);
    if (!found) throw new Error(`sessionHost: no ${type} message at step ${step}`);
    return found;
  }

  /** The step message of `step`, as an inspector that stays open gets it (only the loss points it lacks). */
  async next(step: number): Promise<StepMessage> {
    await this.session.goToStep(step);
    const step_ = buildSnapshotMessages(this.session, this.cursor).find((m): m is StepMessage => m.type === 'step');
    if (!step_) throw new Error(`sessionHost: no step message at step ${step}`);
    return step_;
  }

  /** The host's answers to one webview message, checked and routed as the panel routes it. */
  async handle(raw: WebviewMessage): Promise<HostMessage[]> {
    const replies: HostMessage[] = [];
    const snapshot = () => void replies.push(...buildSnapshotMessages(this.session, this.cursor));
    this.cursor.hear(raw);
    const actions: InspectorActions = {
      ready: () => undefined,
      command: async (command) => {
        if (command.name === 'goToStep') {
          await this.session.goToStep(command.step);
          snapshot();
        } else if (command.name === 'stepInto') {
          await this.session.stepInto();
          snapshot();
        }
      },
      select: (message) => {
        this.session.select({ layer: message.layer, parameter: message.parameter, sample: message.sample ?? this.session.selection.sample });
        snapshot();
      },
      requestTensor: async (message) => void replies.push(...[await buildTensorMessage(this.session, message)].filter((m) => m !== undefined)),
      show: (message) => {
        this.cursor.show(message);
        snapshot();
      },
      requestExplanation: async (message) => void replies.push(...[await buildExplanationMessage(this.session, message)].filter((m) => m !== undefined)),
      viewState: (state) => {
        const sampleChosen = this.cursor.sampleChosen(state.sample);
        this.session.viewState = state;
        const sample = state.sample === 'mean' ? undefined : state.sample;
        // As the panel: a new selection fires a change (a snapshot), and so does a new choice alone.
        if (sample !== this.session.selection.sample || sampleChosen) {
          this.session.select({ ...this.session.selection, sample });
          snapshot();
        }
      },
      protocolError: () => undefined,
      savePicture: (message) => void this.saved.push(message),
      copyText: (message) => void this.copied.push(message),
    };
    const problems: string[] = [];
    await routeWebviewMessage(raw, this.session.validationContext, actions, (line) => problems.push(line));
    if (problems.length) throw new Error(`sessionHost: ${problems.join('; ')}`);
    return replies;
  }
}
