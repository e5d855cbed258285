// The page's loss history grows in place (src/webview/store.ts, extendedSeries): a step appends its
// losses after the series instead of copying every step before it. Held here to plain arrays cut
// and joined as the page once did (slice, then concat), over a seeded run of appends, moves back,
// gaps and resets, with every array handed out earlier checked to be unchanged.
import { strict as assert } from 'node:assert';
import { extendedSeries } from '../../src/webview/store';
import { Rng } from '../../src/engine/rng';

describe('the page\'s loss series', () => {
  it('equals slice-then-concat after every change, and never changes an array it handed out before', () => {
    const rng = new Rng(7);
    let series: Float64Array = new Float64Array(0);
    let plain: number[] = [];
    const handedOut: Array<{ view: Float64Array; values: number[] }> = [];
    for (let change = 0; change < 3000; change++) {
      const kind = rng.uniform();
      // Mostly a step's append; sometimes a move back (a cut), a gap past the end, or a reset.
      const keep = kind < 0.8 ? plain.length : kind < 0.9 ? Math.floor(rng.uniform() * (plain.length + 1)) : kind < 0.95 ? plain.length + 3 : 0;
      const values = Array.from({ length: 1 + Math.floor(rng.uniform() * 40) }, () => rng.uniform());
      series = extendedSeries(series, keep, Float64Array.from(values));
      plain = plain.slice(0, keep).concat(values);
      assert.deepEqual(Array.from(series), plain, `change ${change}`);
      handedOut.push({ view: series, values: [...plain] });
    }
    for (const [k, { view, values }] of handedOut.entries()) assert.deepEqual(Array.from(view), values, `array ${k} changed after it was handed out`);
  });

  it('appends in the same buffer until it is full, then moves to one twice the length', () => {
    let series = extendedSeries(new Float64Array(0), 0, [1]);
    const buffer = series.buffer;
    for (let step = 2; step <= 1024; step++) series = extendedSeries(series, series.length, [step]);
    assert.equal(series.buffer, buffer, 'a thousand appends, one buffer');
    series = extendedSeries(series, series.length, [1025]);
    assert.notEqual(series.buffer, buffer);
    assert.equal(series.buffer.byteLength, 2 * 1025 * Float64Array.BYTES_PER_ELEMENT);
    assert.deepEqual([series.length, series[0], series[1024]], [1025, 1, 1025]);
  });
});
