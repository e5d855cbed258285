// The debug adapter: a thin translation between the Debug Adapter Protocol and TrainingRuntime
// (the vscode-mock-debug split). It runs inline in the extension host on the session the
// inspector uses, and as a stdio process (src/debugAdapter.ts) for the DAP tests. No `vscode`
// import.
import {
  Breakpoint, ErrorDestination, ExitedEvent, Handles, InitializedEvent, LoggingDebugSession, Scope, Source, StackFrame, StoppedEvent,
  ContinuedEvent, OutputEvent, Response, TerminatedEvent, Thread,
} from '@vscode/debugadapter';
import type { DebugProtocol } from '@vscode/debugprotocol';
import type { TrainingSession } from '../session';
import { LiveDebugAdapter, type LiveLaunchArguments, checkLiveLaunch } from '../live/liveDebugAdapter';
import { type Tensor, type Value, evaluate } from './expressions';
import { describeTestLook } from '../../engine/testSet';
import { hoverExpression } from './modelLines';
import { DEFAULT_EXPLODING_NORM, DEFAULT_SATURATION, FILTERS } from './monitors';
import { type Grain, type RuntimeEvent, type RuntimeOptions, type Stop, TrainingRuntime } from './trainingRuntime';
import { describeOperation } from './trainingState';
import { type Container, type Entry, type Namer, childrenOf, describeResult, describeTensor, formatNumber } from './variables';

export interface BackpropLaunchArguments extends DebugProtocol.LaunchRequestArguments, Partial<LiveLaunchArguments> {
  /** Path of the *.backprop.json model file (or "program": a PyTorch script, stepped live). */
  model: string;
  stopOnEntry?: boolean;
  grain?: Grain;
  runUntil?: string;
  maxSteps?: number;
  epochs?: number;
}

/** Opens the training session of a model file: the shared one in VS Code, a fresh one in the stdio adapter. */
export type SessionOpener = (modelPath: string) => Promise<{ session: TrainingSession } | { error: string }>;

const THREAD_ID = 1;
const FRAME = { operation: 1, step: 2, epoch: 3 } as const;

export const EXCEPTION_FILTERS: DebugProtocol.ExceptionBreakpointsFilter[] = [
  {
    filter: FILTERS.nonFinite,
    label: 'NaN or Infinity',
    description: 'Stop at the operation that first produces NaN or ±Infinity and name the layer and unit. Unchecked, training ends there instead.',
    default: true,
  },
  {
    filter: FILTERS.explodingGradient,
    label: 'Exploding gradient',
    description: `Stop after a backward operation whose layer gradient norm ‖∂J/∂W, ∂J/∂b‖₂ rises above the threshold (the condition; default ${DEFAULT_EXPLODING_NORM}).`,
    default: false,
    supportsCondition: true,
    conditionDescription: `Gradient norm threshold, e.g. ${DEFAULT_EXPLODING_NORM}`,
  },
  {
    filter: FILTERS.saturated,
    label: 'Saturated sigmoid/tanh units',
    description: `Stop after a forward operation where a sigmoid or tanh unit's f′(z) falls below a fraction of its largest value (the condition; default ${DEFAULT_SATURATION}) for every sample of the batch.`,
    default: false,
    supportsCondition: true,
    conditionDescription: `Fraction of f′'s largest value, e.g. ${DEFAULT_SATURATION}`,
  },
  {
    filter: FILTERS.deadRelu,
    label: 'Dead ReLU units',
    description: 'Stop after a forward operation where a ReLU unit has z ≤ 0 for every sample of the training split.',
    default: false,
  },
];

export class BackpropDebugSession extends LoggingDebugSession {
  private runtime: TrainingRuntime | undefined;
  private session: TrainingSession | undefined;
  private modelPath = '';
  private readonly containers = new Handles<Container>();
  private configurationDone!: () => void;
  private readonly configured = new Promise<void>((resolve) => (this.configurationDone = resolve));
  /** Breakpoint settings that arrive before the model is loaded are applied once it is. */
  private unsubscribe: (() => void) | undefined;
  /** A launch with "program": every later request goes to the live PyTorch adapter. */
  private live: LiveDebugAdapter | undefined;

