// Data-parallel traces (issue 14): the reader takes each rank's local gradients and the header's
// rank and worldSize, names the field of a bad one; rankFileNames finds a rank's sibling files by
// the recorder's {rank} naming; rankTracesProblem says which file does not fit; buildRankGradients'
// mean and max |mean − reduced| against numbers worked by hand.
import { strict as assert } from 'node:assert';
import { readJsonLinesTrace } from '../../src/protocol/traceFile';
import { buildRankGradients, rankFileNames, rankTracesProblem } from '../../src/extension/rankGradients';

const header = (rank: number, worldSize: number) => JSON.stringify({ format: 'backprop-stepper-trace', version: 1, rank, worldSize });
/** A one-layer (2 inputs → 1 unit) step of rank `rank` with its local gradient and the reduced one. */
function stepLine(local: { w: number[]; b: number }, reduced: { w: number[]; b: number }, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({
    step: 1, epoch: 1, batch: [0], loss: 0.5,
    layers: [{ units: 1, activation: 'identity', input: [[1, 2]], weights: [[0.1, 0.2]], bias: [0], gradWeights: [reduced.w], gradBias: [reduced.b], localGradWeights: [local.w], localGradBias: [local.b], ...extra }],
  });
}
const trace = (rank: number, local: { w: number[]; b: number }, reduced = { w: [2, 3], b: 0.5 }) =>
  readJsonLinesTrace(`${header(rank, 2)}\n${stepLine(local, reduced)}\n`, `dp.rank${rank}.trace.jsonl`);

describe('data-parallel traces: local gradients, rank files, the ranks side by side', () => {
  it('reads the header\'s rank and worldSize and each layer\'s local gradient', () => {
    const contents = trace(1, { w: [1, 4], b: 0.25 });
    assert.equal(contents.problem, undefined);
    assert.deepEqual([contents.header?.rank, contents.header?.worldSize], [1, 2]);
    assert.deepEqual(Array.from(contents.localGradients![0]![0].weights), [1, 4]);
    assert.deepEqual(Array.from(contents.localGradients![0]![0].bias), [0.25]);
  });

  it('names the line and field of a local gradient of the wrong shape, and a rank outside the world', () => {
    const bad = readJsonLinesTrace(`${header(0, 2)}\n${stepLine({ w: [1, 4], b: 0 }, { w: [2, 3], b: 0 }, { localGradWeights: [[1, 2, 3]] })}\n`, 'dp.rank0.trace.jsonl');
    assert.match(bad.problem!.message, /^dp\.rank0\.trace\.jsonl:2: layers\[0\]\.localGradWeights/);
    const outside = readJsonLinesTrace(`${header(2, 2)}\n`, 'x.jsonl');
    assert.match(outside.problem!.message, /^x\.jsonl:1: the header's rank must be a whole number from 0 to worldSize − 1, got 2/);
  });

  it('rankFileNames: every rank\'s file by the recorder\'s naming, rank1 not taken for the start of rank10', () => {
    assert.deepEqual(rankFileNames('/w/dp.rank1.trace.jsonl', { format: 'backprop-stepper-trace', version: 1, rank: 1, worldSize: 3 }),
      ['/w/dp.rank0.trace.jsonl', '/w/dp.rank1.trace.jsonl', '/w/dp.rank2.trace.jsonl']);
    assert.equal(rankFileNames('/w/dp.rank10.trace.jsonl', { format: 'backprop-stepper-trace', version: 1, rank: 1, worldSize: 12 }), undefined);
    assert.equal(rankFileNames('/w/run.trace.jsonl', { format: 'backprop-stepper-trace', version: 1, rank: 0, worldSize: 2 }), undefined);
    assert.equal(rankFileNames('/w/dp.rank0.trace.jsonl', { format: 'backprop-stepper-trace', version: 1 }), undefined);
  });

  it('rankTracesProblem names the file that is not the rank its name says', () => {
    const names = ['dp.rank0.trace.jsonl', 'dp.rank1.trace.jsonl'];
    assert.equal(rankTracesProblem([trace(0, { w: [1, 2], b: 0 }), trace(1, { w: [3, 4], b: 1 })], names), undefined);
    assert.equal(rankTracesProblem([trace(0, { w: [1, 2], b: 0 }), trace(0, { w: [3, 4], b: 1 })], names), 'dp.rank1.trace.jsonl is not rank 1 of 2 (its header says rank 0 of 2)');
  });

  it('the mean of the ranks and max |mean − reduced|, worked by hand', () => {
    // ranks (1, 4 | 0.25) and (3, 2 | 0.75): mean (2, 3 | 0.5); the reduced (2, 3.5 | 0.5) is off by 0.5 in W[0][1]
    const ranks = [trace(0, { w: [1, 4], b: 0.25 }, { w: [2, 3.5], b: 0.5 }), trace(1, { w: [3, 2], b: 0.75 }, { w: [2, 3.5], b: 0.5 })];
    const built = buildRankGradients(ranks[0].records[0], ranks)!;
    assert.deepEqual(built.ranks, [0, 1]);
    assert.deepEqual(Array.from(built.layers[0].mean.weights), [2, 3]);
    assert.deepEqual(Array.from(built.layers[0].mean.bias), [0.5]);
    assert.deepEqual(Array.from(built.layers[0].reduced.weights), [2, 3.5]);
    assert.equal(built.layers[0].maxDifference, 0.5);
  });
});
