// The latency bench's CPU pass (bench/webviewLatency.ts, stepWork) read against work whose size the
// test sets: a real Chromium trace of a page that runs, between the bench's step marks, busy loops
// of a fixed number of iterations (so their CPU time grows with the count whatever the machine's
// load), one step that adds text and forces a layout, and work just outside the marks, in the same
// tasks, that no step may count; another page keeps a second renderer busy meanwhile.
import { strict as assert } from 'node:assert';
import type { Browser } from 'playwright-core';
import { launch } from '../support/browserPage';
import { TRACE_CATEGORIES, type TraceEvent, stepWork } from '../../bench/webviewLatency';

// A string, not a function: tsx's name-keeping helpers do not exist inside the page.
const PAGE_STEP = `(async ({ spins, relayout }) => {
  const spin = (n) => { let x = 0; for (let i = 0; i < n; i++) x += Math.sqrt(i); return x; };
  spin(4e7); // before the step's first mark: counted by no step
  performance.mark('bench-step-start');
  // The step's work runs in a task of its own, as the inspector's render does after a message.
  await new Promise((done) => setTimeout(() => {
    spin(spins);
    if (relayout) {
      const list = document.getElementById('list');
      for (let i = 0; i < 3000; i++) list.append(Object.assign(document.createElement('div'), { textContent: 'row ' + i + ' ' + Math.random() }));
      void document.body.offsetHeight;
    }
    done();
  }, 0));
  performance.mark('bench-step-end');
  spin(4e7); // after the step's last mark: counted by no step
})`;

describe('the latency bench reads each step\'s main-thread work from a Chromium trace', function () {
  this.timeout(120000);
  let browser: Browser;
  before(async () => {
    browser = await launch();
  });
  after(async () => {
    await browser?.close();
  });

  it('a step\'s CPU time grows with its work, and work outside its marks or in another page is not counted', async () => {
    const page = await browser.newPage();
    const other = await browser.newPage(); // a second renderer busy at the same time
    await page.setContent('<main id="list"></main>');
    const cdp = await page.context().newCDPSession(page);
    const events: TraceEvent[] = [];
    cdp.on('Tracing.dataCollected', (data) => {
      events.push(...(data.value as unknown as TraceEvent[]));
    });
    await cdp.send('Tracing.start', { categories: TRACE_CATEGORIES, transferMode: 'ReportEvents' });
    const busyElsewhere = other.evaluate('(() => { let x = 0; for (let i = 0; i < 2e8; i++) x += Math.sqrt(i); return x; })()');
    const plan = [{ spins: 1e6, relayout: false }, { spins: 2e7, relayout: false }, { spins: 8e7, relayout: false }, { spins: 1e6, relayout: true }];
    for (const step of plan) await page.evaluate(`${PAGE_STEP}(${JSON.stringify(step)})`);
    await busyElsewhere;
    const complete = new Promise((resolve) => cdp.once('Tracing.tracingComplete', resolve));
    await cdp.send('Tracing.end');
    await complete;
    await page.close();
    await other.close();

    const steps = stepWork(events);
    assert.equal(steps.length, plan.length);
    const [small, medium, large, relayout] = steps;
    // Eighty times the loop of the first step, four times the second's: the order holds under any load.
    assert.ok(small.cpu < medium.cpu && medium.cpu < large.cpu, `CPU per step ${steps.map((s) => s.cpu.toFixed(1)).join(', ')} ms`);
    // The 4e7-iteration loops around each step's marks, in the same tasks, are not counted: one of them is
    // twice the medium step's loop, and the smallest step stays under a quarter of the medium step.
    assert.ok(small.cpu < medium.cpu / 4, `the smallest step took ${small.cpu.toFixed(1)} ms beside ${medium.cpu.toFixed(1)} ms`);
    // Thread time is never more than the step's own clock.
    for (const s of steps) assert.ok(s.cpu <= s.wall + 0.5, `CPU ${s.cpu} ms in a ${s.wall} ms step`);
    // Only the step that changed the page lays it out; its layout is part of its CPU time.
    assert.ok(relayout.layout > 0 && relayout.layout <= relayout.cpu, `layout ${relayout.layout} ms of ${relayout.cpu} ms`);
    for (const s of [small, medium, large]) assert.equal(s.layout, 0);
  });

  it('a trace without the bench\'s marks is an error, not a table of zeros', () => {
    assert.throws(() => stepWork([{ name: 'ThreadControllerImpl::RunTask', ph: 'X', ts: 1, dur: 5, tdur: 5, pid: 1, tid: 1 }]), /no step marks/);
  });
});