  constructor(
    private readonly open: SessionOpener,
    /** True in the stdio adapter: the session is ours to dispose at the end. */
    private readonly ownsSession = false,
    /** Told of each live PyTorch launch (the extension shows it in an inspector). */
    private readonly onLive?: (live: LiveDebugAdapter, program: string) => void,
  ) {
    super();
    this.setDebuggerLinesStartAt1(true);
    this.setDebuggerColumnsStartAt1(true);
  }

  protected override initializeRequest(response: DebugProtocol.InitializeResponse): void {
    response.body = {
      ...response.body,
      supportsConfigurationDoneRequest: true,
      supportsStepBack: true,
      supportsConditionalBreakpoints: true,
      supportsHitConditionalBreakpoints: true,
      supportsFunctionBreakpoints: true,
      supportsEvaluateForHovers: true,
      supportsExceptionInfoRequest: true,
      supportsExceptionFilterOptions: true,
      exceptionBreakpointFilters: EXCEPTION_FILTERS,
      supportsRestartRequest: true,
      supportsTerminateRequest: true,
      supportsDelayedStackTraceLoading: false,
    };
    this.sendResponse(response);
  }

  /**
   * A handler that throws (a request before launch, a runtime bug) is answered by the base class
   * with the exception's stack trace; answer with its message instead, said plainly.
   */
  protected override sendErrorResponse(
    response: DebugProtocol.Response, codeOrMessage: number | DebugProtocol.Message, format?: string,
    variables?: Record<string, string>, destination?: ErrorDestination,
  ): void {
    if (format === '{_stack}' && variables?._exception !== undefined) return this.fail(response, `${response.command}: ${variables._exception}`);
    super.sendErrorResponse(response, codeOrMessage, format, variables, destination);
  }

  protected override dispatchRequest(request: DebugProtocol.Request): void {
    const args = request.arguments as Record<string, unknown> | undefined;
    if (request.command === 'launch' && args?.program !== undefined) return void this.launchLive(request, args);
    if (this.live && request.command !== 'initialize') return this.live.handle(request);
    super.dispatchRequest(request);
  }

  private async launchLive(request: DebugProtocol.Request, args: Record<string, unknown>): Promise<void> {
    const response = new Response(request) as DebugProtocol.LaunchResponse;
    const problem = args.model !== undefined ? 'has both "model" and "program"; give one' : checkLiveLaunch(args);
    if (problem) return this.fail(response, `The launch configuration ${problem}.`);
    this.live = new LiveDebugAdapter(this);
    this.onLive?.(this.live, String(args.program));
    await this.live.launch(response, args as unknown as LiveLaunchArguments);
  }

  protected override async launchRequest(response: DebugProtocol.LaunchResponse, args: BackpropLaunchArguments): Promise<void> {
    try {
      await this.launch(response, args);
    } catch (error) {
      this.fail(response, `Cannot debug ${args.model}: ${messageOf(error)}`);
    }
  }

  private async launch(response: DebugProtocol.LaunchResponse, args: BackpropLaunchArguments): Promise<void> {
    if (typeof args.model !== 'string' || args.model === '') {
      return this.fail(response, 'The launch configuration needs "model": the path of a *.backprop.json file, e.g. "${file}".');
    }
    const options: RuntimeOptions = { grain: args.grain, runUntil: args.runUntil, maxSteps: args.maxSteps, epochs: args.epochs };
    const problem = TrainingRuntime.validateOptions(options);
    if (problem) return this.fail(response, `The launch configuration's ${problem}.`);
    const opened = await this.open(args.model);
    if ('error' in opened) return this.fail(response, opened.error);
    this.session = opened.session;
    this.modelPath = args.model;
    this.runtime = new TrainingRuntime(opened.session, options);
    this.unsubscribe = this.runtime.onEvent((event) => this.translate(event));
    // Ready for breakpoints now that the model's lines are known.
    this.sendEvent(new InitializedEvent());
    await this.configured;
    this.sendResponse(response);
    this.move(() => this.runtime!.start(args.stopOnEntry ?? true));
  }

  /** The runtime of the launched model; a request that needs one before (or after a failed) launch is refused. */
  private running(): TrainingRuntime {
    if (!this.runtime) throw new Error('no model is being debugged (launch one first, or fix the error its launch reported)');
    return this.runtime;
  }

