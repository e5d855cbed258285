// Step-to-rendered latency of the inspector webview in headless Chromium, and bytes posted per
// step against the numbers the page then shows, for the 2-8-8-1 and 784-128-10 networks (issue 16
// item 3's targets: p95 ≤ 16 ms; bytes posted ≤ 1.2 × 8 bytes per number shown). The clock starts when the step message is posted to the page and stops after the
// render that follows it (one requestAnimationFrame later) has brought the viewport up to date
// (`inspector-shown`), the loss chart's redraw (a microtask) and a forced layout, so the figure
// includes the wait for the next frame that coalescing costs; the render alone (between the
// webview's performance marks) is reported beside it. A second clock runs until every part of the
// page shows the step (`inspector-rendered`, after the settle pass for the parts far from the
// viewport). Structured-clone transport inside VS Code is not included.
//
// The page's own requests go back to the host as in the panel (its `show` list of what the views
// read narrows the records the host sends next), so the bytes are what a panel posts once the
// views have said what they show.
//
// To compare two builds in one run, set BENCH_WEBVIEW_BASELINE=<dir> holding an older build's
// webview.js (and inspector.css): steps then alternate between the two pages, so both see the
// same machine load, and the table gains the baseline's figures and the ratio. The baseline page
// has its own host session and gets every step whole, as a newly opened page does (an older build
// neither says what it reads nor keeps a record's layout for the next).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { BenchSection } from './measure';
import { type InspectorPage, launch, openInspector, pack } from '../test/support/browserPage';
import { SessionHost, answerHost } from '../test/support/sessionHost';
import { runSteps, syntheticModel } from '../test/support/engineSteps';
import { messageByteParts } from '../src/protocol/traceCodec';
import { useKernelIn } from '../src/engine/nodeKernel';

export interface Latency {
  p50: number; // ms, step posted → the viewport shows it, laid out
  p95: number;
  settledP50: number; // ms, step posted → every part of the page shows it, laid out
  settledP95: number;
  renderP50?: number; // ms, the render function alone (absent for builds without the marks)
  layoutP50: number; // ms, the forced layout after the render (style and layout of the page)
}

export interface LatencyFigures {
  network: string;
  mode: 'stepping' | 'running';
  /** Timed steps, in all passes together. */
  steps: number;
  /**
   * Each figure of `current` and `baseline` is the median of its value in each pass (the same
   * steps, all four cases measured once before any is measured again), so a burst of load from
   * the machine's other tenants moves one pass, not the figure.
   */
  current: Latency;
  /** The viewport clock's p95 in each pass, in order. */
  passP95: number[];
  baseline?: Latency;
  bytesPerStep: number; // median over the steps
  /** Of those, the JSON around the numbers (names, position, scalars), median over the steps. */
  jsonBytesPerStep: number;
  /** Numbers on screen after a step (elements carrying data-value), median over the steps. */
  numbersShown: number;
  /** Of those, the ones drawn as colour rather than written: the diagram's edges and an image input's pixels. */
  numbersAsColour: number;
  /** Timed steps whose network diagram the settle pass still changed (the diagram was not complete when shown). */
  diagramAfterShown: number;
  /**
   * The timed steps over 16 ms (in all passes) and, at their median, the time from their post until
   * their render began (long: the step waited for the next animation frame, one render per frame),
   * the render and the forced layout (long: the page's work ran long or waited for a core).
   */
  slowSteps: { steps: number; untilRenderP50?: number; renderP50?: number; layoutP50?: number };
  /** The page's main-thread CPU per step, from a traced pass (measureMainThread). */
  mainThread?: MainThread;
}

const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
const median = (values: number[]) => quantile([...values].sort((a, b) => a - b), 0.5);

/**
 * One step's figures: [shown ms, render ms, layout ms, numbers on screen, of which drawn as colour,
 * settled ms, 1 if the settle pass changed the network diagram (it was not complete when shown),
 * ms from the post until the render began (the message's delivery and, when it waited, the wait
 * for the next animation frame)].
 */
type Sample = [number, number, number, number, number, number, number, number];

/**
 * Posts one step to the page and times it (a Sample). Page code as text: the functions tsx compiles
 * carry name helpers (__name) that do not exist inside the page.
 */
