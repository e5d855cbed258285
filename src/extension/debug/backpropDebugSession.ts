// The debug adapter: a thin translation between the Debug Adapter Protocol and TrainingRuntime
// (the vscode-mock-debug split). It runs inline in the extension host on the session the
// inspector uses, and as a stdio process (src/debugAdapter.ts) for the DAP tests. No `vscode`
// import.
import {
  Breakpoint, ExitedEvent, Handles, InitializedEvent, LoggingDebugSession, Scope, Source, StackFrame, StoppedEvent,
  ContinuedEvent, OutputEvent, Response, TerminatedEvent, Thread,
} from '@vscode/debugadapter';
import type { DebugProtocol } from '@vscode/debugprotocol';
import type { TrainingSession } from '../session';
import { LiveDebugAdapter, type LiveLaunchArguments, checkLiveLaunch } from '../live/liveDebugAdapter';
import { type Tensor, type Value, evaluate } from './expressions';
import { hoverExpression } from './modelLines';
import { DEFAULT_EXPLODING_NORM, DEFAULT_SATURATION, FILTERS } from './monitors';
import { type Grain, type RuntimeEvent, type RuntimeOptions, type Stop, TrainingRuntime } from './trainingRuntime';
import { LAYER_FIELDS, describeOperation } from './trainingState';
import { describeResult, describeTensor, formatNumber, tensorRow } from './variables';

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