  /**
   * Runs a move after its request was answered. A move that fails (memory the JavaScript engine
   * refuses, a bug) is reported as an exception stop naming the step, and the session stays
   * open to inspect what was computed before it.
   */
  private move(run: () => Promise<unknown> | void): void {
    Promise.resolve()
      .then(run)
      .catch((error: unknown) => {
        const step = this.runtime?.state.lastOperation().step;
        const text = `Training failed${step === undefined ? '' : ` at step ${step}`}: ${messageOf(error)}`;
        this.sendEvent(new OutputEvent(`${text}\n`, 'stderr'));
        const stop = new StoppedEvent('exception', THREAD_ID) as DebugProtocol.StoppedEvent;
        stop.body.description = text;
        stop.body.text = text;
        this.sendEvent(stop);
      });
  }

  protected override configurationDoneRequest(response: DebugProtocol.ConfigurationDoneResponse): void {
    this.configurationDone();
    this.sendResponse(response);
  }

  private fail(response: DebugProtocol.Response, message: string): void {
    response.success = false;
    response.message = message;
    // Shown to the user as is (no {placeholders} in our messages are meant to be substituted).
    response.body = { error: { id: 1, format: message.replace(/[{}]/g, (c) => (c === '{' ? '(' : ')')), showUser: true } };
    this.sendResponse(response);
  }

  private translate(event: RuntimeEvent): void {
    switch (event.type) {
      case 'stopped': {
        this.containers.reset();
        const stop = new StoppedEvent(stopReason(event.stop), THREAD_ID) as DebugProtocol.StoppedEvent;
        stop.body.description = event.stop.description;
        stop.body.text = event.stop.text ?? event.stop.description;
        if (event.stop.breakpointIds) stop.body.hitBreakpointIds = event.stop.breakpointIds;
        this.sendEvent(stop);
        return;
      }
      case 'continued':
        this.sendEvent(new ContinuedEvent(THREAD_ID));
        return;
      case 'refused':
        // 'important' output is shown as a notification, not only in the Debug Console.
        this.sendEvent(new OutputEvent(`${event.message}\n`, 'important'));
        return;
      case 'ended':
        this.sendEvent(new OutputEvent(`${event.message}\n`, 'stderr'));
        this.sendEvent(new ExitedEvent(1));
        this.sendEvent(new TerminatedEvent());
        return;
    }
  }

  // ---- breakpoints

  protected override setBreakPointsRequest(response: DebugProtocol.SetBreakpointsResponse, args: DebugProtocol.SetBreakpointsArguments): void {
    const runtime = this.runtime!;
    const requested = args.breakpoints ?? [];
    if (args.source.path && !samePath(args.source.path, this.modelPath)) {
      response.body = { breakpoints: requested.map((b) => ({ verified: false, line: b.line, message: 'This debug session trains another model file.' })) };
      return this.sendResponse(response);
    }
    const results = runtime.setLineBreakpoints(requested.map((b) => ({ line: this.convertClientLineToDebugger(b.line), condition: b.condition, hitCondition: b.hitCondition })));
    response.body = {
      breakpoints: results.map((r) => {
        const bp = new Breakpoint(r.verified, r.line === undefined ? undefined : this.convertDebuggerLineToClient(r.line), undefined, this.source()) as DebugProtocol.Breakpoint;
        bp.id = r.id;
        if (r.message) bp.message = r.message;
        return bp;
      }),
    };
    this.sendResponse(response);
  }

  protected override setFunctionBreakPointsRequest(response: DebugProtocol.SetFunctionBreakpointsResponse, args: DebugProtocol.SetFunctionBreakpointsArguments): void {
    const results = this.runtime!.setFunctionBreakpoints(args.breakpoints);
    response.body = { breakpoints: results.map((r) => ({ id: r.id, verified: r.verified, message: r.message })) };
    this.sendResponse(response);
  }

  protected override setExceptionBreakPointsRequest(response: DebugProtocol.SetExceptionBreakpointsResponse, args: DebugProtocol.SetExceptionBreakpointsArguments): void {
    const filters = [...(args.filterOptions ?? []), ...args.filters.map((filterId) => ({ filterId }))];
    const results = this.runtime!.setExceptionFilters(filters);
    response.body = { breakpoints: results.map((r) => ({ id: r.id, verified: r.verified, message: r.message })) };
    this.sendResponse(response);
  }

  protected override exceptionInfoRequest(response: DebugProtocol.ExceptionInfoResponse): void {
    const stop = this.runtime?.lastStop;
    response.body = {
      exceptionId: stop?.filter ?? 'training',
      description: stop?.text ?? stop?.description ?? '',
      breakMode: 'always',
    };
    this.sendResponse(response);
  }