const TIME_STEP_IN_PAGE = `(text) => new Promise((done) => {
  const message = window.__unpack(text);
  const start = performance.now();
  // The step's bounds for the traced pass (stepWork): a trace keeps the marks the page's render later clears.
  performance.mark('bench-step-start');
  // Since the start and, of it, the forced layout (ms), after laying the page out.
  const laidOut = () => {
    const before = performance.now();
    void document.body.offsetHeight;
    return [performance.now() - start, performance.now() - before];
  };
  let shown;
  // Watches the network diagram from the moment the viewport is shown (after the clock stops): a
  // change before the page settles means the diagram was not part of what the clock measured.
  let diagramWatch;
  let diagramChanged = 0;
  // The loss chart (uPlot) redraws in a microtask queued during the render: one queued now runs
  // after it, so the clock counts the chart's redraw too (it once stopped before it).
  const onShown = () => queueMicrotask(() => {
    if (shown) return;
    const [total, layout] = laidOut();
    performance.mark('bench-step-end');
    const [a] = performance.getEntriesByName('inspector-render-start');
    const [b] = performance.getEntriesByName('inspector-render-end');
    shown = [total, a && b ? b.startTime - a.startTime : NaN, layout, a ? a.startTime - start : NaN];
    diagramWatch = new MutationObserver(() => (diagramChanged = 1));
    diagramWatch.observe(document.getElementById('diagram'), { subtree: true, childList: true, attributes: true, characterData: true });
  });
  document.body.addEventListener('inspector-shown', onShown, { once: true });
  document.body.addEventListener('inspector-rendered', () => {
    // A build without inspector-shown renders every part at once: shown is rendered.
    onShown();
    queueMicrotask(() => {
      const [settled] = laidOut();
      performance.mark('bench-step-settled');
      document.body.removeEventListener('inspector-shown', onShown);
      if (diagramWatch.takeRecords().length > 0) diagramChanged = 1;
      diagramWatch.disconnect();
      // Counted after the clocks stop: the numbers a reader can see (screen-truth's data-value), and
      // of those the ones drawn as colour (an edge's stroke, a pixel's grey; exact on hover).
      const [total, render, layout, untilRender] = shown;
      done([total, render, layout, document.querySelectorAll('[data-value]').length,
        document.querySelectorAll('line.edge[data-value], rect.pixel[data-value]').length, settled, diagramChanged, untilRender]);
    });
  }, { once: true });
  window.postMessage(message, '*');
})`;

async function timeStep(view: InspectorPage, text: string): Promise<Sample> {
  return view.page.evaluate(`(${TIME_STEP_IN_PAGE})(${JSON.stringify(text)})`) as Promise<Sample>;
}

/** Steps dropped before timing: the first renders run before the JIT has compiled the views. */
const WARM_UP = 20;

function summarize(warm: Sample[]): Latency {
  const totals = warm.map((s) => s[0]).sort((a, b) => a - b);
  const settled = warm.map((s) => s[5]).sort((a, b) => a - b);
  const renders = warm.map((s) => s[1]).filter((v) => !Number.isNaN(v));
  return {
    p50: quantile(totals, 0.5), p95: quantile(totals, 0.95), settledP50: quantile(settled, 0.5), settledP95: quantile(settled, 0.95),
    renderP50: renders.length ? median(renders) : undefined, layoutP50: median(warm.map((s) => s[2])),
  };
}

function slowSteps(timed: Sample[]): LatencyFigures['slowSteps'] {
  const slow = timed.filter((s) => s[0] > 16);
  const medianOf = (k: number) => {
    const values = slow.map((s) => s[k]).filter((v) => !Number.isNaN(v));
    return values.length ? median(values) : undefined;
  };
  return { steps: slow.length, untilRenderP50: medianOf(7), renderP50: medianOf(1), layoutP50: medianOf(2) };
}

/**
 * Two ways steps arrive: `stepping`, a person pressing Step (messages 100 ms apart, so each one is
 * rendered on the leading edge as soon as it is applied), and `running`, back to back as fast as
 * the page renders and settles them (one that arrives before an animation frame has begun since
 * the last render waits for the next one: the coalescing that keeps a fast run at one render per
 * frame; slowSteps says how often a slow step was such a wait).
 */
