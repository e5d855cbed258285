// Step-to-rendered latency of the inspector webview in headless Chromium, and bytes posted per
// step against the numbers the page then shows, for the 2-8-8-1 and 784-128-10 networks (issue 16
// item 3's targets: p95 ≤ 16 ms; bytes posted ≤ 1.2 × 8 bytes per number shown). The clock starts when the step message is posted to the page and stops after the
// render that follows it (one requestAnimationFrame later), the loss chart's redraw (a microtask) and a forced layout, so the figure
// includes the wait for the next frame that coalescing costs; the render alone (between the
// webview's performance marks) is reported beside it. Structured-clone transport inside VS Code is
// not included.
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

export interface Latency {
  p50: number; // ms, step posted → rendered and laid out
  p95: number;
  renderP50?: number; // ms, the render function alone (absent for builds without the marks)
  layoutP50: number; // ms, the forced layout after the render (style and layout of the page)
}

export interface LatencyFigures {
  network: string;
  mode: 'stepping' | 'running';
  steps: number;
  current: Latency;
  baseline?: Latency;
  bytesPerStep: number; // median over the steps
  /** Of those, the JSON around the numbers (names, position, scalars), median over the steps. */
  jsonBytesPerStep: number;
  /** Numbers on screen after a step (elements carrying data-value), median over the steps. */
  numbersShown: number;
  /** Of those, the ones drawn as colour rather than written: the diagram's edges and an image input's pixels. */
  numbersAsColour: number;
}

const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];
const median = (values: number[]) => quantile([...values].sort((a, b) => a - b), 0.5);

/** One step's figures: [total ms, render ms, layout ms, numbers on screen, of which drawn as colour]. */
type Sample = [number, number, number, number, number];

async function timeStep(view: InspectorPage, text: string): Promise<Sample> {
  return view.page.evaluate((text) => new Promise<Sample>((done) => {
    const message = (window as unknown as { __unpack(t: string): unknown }).__unpack(text);
    const start = performance.now();
    document.body.addEventListener('inspector-rendered', () => {
      // The loss chart (uPlot) redraws in a microtask queued during the render: one queued now runs
      // after it, so the clock counts the chart's redraw too (it once stopped before it).
      queueMicrotask(() => {
        const rendered = performance.now();
        void document.body.offsetHeight;
        const total = performance.now() - start;
        const [a] = performance.getEntriesByName('inspector-render-start');
        const [b] = performance.getEntriesByName('inspector-render-end');
        // Counted after the clock stops: the numbers a reader can see (screen-truth's data-value), and
        // of those the ones drawn as colour (an edge's stroke, a pixel's grey; exact on hover).
        done([total, a && b ? b.startTime - a.startTime : NaN, performance.now() - rendered, document.querySelectorAll('[data-value]').length,
          document.querySelectorAll('line.edge[data-value], rect.pixel[data-value]').length]);
      });
    }, { once: true });
    window.postMessage(message, '*');
  }), text);
}

/** Steps dropped before timing: the first renders run before the JIT has compiled the views. */
const WARM_UP = 20;

function summarize(samples: Sample[]): Latency {
  const warm = samples.slice(WARM_UP);
  const totals = warm.map((s) => s[0]).sort((a, b) => a - b);
  const renders = warm.map((s) => s[1]).filter((v) => !Number.isNaN(v));
  return { p50: quantile(totals, 0.5), p95: quantile(totals, 0.95), renderP50: renders.length ? median(renders) : undefined, layoutP50: median(warm.map((s) => s[2])) };
}

/**
 * Two ways steps arrive: `stepping`, a person pressing Step (messages 100 ms apart, so each one is
 * rendered on the leading edge as soon as it is applied), and `running`, back to back as fast as
 * the page renders them (each arrives within a frame of the last render, so it waits for the next
 * animation frame: the coalescing that keeps a 60 steps/s run at one render per frame).
 */
const GAP_MS = { stepping: 100, running: 0 } as const;