  // ---- moving

  protected override threadsRequest(response: DebugProtocol.ThreadsResponse): void {
    response.body = { threads: [new Thread(THREAD_ID, this.session?.name ?? 'training')] };
    this.sendResponse(response);
  }

  protected override continueRequest(response: DebugProtocol.ContinueResponse): void {
    const runtime = this.running();
    response.body = { allThreadsContinued: true };
    this.sendResponse(response);
    this.move(() => runtime.continue());
  }

  protected override nextRequest(response: DebugProtocol.NextResponse): void {
    const runtime = this.running();
    this.sendResponse(response);
    this.move(() => runtime.stepOver());
  }

  protected override stepInRequest(response: DebugProtocol.StepInResponse): void {
    const runtime = this.running();
    this.sendResponse(response);
    this.move(() => runtime.stepIn());
  }

  protected override stepOutRequest(response: DebugProtocol.StepOutResponse): void {
    const runtime = this.running();
    this.sendResponse(response);
    this.move(() => runtime.stepOut());
  }

  protected override stepBackRequest(response: DebugProtocol.StepBackResponse): void {
    const runtime = this.running();
    this.sendResponse(response);
    this.move(() => runtime.stepBack());
  }

  protected override reverseContinueRequest(response: DebugProtocol.ReverseContinueResponse): void {
    const runtime = this.running();
    this.sendResponse(response);
    this.move(() => runtime.reverseContinue());
  }

  protected override pauseRequest(response: DebugProtocol.PauseResponse): void {
    this.sendResponse(response);
    this.runtime!.pause();
  }

  protected override restartRequest(response: DebugProtocol.RestartResponse): void {
    const runtime = this.running();
    this.sendResponse(response);
    this.move(() => runtime.restart());
  }

  protected override terminateRequest(response: DebugProtocol.TerminateResponse): void {
    this.runtime?.pause();
    this.sendResponse(response);
    this.sendEvent(new TerminatedEvent());
  }

  protected override disconnectRequest(response: DebugProtocol.DisconnectResponse): void {
    this.unsubscribe?.();
    this.runtime?.dispose();
    if (this.ownsSession) this.session?.dispose();
    this.sendResponse(response);
  }

  // ---- where it stands

  private source(): Source {
    const name = this.modelPath.replace(/^.*[\\/]/, '');
    return new Source(name, this.convertDebuggerPathToClient(this.modelPath));
  }

  protected override stackTraceRequest(response: DebugProtocol.StackTraceResponse): void {
    const runtime = this.runtime!;
    const w = runtime.state.lastOperation();
    const lines = runtime.lines;
    const operation = w.last
      ? describeOperation(w.last)
      : `start · before ${describeOperation({ kind: 'forward', layer: 0 })}`;
    const line = (n: number) => this.convertDebuggerLineToClient(n);
    const frames = [
      new StackFrame(FRAME.operation, operation, this.source(), line(lines.lineOfPhase(w.last ?? { kind: 'forward', layer: 0 }))),
      new StackFrame(FRAME.step, `step ${w.step} (batch ${w.batchInEpoch} of epoch ${w.epoch})`, this.source(), line(lines.keyLine('layers'))),
      new StackFrame(FRAME.epoch, `epoch ${w.epoch}`, this.source(), line(lines.keyLine('data'))),
    ];
    response.body = { stackFrames: frames, totalFrames: frames.length };
    this.sendResponse(response);
  }

  protected override scopesRequest(response: DebugProtocol.ScopesResponse, args: DebugProtocol.ScopesArguments): void {
    const state = this.runtime!.state;
    const scope = (name: string, container: Container, expensive = false) => new Scope(name, this.containers.create(container), expensive);
    const scopes: Scope[] = [];
    if (args.frameId === FRAME.epoch) {
      scopes.push(scope('Epoch', { kind: 'epoch' }));
    } else {
      const focus = args.frameId === FRAME.operation ? state.focusLayer() : undefined;
      // The inspector follows the selected frame: it highlights the operation and shows its layer.
      const operation = args.frameId === FRAME.operation ? state.lastOperation().last : undefined;
      if (operation) this.session?.focusOn(operation, focus);
      if (focus !== undefined) scopes.push(scope(`Layer ${focus + 1}`, { kind: 'layer', layer: focus }));
      else scopes.push(scope('Layers', { kind: 'layers' }));
      scopes.push(scope('Loss', { kind: 'loss' }), scope('Optimizer', { kind: 'optimizer' }), scope('Batch', { kind: 'batch' }));
    }
    response.body = { scopes };
    this.sendResponse(response);
  }