const GAP_MS = { stepping: 100, running: 0 } as const;

type Case = { network: string; model: ReturnType<typeof syntheticModel>; batch: number };

/** Main-thread CPU per step in a traced run (ms, p50 and p95), and of it style and layout (p50). */
export interface MainThread {
  cpuP50: number;
  cpuP95: number;
  /** Until every part shows the step (the settle pass included). */
  settledCpuP50: number;
  settledCpuP95: number;
  styleP50: number;
  layoutP50: number;
  wallP95: number; // the traced run's own clock: tracing slows it, so it is not the latency above
}

/** Trace categories: style and layout with their thread time, and the page's marks (with the thread's clock). */
export const TRACE_CATEGORIES = 'devtools.timeline,blink.user_timing';

export interface TraceEvent { name: string; ph: string; ts: number; tts?: number; dur?: number; tdur?: number; pid: number; tid: number }

/** One step's main-thread figures (ms): CPU time between its marks, of it style and layout, and its clock. */
export interface StepWork { cpu: number; style: number; layout: number; wall: number }

/**
 * Per step, the CPU time the page's main thread spent between the step's marks, its start and
 * `endMark` (`bench-step-end` when the viewport shows it, `bench-step-settled` when every part does; the thread's own
 * clock, `tts`, at each mark), and of it the style recalculation and layout: thread time does not
 * count the time the thread waited for a core, so it tells the page's own work from the machine's
 * other processes in a slow step.
 */
export function stepWork(events: TraceEvent[], endMark = 'bench-step-end'): StepWork[] {
  const marks = events.filter((e) => e.name === 'bench-step-start' || e.name === endMark).sort((a, b) => a.ts - b.ts);
  if (marks.length === 0) throw new Error('the trace holds no step marks');
  const { pid, tid } = marks[0];
  const onMain = events.filter((e) => e.pid === pid && e.tid === tid && e.ph === 'X');
  const starts = marks.filter((e) => e.name === 'bench-step-start');
  const ends = marks.filter((e) => e.name === endMark);
  if (starts.length !== ends.length || marks.some((e) => e.tts === undefined)) throw new Error('the trace\'s step marks do not pair up with thread times');
  const within = (name: string, from: number, to: number) =>
    onMain.filter((e) => e.name === name && e.ts >= from && e.ts <= to).reduce((sum, e) => sum + (e.tdur ?? 0), 0) / 1000;
  return starts.map((start, k) => ({
    cpu: (ends[k].tts! - start.tts!) / 1000, style: within('UpdateLayoutTree', start.ts, ends[k].ts),
    layout: within('Layout', start.ts, ends[k].ts), wall: (ends[k].ts - start.ts) / 1000,
  }));
}

function mainThreadTime(events: TraceEvent[]): MainThread {
  const steps = stepWork(events);
  const settled = stepWork(events, 'bench-step-settled').map((s) => s.cpu).sort((a, b) => a - b);
  const sorted = (pick: (s: StepWork) => number) => steps.map(pick).sort((a, b) => a - b);
  return {
    cpuP50: quantile(sorted((s) => s.cpu), 0.5), cpuP95: quantile(sorted((s) => s.cpu), 0.95),
    settledCpuP50: quantile(settled, 0.5), settledCpuP95: quantile(settled, 0.95),
    styleP50: quantile(sorted((s) => s.style), 0.5), layoutP50: quantile(sorted((s) => s.layout), 0.5), wallP95: quantile(sorted((s) => s.wall), 0.95),
  };
}

const CASES = (): Case[] => [
  { network: '2-8-8-1', model: syntheticModel([2, 8, 8, 1], ['tanh', 'tanh', 'sigmoid'], 'binary-cross-entropy', 64), batch: 8 },
  { network: '784-128-10', model: syntheticModel([784, 128, 10], ['relu', 'softmax'], 'cross-entropy', 64), batch: 32 },
];

/** One case and mode measured once: the timed steps' samples (warm-up dropped) and the bytes of every step. */
interface Pass {
  network: string;
  mode: 'stepping' | 'running';
  timed: Sample[];
  baselineTimed?: Sample[];
  bytes: number[];
  jsonBytes: number[];
  mainThread?: MainThread;
}