/** What a variables reference stands for; references are renewed at every stop. */
type Container =
  | { kind: 'layer'; layer: number }
  | { kind: 'layers' }
  | { kind: 'loss' }
  | { kind: 'optimizer' }
  | { kind: 'object'; value: Record<string, unknown>; evaluateName?: string }
  | { kind: 'batch' }
  | { kind: 'epoch' }
  | { kind: 'tensor'; tensor: Tensor; evaluateName?: string };

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
    await this.runtime.start(args.stopOnEntry ?? true);
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
    response.body = { allThreadsContinued: true };
    this.sendResponse(response);
    void this.runtime!.continue();
  }

  protected override nextRequest(response: DebugProtocol.NextResponse): void {
    this.sendResponse(response);
    void this.runtime!.stepOver();
  }

  protected override stepInRequest(response: DebugProtocol.StepInResponse): void {
    this.sendResponse(response);
    void this.runtime!.stepIn();
  }

  protected override stepOutRequest(response: DebugProtocol.StepOutResponse): void {
    this.sendResponse(response);
    void this.runtime!.stepOut();
  }

  protected override stepBackRequest(response: DebugProtocol.StepBackResponse): void {
    this.sendResponse(response);
    void this.runtime!.stepBack();
  }

  protected override reverseContinueRequest(response: DebugProtocol.ReverseContinueResponse): void {
    this.sendResponse(response);
    void this.runtime!.reverseContinue();
  }

  protected override pauseRequest(response: DebugProtocol.PauseResponse): void {
    this.sendResponse(response);
    this.runtime!.pause();
  }

  protected override async restartRequest(response: DebugProtocol.RestartResponse): Promise<void> {
    this.sendResponse(response);
    await this.runtime!.restart();
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
      variables = container ? this.childrenOf(container, args) : [];
    } catch (error) {
      variables = [{ name: 'error', value: (error as Error).message, variablesReference: 0 }];
    }
    response.body = { variables };
    this.sendResponse(response);
  }

  private childrenOf(container: Container, args: DebugProtocol.VariablesArguments): DebugProtocol.Variable[] {
    const state = this.runtime!.state;
    switch (container.kind) {
      case 'layers':
        return [...Array(state.layerCount).keys()].map((l) => {
          const layer = state.layer(l);
          return {
            name: `layer ${l + 1}`,
            value: `${layer.units} ${layer.activation} units (layers[${l}])`,
            variablesReference: this.containers.create({ kind: 'layer', layer: l }),
          };
        });
      case 'layer': {
        const layer = state.layer(container.layer);
        return LAYER_FIELDS.map((field) => {
          const data = field.get(layer);
          const evaluateName = `${field.name}[${container.layer + 1}]`;
          if (!data) return { name: field.label, value: 'not computed yet', variablesReference: 0, presentationHint: { attributes: ['readOnly'] } };
          return this.valueVariable(field.label, { kind: 'tensor', shape: field.shape(layer), data }, evaluateName);
        });
      }
      case 'loss': {
        const record = state.record;
        const number = (name: string, label: string, value: number | undefined) =>
          value === undefined
            ? { name: label, value: 'not computed yet', variablesReference: 0 }
            : this.valueVariable(label, value, name);
        const perSample = state.perSampleLoss();
        return [
          number('loss', 'total J', record?.loss),
          number('dataLoss', 'data part', record?.dataLoss),
          number('regLoss', 'regularization part', record?.regLoss),
          number('lossAfter', 'J after the update', record?.lossAfter),
          perSample
            ? this.valueVariable('per sample ℓᵢ', { kind: 'tensor', shape: [perSample.length], data: perSample }, 'perSampleLoss')
            : { name: 'per sample ℓᵢ', value: 'not computed yet', variablesReference: 0 },
        ];
      }
      case 'optimizer': {
        const optimizer = state.record?.optimizer ?? (state.session.completedSteps > 0 ? state.session.recordAt(state.session.completedSteps)?.optimizer : undefined);
        const type = this.session!.model.optimizer.type;
        if (!optimizer) return [{ name: 'type', value: type, variablesReference: 0 }, { name: 'state', value: 'no update yet', variablesReference: 0 }];
        return [{ name: 'type', value: optimizer.type, variablesReference: 0 }, ...this.objectChildren(optimizer.state)];
      }
      case 'object':
        return this.objectChildren(container.value);
      case 'batch': {
        const batch = state.batch();
        return [
          { name: 'indices', value: `[${batch.indices.join(', ')}]`, variablesReference: 0 },
          this.valueVariable('x', batch.x, 'x'),
          this.valueVariable('t', batch.t, 't'),
        ];
      }
      case 'epoch': {
        const w = state.lastOperation();
        const figures = state.session.epochs.filter((e) => e.epoch === w.epoch - 1);
        const out: DebugProtocol.Variable[] = [
          { name: 'epoch', value: String(w.epoch), variablesReference: 0 },
          { name: 'batch', value: `${w.batchInEpoch} of ${w.batchesPerEpoch}`, variablesReference: 0 },
        ];
        for (const e of figures) {
          out.push(this.valueVariable(`train loss after epoch ${e.epoch}`, e.trainLoss));
          if (e.validationLoss !== undefined) out.push(this.valueVariable(`validation loss after epoch ${e.epoch}`, e.validationLoss));
        }
        return out;
      }
      case 'tensor': {
        const { tensor, evaluateName } = container;
        const rows = tensor.shape[0];
        const start = args.start ?? 0;
        const end = Math.min(rows, args.count ? start + args.count : rows);
        const out: DebugProtocol.Variable[] = [];
        for (let i = start; i < end; i++) {
          out.push(this.valueVariable(`[${i}]`, tensorRow(tensor, i), evaluateName && `${evaluateName}[${i}]`));
        }
        return out;
      }
    }
  }

  /** Optimizer state: per-parameter objects and their typed arrays. */
  private objectChildren(value: Record<string, unknown>): DebugProtocol.Variable[] {
    return Object.entries(value).map(([name, item]) => {
      if (typeof item === 'number') return this.valueVariable(name, item);
      if (ArrayBuffer.isView(item) || (Array.isArray(item) && item.every((x) => typeof x === 'number'))) {
        const data = Float64Array.from(item as ArrayLike<number>);
        return this.valueVariable(name, { kind: 'tensor', shape: [data.length], data });
      }
      if (item !== null && typeof item === 'object') {
        return { name, value: '{…}', variablesReference: this.containers.create({ kind: 'object', value: item as Record<string, unknown> }) };
      }
      return { name, value: String(item), variablesReference: 0 };
    });
  }

  private valueVariable(name: string, value: number | Tensor, evaluateName?: string): DebugProtocol.Variable {
    if (typeof value === 'number') return { name, value: formatNumber(value), variablesReference: 0, evaluateName };
    return {
      name,
      value: describeTensor(value),
      evaluateName,
      variablesReference: this.containers.create({ kind: 'tensor', tensor: value, evaluateName }),
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
}

function stopReason(stop: Stop): string {
  return stop.reason === 'end' ? 'pause' : stop.reason;
}

function samePath(a: string, b: string): boolean {
  const normalize = (p: string) => p.replace(/\\/g, '/').replace(/^([a-z]):/i, (_, d: string) => `${d.toLowerCase()}:`);
  return normalize(a) === normalize(b);
}