  protected override variablesRequest(response: DebugProtocol.VariablesResponse, args: DebugProtocol.VariablesArguments): void {
    const container = this.containers.get(args.variablesReference);
    let variables: DebugProtocol.Variable[] = [];
    try {
      variables = container ? childrenOf(this.runtime!.state, container, args).map((entry) => this.toVariable(entry)) : [];
    } catch (error) {
      variables = [{ name: 'error', value: (error as Error).message, variablesReference: 0 }];
    }
    response.body = { variables };
    this.sendResponse(response);
  }

  /** An entry of the Variables view (src/extension/debug/variables.ts) as a DAP variable with a handle for what expands. */
  private toVariable(entry: Entry): DebugProtocol.Variable {
    if ('value' in entry) return this.valueVariable(entry.name, entry.value, entry.evaluateName, entry.names);
    return {
      name: entry.name,
      value: entry.text,
      variablesReference: entry.expands ? this.containers.create(entry.expands) : 0,
      presentationHint: entry.readOnly ? { attributes: ['readOnly'] } : undefined,
    };
  }

  private valueVariable(name: string, value: number | Tensor, evaluateName?: string, names?: Namer): DebugProtocol.Variable {
    if (typeof value === 'number') return { name, value: formatNumber(value), variablesReference: 0, evaluateName };
    return {
      name,
      value: describeTensor(value),
      evaluateName,
      variablesReference: this.containers.create({ kind: 'tensor', tensor: value, evaluateName, names }),
      indexedVariables: value.shape[0],
    };
  }

  // ---- the debug console and hovers

  protected override evaluateRequest(response: DebugProtocol.EvaluateResponse, args: DebugProtocol.EvaluateArguments): void {
    const runtime = this.runtime;
    if (!runtime) return this.fail(response, 'No model is being debugged yet.');
    let expression = args.expression;
    if (args.context === 'hover' && args.line !== undefined) {
      expression = hoverExpression(runtime.lines, this.convertClientLineToDebugger(args.line), expression) ?? expression;
    }
    if (expression.trim() === TEST_SET_COMMAND) return this.evaluateTestSet(response, args.context, runtime.session);
    let value: Value;
    try {
      value = evaluate(expression, runtime.state.scope());
    } catch (error) {
      return this.fail(response, (error as Error).message);
    }
    const isTensor = typeof value === 'object' && value.kind === 'tensor';
    response.body = {
      result: describeResult(value),
      variablesReference: isTensor ? this.containers.create({ kind: 'tensor', tensor: value as Tensor, evaluateName: expression }) : 0,
      indexedVariables: isTensor ? (value as Tensor).shape[0] : undefined,
    };
    this.sendResponse(response);
  }

  /**
   * The console's Evaluate on Test Set: the figures as text, expandable into the exact values. Only
   * typed in the console: a watch or hover would open the test set at every stop.
   */
  private evaluateTestSet(response: DebugProtocol.EvaluateResponse, context: string | undefined, session: TrainingSession): void {
    if (context !== 'repl') return this.fail(response, `${TEST_SET_COMMAND} opens the test set and is recorded as a look: type it in the debug console, not in a watch or hover`);
    let look;
    try {
      look = session.lookAtTestSet();
    } catch (error) {
      return this.fail(response, messageOf(error));
    }
    const { trigger: _trigger, ...figures } = look.evaluation;
    response.body = {
      result: describeTestLook(look).text,
      variablesReference: this.containers.create({ kind: 'object', value: { ...figures, openedBefore: look.earlier } }),
    };
    this.sendResponse(response);
  }
}

/** The debug console's command for Evaluate on Test Set (a call, as the expression language's functions are written). */
export const TEST_SET_COMMAND = 'evaluateTestSet()';

function stopReason(stop: Stop): string {
  return stop.reason === 'end' ? 'pause' : stop.reason;
}

function samePath(a: string, b: string): boolean {
  const normalize = (p: string) => p.replace(/\\/g, '/').replace(/^([a-z]):/i, (_, d: string) => `${d.toLowerCase()}:`);
  return normalize(a) === normalize(b);
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