/** Each case and mode's figures from its passes (`passes[k][i]`: pass k of row i). */
function figures(passes: Pass[][]): LatencyFigures[] {
  return passes[0].map(({ network, mode, bytes, jsonBytes, mainThread }, i) => {
    const rows = passes.map((pass) => pass[i]);
    const timed = rows.flatMap((row) => row.timed);
    const medianLatency = (latencies: Latency[]): Latency => {
      const of = (pick: (l: Latency) => number | undefined) => {
        const values = latencies.map(pick).filter((v): v is number => v !== undefined);
        return values.length ? median(values) : undefined;
      };
      return {
        p50: of((l) => l.p50)!, p95: of((l) => l.p95)!, settledP50: of((l) => l.settledP50)!, settledP95: of((l) => l.settledP95)!,
        renderP50: of((l) => l.renderP50), layoutP50: of((l) => l.layoutP50)!,
      };
    };
    const current = rows.map((row) => summarize(row.timed));
    return {
      network, mode, steps: timed.length, current: medianLatency(current), passP95: current.map((l) => l.p95),
      baseline: rows[0].baselineTimed ? medianLatency(rows.map((row) => summarize(row.baselineTimed!))) : undefined,
      bytesPerStep: median(bytes), jsonBytesPerStep: median(jsonBytes),
      numbersShown: median(timed.map((t) => t[3])), numbersAsColour: median(timed.map((t) => t[4])),
      diagramAfterShown: timed.filter((t) => t[6] === 1).length, slowSteps: slowSteps(timed), mainThread,
    };
  });
}

/**
 * Steps each case's inspector through `steps` records as they arrive in each mode, timing each one.
 * `baseline`: an older build's page beside it, steps alternating between the two. `trace`: a
 * Chromium trace from the end of the warm-up, for mainThreadTime; tracing slows the clock it
 * would measure, so a traced pass's figures other than `mainThread` are not the latency.
 */
async function stepThrough(steps: number, options: { baseline?: { script: string; css?: string }; trace?: boolean }): Promise<Pass[]> {
  const { baseline, trace } = options;
  // The host's session trains with the WebAssembly kernel, as the extension host does (on its own,
  // `npm run bench -- webview` would otherwise run the TypeScript fallback beside the page).
  useKernelIn(join(__dirname, '..', 'dist'));
  const browser = await launch();
  const results: Pass[] = [];
  try {
    for (const c of CASES()) for (const mode of ['stepping', 'running'] as const) {
      const run = runSteps(c.model, steps, c.batch);
      const host = SessionHost.open(run.model);
      const oldHost = SessionHost.open(run.model);
      const current = await openInspector({ theme: 'dark', browser });
      const old = baseline ? await openInspector({ theme: 'dark', browser, ...baseline }) : undefined;
      await current.send(host.init());
      await old?.send(oldHost.init());
      const cdp = trace ? await current.page.context().newCDPSession(current.page) : undefined;
      const events: TraceEvent[] = [];
      cdp?.on('Tracing.dataCollected', (data) => { events.push(...(data.value as unknown as TraceEvent[])); });
      const times: Sample[] = [];
      const oldTimes: Sample[] = [];
      const bytes: number[] = [];
      const jsonBytes: number[] = [];
      for (let k = 1; k <= steps; k++) {
        if (k === WARM_UP + 1) await cdp?.send('Tracing.start', { categories: TRACE_CATEGORIES, transferMode: 'ReportEvents' });
        const message = await host.next(k);
        const parts = messageByteParts(message);
        bytes.push(parts.numbers + parts.json);
        jsonBytes.push(parts.json);
        const text = pack(message);
        // An older build keeps no layout between records: it gets each step as a newly opened page does.
        const oldText = old && pack(await oldHost.message(k, 'step'));
        if (GAP_MS[mode]) await new Promise((resolve) => setTimeout(resolve, GAP_MS[mode]));
        // Alternate which build goes first, so neither always follows the other.
        if (old && k % 2 === 0) oldTimes.push(await timeStep(old, oldText!));
        const asked = current.posted.length;
        times.push(await timeStep(current, text));
        // What the page asked after this render reaches the host (outside the clock), as in the panel.
        await answerHost(current, host, asked);
        if (old && k % 2 === 1) oldTimes.push(await timeStep(old, oldText!));
      }
      if (cdp) {
        const complete = new Promise((resolve) => cdp.once('Tracing.tracingComplete', resolve));
        await cdp.send('Tracing.end');
        await complete;
      }
      await current.close();
      await old?.close();
      results.push({
        network: c.network, mode, timed: times.slice(WARM_UP), baselineTimed: old ? oldTimes.slice(WARM_UP) : undefined, bytes, jsonBytes,
        mainThread: trace ? mainThreadTime(events) : undefined,
      });
    }
  } finally {
    await browser.close();
  }
  return results;
}