export async function measureWebviewLatency(steps = 120, baselineDir = process.env.BENCH_WEBVIEW_BASELINE): Promise<LatencyFigures[]> {
  const cases = [
    { network: '2-8-8-1', model: syntheticModel([2, 8, 8, 1], ['tanh', 'tanh', 'sigmoid'], 'binary-cross-entropy', 64), batch: 8 },
    { network: '784-128-10', model: syntheticModel([784, 128, 10], ['relu', 'softmax'], 'cross-entropy', 64), batch: 32 },
  ];
  const baseline = baselineDir && existsSync(join(baselineDir, 'webview.js'))
    ? { script: join(baselineDir, 'webview.js'), css: existsSync(join(baselineDir, 'inspector.css')) ? join(baselineDir, 'inspector.css') : undefined }
    : undefined;
  const browser = await launch();
  const results: LatencyFigures[] = [];
  try {
    for (const c of cases) for (const mode of ['stepping', 'running'] as const) {
      const run = runSteps(c.model, steps, c.batch);
      const host = SessionHost.open(run.model);
      const oldHost = SessionHost.open(run.model);
      const current = await openInspector({ theme: 'dark', browser });
      const old = baseline ? await openInspector({ theme: 'dark', browser, ...baseline }) : undefined;
      await current.send(host.init());
      await old?.send(oldHost.init());
      const times: Sample[] = [];
      const oldTimes: Sample[] = [];
      const bytes: number[] = [];
      const jsonBytes: number[] = [];
      for (let k = 1; k <= steps; k++) {
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
      await current.close();
      await old?.close();
      results.push({
        network: c.network, mode, steps: steps - WARM_UP, current: summarize(times), baseline: old ? summarize(oldTimes) : undefined, bytesPerStep: median(bytes),
        jsonBytesPerStep: median(jsonBytes),
        numbersShown: median(times.slice(WARM_UP).map((t) => t[3])),
        numbersAsColour: median(times.slice(WARM_UP).map((t) => t[4])),
      });
    }
  } finally {
    await browser.close();
  }
  return results;
}

const ms = (v: number | undefined) => (v === undefined ? '—' : v.toFixed(1));
const ratio = (r: LatencyFigures) => `${(r.bytesPerStep / (8 * r.numbersShown)).toFixed(2)}×`;

export const webviewLatency: BenchSection = {
  title: 'Inspector webview: step-to-rendered latency (headless Chromium)',
  async run() {
    const rows = await measureWebviewLatency();
    const compared = rows.some((r) => r.baseline);
    const lines = [
      `Clock: step message posted → render done, the loss chart redrawn (uPlot's microtask) + forced layout (the first ${WARM_UP} steps dropped as warm-up, while the JIT compiles the views); ` +
        '"render" is the render function alone, between the webview\'s performance marks; "layout" the forced layout after the chart\'s redraw. ' +
        '"Numbers on screen" counts the elements carrying a number (data-value, as the screen-truth suite reads them), counted on the page after the render, never from what was sent; ' +
        '"as colour" are those of them drawn as a colour rather than written (the diagram\'s edges, an image input\'s pixels; the exact number on hover). The target is bytes posted ≤ 1.2 × 8 bytes per number shown. ' +
        '"of which JSON" is what goes around the typed arrays (names, position, scalars); the rest is float64 numbers, 8 bytes each, shown or not. ' +
        '"stepping": messages 100 ms apart, as a person pressing Step (rendered as soon as applied); ' +
        '"running": back to back, each arriving within a frame of the last render and so waiting for the next animation frame (one render per frame by design).',
      '',
    ];
    if (!compared) {
      lines.push('| network | steps arrive | steps | p50 (ms) | p95 (ms) | render p50 (ms) | layout p50 (ms) | bytes posted per step | of which JSON | numbers on screen | of which as colour | bytes ÷ (8 × numbers) |',
        '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
        ...rows.map((r) => `| ${r.network} | ${r.mode} | ${r.steps} | ${ms(r.current.p50)} | ${ms(r.current.p95)} | ${ms(r.current.renderP50)} | ${ms(r.current.layoutP50)} | ` +
          `${r.bytesPerStep.toLocaleString('en-US')} | ${r.jsonBytesPerStep.toLocaleString('en-US')} | ${r.numbersShown.toLocaleString('en-US')} | ${r.numbersAsColour.toLocaleString('en-US')} | ${ratio(r)} |`));
    } else {
      lines.push(`Baseline: ${process.env.BENCH_WEBVIEW_BASELINE}; steps alternate between the two builds in one browser.`, '',
        '| network | steps arrive | steps | p50 (ms) | p95 (ms) | render p50 (ms) | baseline p50 | baseline p95 | baseline ÷ current (p50, p95) | bytes posted per step | of which JSON | numbers on screen | of which as colour | bytes ÷ (8 × numbers) |',
        '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
        ...rows.map((r) => `| ${r.network} | ${r.mode} | ${r.steps} | ${ms(r.current.p50)} | ${ms(r.current.p95)} | ${ms(r.current.renderP50)} | ${ms(r.baseline?.p50)} | ${ms(r.baseline?.p95)} | ` +
          `${r.baseline ? `${(r.baseline.p50 / r.current.p50).toFixed(2)}×, ${(r.baseline.p95 / r.current.p95).toFixed(2)}×` : '—'} | ${r.bytesPerStep.toLocaleString('en-US')} | ${r.jsonBytesPerStep.toLocaleString('en-US')} | ` +
          `${r.numbersShown.toLocaleString('en-US')} | ${r.numbersAsColour.toLocaleString('en-US')} | ${ratio(r)} |`));
    }
    return lines.join('\n');
  },
};
