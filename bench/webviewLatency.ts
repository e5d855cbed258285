// Step-to-rendered latency of the inspector webview in headless Chromium, and bytes posted per
// step, for the 2-8-8-1 and 784-128-10 networks (issue 4's performance targets: p95 ≤ 16 ms and
// ≤ 100 ms). The clock starts when the step message is posted to the page and stops after the
// render that follows it (one requestAnimationFrame later) plus a forced layout, so the figure
// includes the wait for the next frame that coalescing costs. Structured-clone transport inside
// VS Code is not included.
import type { BenchSection } from './measure';
import { launch, openInspector, pack } from '../test/support/browserPage';
import { StandInHost } from '../test/support/standInHost';
import { runSteps, syntheticModel } from '../test/support/engineSteps';
import { messageBytes } from '../src/protocol/traceCodec';

export interface LatencyFigures {
  network: string;
  steps: number;
  p50: number; // ms
  p95: number; // ms
  bytesPerStep: number; // median over the steps
}

const quantile = (sorted: number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];

export async function measureWebviewLatency(steps = 40): Promise<LatencyFigures[]> {
  const cases = [
    { network: '2-8-8-1', model: syntheticModel([2, 8, 8, 1], ['tanh', 'tanh', 'sigmoid'], 'binary-cross-entropy', 64), batch: 8 },
    { network: '784-128-10', model: syntheticModel([784, 128, 10], ['relu', 'softmax'], 'cross-entropy', 64), batch: 32 },
  ];
  const browser = await launch();
  const results: LatencyFigures[] = [];
  try {
    for (const c of cases) {
      const run = runSteps(c.model, steps, c.batch);
      const host = new StandInHost(run);
      const view = await openInspector({ theme: 'dark', browser });
      await view.send(host.init());
      const times: number[] = [];
      const bytes: number[] = [];
      for (let k = 1; k <= steps; k++) {
        const message = host.step(k, true);
        bytes.push(messageBytes(message));
        times.push(await view.page.evaluate((text) => new Promise<number>((done) => {
          const message = (window as unknown as { __unpack(t: string): unknown }).__unpack(text);
          const start = performance.now();
          document.body.addEventListener('inspector-rendered', () => {
            void document.body.offsetHeight;
            done(performance.now() - start);
          }, { once: true });
          window.postMessage(message, '*');
        }), pack(message)));
      }
      await view.close();
      const warm = times.slice(3).sort((a, b) => a - b);
      results.push({
        network: c.network, steps: warm.length, p50: quantile(warm, 0.5), p95: quantile(warm, 0.95),
        bytesPerStep: [...bytes].sort((a, b) => a - b)[Math.floor(bytes.length / 2)],
      });
    }
  } finally {
    await browser.close();
  }
  return results;
}

export const webviewLatency: BenchSection = {
  title: 'Inspector webview: step-to-rendered latency (headless Chromium)',
  async run() {
    const rows = await measureWebviewLatency();
    return [
      'Clock: step message posted → next animation-frame render done + forced layout (first 3 steps dropped as warm-up).',
      '',
      '| network | steps | p50 (ms) | p95 (ms) | bytes posted per step |',
      '| --- | ---: | ---: | ---: | ---: |',
      ...rows.map((r) => `| ${r.network} | ${r.steps} | ${r.p50.toFixed(1)} | ${r.p95.toFixed(1)} | ${r.bytesPerStep.toLocaleString('en-US')} |`),
    ].join('\n');
  },
};