/** Latency passes measured one after another (each covers every case and mode once). */
const PASSES = 3;

/**
 * The latency passes (no tracing), with the baseline build's page beside it when
 * BENCH_WEBVIEW_BASELINE names one; each row's figures are medians over the passes.
 */
export async function measureWebviewLatency(steps = 120, baselineDir = process.env.BENCH_WEBVIEW_BASELINE, passes = PASSES): Promise<LatencyFigures[]> {
  const baseline = baselineDir && existsSync(join(baselineDir, 'webview.js'))
    ? { script: join(baselineDir, 'webview.js'), css: existsSync(join(baselineDir, 'inspector.css')) ? join(baselineDir, 'inspector.css') : undefined }
    : undefined;
  const measured: Pass[][] = [];
  for (let k = 0; k < passes; k++) measured.push(await stepThrough(steps, { baseline }));
  return figures(measured);
}

/** The CPU pass: the same steps arriving the same way, traced; each row's `mainThread`. */
export async function measureMainThread(steps = 120): Promise<LatencyFigures[]> {
  return figures([await stepThrough(steps, { trace: true })]);
}

const ms = (v: number | undefined) => (v === undefined ? '—' : v.toFixed(1));
const ratio = (r: LatencyFigures) => `${(r.bytesPerStep / (8 * r.numbersShown)).toFixed(2)}×`;

export const webviewLatency: BenchSection = {
  title: 'Inspector webview: step-to-rendered latency (headless Chromium)',
  async run() {
    const rows = await measureWebviewLatency();
    const compared = rows.some((r) => r.baseline);
    const lines = [
      `Clock: step message posted → the render has brought the viewport up to date (inspector-shown), the loss chart redrawn (uPlot's microtask) + forced layout (the first ${WARM_UP} steps dropped as warm-up, while the JIT compiles the views), in ${PASSES} passes one after another (each page opened afresh, ` +
        'every case and mode measured once a pass); each figure is the median of its value in the passes (so a burst of load from the machine\'s other tenants moves one pass, not the figure), and "steps" counts them all; ' +
        '"settled": the same clock until every part of the page shows the step (inspector-rendered: the settle pass has written the parts the render left because they were far from the viewport, in the page\'s next idle time) + forced layout. ' +
        '"render" is the render function alone, between the webview\'s performance marks; "layout" the forced layout after the chart\'s redraw. ' +
        '"Numbers on screen" counts the elements carrying a number (data-value, as the screen-truth suite reads them), counted on the page after the render, never from what was sent; ' +
        '"as colour" are those of them drawn as a colour rather than written (the diagram\'s edges, an image input\'s pixels; the exact number on hover). The target is bytes posted ≤ 1.2 × 8 bytes per number shown. ' +
        '"of which JSON" is what goes around the typed arrays (names, position, scalars); the rest is float64 numbers, 8 bytes each, shown or not. ' +
        '"stepping": messages 100 ms apart, as a person pressing Step (rendered as soon as applied); ' +
        '"running": back to back, each posted as soon as the last has settled (rendered at once when an animation frame has begun since the last render, else in the next frame: one render per frame by design).',
      '',
    ];
    if (!compared) {
      lines.push('| network | steps arrive | steps | p50 (ms) | p95 (ms) | p95 in each pass (ms) | settled p50 (ms) | settled p95 (ms) | render p50 (ms) | layout p50 (ms) | bytes posted per step | of which JSON | numbers on screen | of which as colour | bytes ÷ (8 × numbers) |',
        '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
        ...rows.map((r) => `| ${r.network} | ${r.mode} | ${r.steps} | ${ms(r.current.p50)} | ${ms(r.current.p95)} | ${r.passP95.map(ms).join(', ')} | ${ms(r.current.settledP50)} | ${ms(r.current.settledP95)} | ${ms(r.current.renderP50)} | ${ms(r.current.layoutP50)} | ` +
          `${r.bytesPerStep.toLocaleString('en-US')} | ${r.jsonBytesPerStep.toLocaleString('en-US')} | ${r.numbersShown.toLocaleString('en-US')} | ${r.numbersAsColour.toLocaleString('en-US')} | ${ratio(r)} |`));
    } else {
      lines.push(`Baseline: ${process.env.BENCH_WEBVIEW_BASELINE}; steps alternate between the two builds in one browser.`, '',
        '| network | steps arrive | steps | p50 (ms) | p95 (ms) | settled p50 (ms) | settled p95 (ms) | render p50 (ms) | baseline p50 | baseline p95 | baseline ÷ current (p50, p95) | bytes posted per step | of which JSON | numbers on screen | of which as colour | bytes ÷ (8 × numbers) |',
        '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
        ...rows.map((r) => `| ${r.network} | ${r.mode} | ${r.steps} | ${ms(r.current.p50)} | ${ms(r.current.p95)} | ${ms(r.current.settledP50)} | ${ms(r.current.settledP95)} | ${ms(r.current.renderP50)} | ${ms(r.baseline?.p50)} | ${ms(r.baseline?.p95)} | ` +
          `${r.baseline ? `${(r.baseline.p50 / r.current.p50).toFixed(2)}×, ${(r.baseline.p95 / r.current.p95).toFixed(2)}×` : '—'} | ${r.bytesPerStep.toLocaleString('en-US')} | ${r.jsonBytesPerStep.toLocaleString('en-US')} | ` +
          `${r.numbersShown.toLocaleString('en-US')} | ${r.numbersAsColour.toLocaleString('en-US')} | ${ratio(r)} |`));
    }
    lines.push('', 'The network diagram (the top card) is part of what the viewport clock measures: a MutationObserver on it from inspector-shown until the page ' +
      `settled saw the settle pass change it in ${rows.map((r) => `${r.diagramAfterShown} of ${r.steps} steps (${r.network}, ${r.mode})`).join(', ')}.`,
      '', 'The steps over 16 ms and, at their median, how long after the post their render began (long when one render per frame made the step wait for the next ' +
      `animation frame), the render and the forced layout (render p50 and layout p50 above are all steps'): ${rows.map((r) => `${r.network} ${r.mode}: ${r.slowSteps.steps} of ${r.steps}` +
        (r.slowSteps.steps ? `, render began after ${ms(r.slowSteps.untilRenderP50)} ms, render ${ms(r.slowSteps.renderP50)} ms, layout ${ms(r.slowSteps.layoutP50)} ms` : '')).join('; ')}.`);
    const traced = await measureMainThread();
    lines.push('', 'The page\'s own work per step, from one more pass of the same steps with a Chromium trace running (thread time, which does not count the time the main ' +
      'thread waited for a core while other processes held it): "CPU" is the main thread\'s CPU time from the step\'s arrival until the viewport shows it, "CPU until settled" until every part does, "style" and "layout" the ' +
      'style recalculation and layout among them. Tracing slows the page, so these run above the untraced figures; a slow step whose CPU stays near the median ' +
      'lost its time waiting, not working.', '',
      '| network | steps arrive | main-thread CPU p50 (ms) | CPU p95 (ms) | CPU until settled p50 (ms) | CPU until settled p95 (ms) | style p50 (ms) | layout p50 (ms) | traced clock p95 (ms) |',
      '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
      ...traced.map((r) => `| ${r.network} | ${r.mode} | ${ms(r.mainThread?.cpuP50)} | ${ms(r.mainThread?.cpuP95)} | ${ms(r.mainThread?.settledCpuP50)} | ${ms(r.mainThread?.settledCpuP95)} | ${ms(r.mainThread?.styleP50)} | ${ms(r.mainThread?.layoutP50)} | ${ms(r.mainThread?.wallP95)} |`));
    return lines.join('\n');
  },
};
