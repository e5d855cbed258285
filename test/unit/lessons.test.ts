// The lessons: every example loads and opens at the state its description promises; every
// walkthrough link opens something that exists; English and Korean strings pair up; the
// explorers' numbers agree with closed forms.
import { strict as assert } from 'node:assert';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parseModelFile } from '../../src/engine/model';
import type { ModelFile } from '../../src/engine/types';
import { EXPLORER_VIEWS } from '../../src/protocol/explorers';
import { EXPLORER_STRINGS } from '../../src/webview/explorers/strings';
import { LESSON_EXAMPLES } from '../../src/extension/lessons/lessonExamples';
import { computeExplorer, datasetOf, type LessonModels } from '../../src/extension/lessons/explorerData';
import { validateExplorerMessage } from '../../src/extension/lessons/validate';
import type { InformationResult, NoiseResult, RaceResult, SurfaceResult } from '../../src/protocol/explorers';
import { TrainingSession } from '../../src/extension/session';

const ROOT = join(__dirname, '..', '..');
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');
const json = (path: string) => JSON.parse(read(path)) as Record<string, unknown>;
const pkg = json('package.json') as { contributes: { commands: Array<{ command: string }>; walkthroughs: Array<{ steps: Array<{ id: string; title: string; description: string; media: { svg: string; altText: string } }> }> } };
const nls = { en: json('package.nls.json') as Record<string, string>, ko: json('package.nls.ko.json') as Record<string, string> };
const koBundle = json('l10n/bundle.l10n.ko.json') as Record<string, string>;

function sourceFiles(dir: string): string[] {
  return readdirSync(join(ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
    const path = `${dir}/${entry.name}`;
    return entry.isDirectory() ? sourceFiles(path) : path.endsWith('.ts') ? [path] : [];
  });
}
const SOURCES = sourceFiles('src').map((path) => ({ path, text: read(path) }));

function loadExample(name: string): ModelFile {
  const parsed = parseModelFile(read(`examples/${name}.backprop.json`));
  assert.ok(parsed.model, `${name}: ${parsed.diagnostics.map((d) => `${d.path}: ${d.message}`).join('; ')}`);
  return parsed.model;
}

describe('lesson examples', () => {
  const files = readdirSync(join(ROOT, 'examples')).filter((f) => f.endsWith('.backprop.json'));

  it('every example validates against the schema and the semantic checks', () => {
    for (const file of files) {
      const parsed = parseModelFile(read(`examples/${file}`));
      assert.deepEqual(parsed.diagnostics.filter((d) => d.severity === 'error'), [], file);
    }
  });

  it('the walkthrough\'s list of examples matches the files', () => {
    for (const name of LESSON_EXAMPLES) assert.ok(files.includes(`${name}.backprop.json`), name);
  });
  // What each example's description promises: test/unit/examplePromises.test.ts.
});

describe('break a derivative in a session (lesson 6)', () => {
  const text = read('examples/06-activations-break-a-derivative.backprop.json');
  const open = () => {
    const loaded = TrainingSession.load('file:///lesson6.backprop.json', text);
    assert.ok(loaded.ok);
    return loaded.session;
  };

  it('starts over at step 0 (one history, one set of derivatives) and announces a reset', async () => {
    const session = open();
    await session.step();
    await session.step();
    const changes: string[] = [];
    session.onDidChange((change) => changes.push(change.kind));
    await session.setBrokenDerivative({ kind: 'tanh-without-square' });
    assert.deepEqual([session.completedSteps, session.latestStep, session.lossHistory(1).loss.length], [0, 0, 0]);
    assert.ok(changes.includes('reset'));
    assert.deepEqual(session.engine.network.layers.map((layer) => layer.brokenDerivative), [undefined, 'tanh-without-square', undefined, undefined]);
    await session.step();
    const explanation = session.explain(1, { layer: 0, kind: 'weight', out: 0, in: 0 })!;
    assert.ok(explanation.finiteDifference!.relativeError > 0.1, 'the inspector\'s gradient check fails');
    await session.setBrokenDerivative(undefined);
    await session.step();
    assert.ok(session.explain(1, { layer: 0, kind: 'weight', out: 0, in: 0 })!.finiteDifference!.relativeError < 1e-6);
  });

  it('refuses a derivative the model does not have, changing nothing', async () => {
    const session = open();
    await session.step();
    const sigmoidOnly = text.replace('"tanh"', '"sigmoid"').replace('"relu"', '"sigmoid"');
    await session.replaceModel(sigmoidOnly);
    assert.match(session.brokenDerivativeProblem({ kind: 'relu-always-one' })!, /no layer whose relu′/);
    await assert.rejects(session.setBrokenDerivative({ kind: 'relu-always-one' }), /nothing to break/);
    assert.equal(session.brokenDerivative, undefined);
  });

  it('keeps the broken derivative through an edit of the model while it still fits, and drops it when it does not', async () => {
    const session = open();
    await session.setBrokenDerivative({ kind: 'relu-always-one' });
    await session.replaceModel(text.replace('"learningRate": 0.1', '"learningRate": 0.05'));
    assert.deepEqual(session.brokenDerivative, { kind: 'relu-always-one' });
    await session.replaceModel(text.replace('"relu"', '"tanh"'));
    assert.equal(session.brokenDerivative, undefined);
  });
});

describe('walkthrough', () => {
  const steps = pkg.contributes.walkthroughs[0].steps;
  const contributed = new Set(pkg.contributes.commands.map((c) => c.command));
  const key = (ref: string) => ref.replace(/^%|%$/g, '');
  const links = (text: string) => [...text.matchAll(/\]\((command:[^)]+)\)/g)].map((m) => {
    const [, id, query] = /^command:([\w.]+)(?:\?(.*))?$/.exec(m[1])!;
    return { id, args: query ? (JSON.parse(decodeURIComponent(query)) as unknown[]) : [] };
  });

  it('follows the nine lessons of issue 7 and the tenth of issue 14, each with text, an image and a link that opens something', () => {
    assert.equal(steps.length, 10);
    assert.equal(steps[9].id, 'data-parallel');
    for (const step of steps) {
      for (const language of ['en', 'ko'] as const) {
        assert.ok(nls[language][key(step.title)], `${step.id} title (${language})`);
        assert.ok(links(nls[language][key(step.description)]).length >= 1, `${step.id} has no link (${language})`);
        const svg = step.media.svg.startsWith('%') ? nls[language][key(step.media.svg)] : step.media.svg;
        assert.ok(existsSync(join(ROOT, svg)), `${step.id}: ${svg} missing`);
        assert.ok(nls[language][key(step.media.altText)], `${step.id} alt text (${language})`);
      }
      assert.deepEqual(links(nls.ko[key(step.description)]), links(nls.en[key(step.description)]), `${step.id}: Korean links differ from English`);
    }
  });

  it('lesson 6\'s picture clips the curves at its box: ReLU keeps rising past the top instead of running flat along it', () => {
    const svg = read('media/walkthrough/activations.svg');
    assert.match(svg, /<g clip-path="url\(#box\)">/);
    const top = Number(/<clipPath id="box"><rect x="[\d.]+" y="([\d.]+)"/.exec(svg)![1]);
    for (const [, d] of svg.matchAll(/<path d="([^"]+)"/g)) {
      const ys = [...d.matchAll(/[ML][\d.-]+,([\d.-]+)/g)].map((m) => Number(m[1]));
      const alongTop = ys.filter((y) => Math.abs(y - top) < 0.05).length;
      assert.ok(alongTop <= 1, `a curve runs along the top edge for ${alongTop} points`);
    }
  });

  it('every command link names a contributed command registered in the source, with a valid argument', () => {
    // Registered = named as a literal in a file that registers commands (directly or via a constant table).
    const registered = (id: string) => SOURCES.some(({ text }) => text.includes(`'${id}'`) && /registerCommand\(|\bregister\(/.test(text));
    for (const step of steps) {
      for (const { id, args } of links(nls.en[key(step.description)])) {
        assert.ok(contributed.has(id), `${step.id}: ${id} is not in contributes.commands`);
        assert.ok(registered(id), `${step.id}: ${id} is not registered in src/`);
        if (id === 'backprop.openExplorer') assert.ok((EXPLORER_VIEWS as readonly unknown[]).includes(args[0]), `${step.id}: unknown view ${String(args[0])}`);
        if (id === 'backprop.openLessonExample' || id === 'backprop.breakDerivative') assert.ok(LESSON_EXAMPLES.includes(args[0] as string), `${step.id}: unknown example ${String(args[0])}`);
        if (id === 'backprop.stepThroughPytorchScript') assert.ok(existsSync(join(ROOT, args[0] as string)), `${step.id}: no script ${String(args[0])}`);
      }
    }
  });
});

// test/unit/extension/l10n.test.ts checks nls key parity, host strings, placeholders and orphans;
// this adds what it leaves to each webview: the explorer's own string list.
describe('explorer strings', () => {
  it('every explorer string has a Korean translation', () => {
    assert.deepEqual(EXPLORER_STRINGS.filter((message) => !(message in koBundle)), []);
  });
});

describe('explorer numbers (computed by the host)', () => {
  const models: LessonModels = { surface: loadExample('03-gradient-descent'), race: loadExample('07-optimizer-race-surface'), noise: loadExample('09-training-units') };

  it('gradient descent with a good α reaches the least-squares line (normal equations)', () => {
    const result = computeExplorer({ view: 'surface', learningRate: 0.1, steps: 300 }, models) as SurfaceResult;
    const rows = (models.surface.data as { x: number[][]; y: number[][] });
    const xs = rows.x.map((r) => r[0]);
    const ts = rows.y.map((r) => r[0]);
    const n = xs.length;
    const mx = xs.reduce((s, v) => s + v, 0) / n;
    const mt = ts.reduce((s, v) => s + v, 0) / n;
    const w = xs.reduce((s, v, i) => s + (v - mx) * (ts[i] - mt), 0) / xs.reduce((s, v) => s + (v - mx) ** 2, 0);
    const [wEnd, bEnd] = result.path[result.path.length - 1];
    assert.ok(Math.abs(wEnd - w) < 1e-6 && Math.abs(bEnd - (mt - w * mx)) < 1e-6, `ended at (${wEnd}, ${bEnd})`);
    assert.equal(result.diverged, false);
    assert.equal(result.grid.values.length, result.grid.bs.length);
  });

  it('α above 2/λmax of the Hessian diverges; a tiny α barely moves', () => {
    assert.equal((computeExplorer({ view: 'surface', learningRate: 1, steps: 200 }, models) as SurfaceResult).diverged, true);
    const slow = computeExplorer({ view: 'surface', learningRate: 0.01, steps: 20 }, models) as SurfaceResult;
    assert.ok(slow.losses[slow.losses.length - 1] > 0.3 * slow.losses[0]);
  });

  it('every optimizer of the race runs and lowers the loss from the shared start', () => {
    const result = computeExplorer({ view: 'race', steps: 60 }, models) as RaceResult;
    assert.equal(result.racers.length, 9);
    for (const racer of result.racers) {
      assert.equal(racer.unavailable, undefined, `${racer.name}: ${racer.unavailable}`);
      assert.deepEqual(racer.path[0], result.racers[0].path[0]);
      assert.ok(racer.losses[racer.losses.length - 1] < racer.losses[0], racer.name);
    }
  });

  describe('gradient noise (the engine\'s experiment)', () => {
    let result: NoiseResult;
    before(() => {
      result = computeExplorer({ view: 'noise', draws: 200 }, models) as NoiseResult;
    });

    it('σ is the spread of the per-sample gradients, written out for the identity unit at w = b = 0', () => {
      // J = (w·x + b − t)², so at w = b = 0 sample i's gradient is gᵢ = (−2tᵢxᵢ, −2tᵢ).
      const data = datasetOf(models.noise);
      const g = Array.from({ length: data.samples }, (_, i) => [-2 * data.y[i] * data.x[i], -2 * data.y[i]]);
      const mean = [0, 1].map((j) => g.reduce((s, gi) => s + gi[j], 0) / g.length);
      const sigma = Math.sqrt(g.reduce((s, gi) => s + (gi[0] - mean[0]) ** 2 + (gi[1] - mean[1]) ** 2, 0) / g.length);
      assert.ok(Math.abs(result.sigma / sigma - 1) < 1e-12, `${result.sigma} vs ${sigma}`);
    });

    it('the measured spread falls like σ/√n: within 20% at every n, slope near −0.5', () => {
      result.sizes.forEach((n, i) => {
        assert.ok(Math.abs(result.std[i] * Math.sqrt(n) / result.sigma - 1) < 0.2, `n=${n}: std ${result.std[i]}, σ/√n ${result.sigma / Math.sqrt(n)}`);
        assert.equal(result.predicted[i], result.sigma / Math.sqrt(n));
      });
      assert.ok(Math.abs(result.slope + 0.5) < 0.05, `slope ${result.slope}`);
    });

    it('the lecture\'s table: 100× the computation, about 10× less spread drawn independently, more without replacement', () => {
      const table = result.lecture!;
      assert.deepEqual(table.sizes, [100, 10000]);
      assert.equal(table.computationRatio, 100);
      const independent = table.withReplacement.std[0] / table.withReplacement.std[1];
      assert.ok(independent > 8 && independent < 12.5, `ratio ${independent}`);
      // N = 20,000: drawing half of it without replacement shrinks the spread by √((N − n)/(N − 1)) ≈ 0.707.
      const N = result.samples;
      const expected = 10 * Math.sqrt((N - 100) / (N - 1)) / Math.sqrt((N - 10000) / (N - 1));
      const trainer = table.withoutReplacement.std[0] / table.withoutReplacement.std[1];
      assert.ok(Math.abs(trainer / expected - 1) < 0.2, `ratio ${trainer}, expected about ${expected}`);
    });
  });

  it('information: a q of the wrong length is reported as such, not as a sum; a sum reads as a person would write it', () => {
    const wrongLength = computeExplorer({ view: 'information', p: [0.5, 0.4, 0.1], q: [0.5, 0.4], bits: false }, models) as InformationResult;
    assert.equal(wrongLength.problem, 'q has 2 probabilities but p has 3 outcomes; give one per outcome');
    const thirds = computeExplorer({ view: 'information', p: [1, 0, 0], q: [0.3, 0.3, 0.3], bits: false }, models) as InformationResult;
    assert.equal(thirds.problem, 'q sums to 0.9, not 1');
  });

  it('expression errors come back with their column', () => {
    assert.throws(() => computeExplorer({ view: 'expression', source: '(2*x + y', values: { x: 1, y: 2 } }, models), (e: Error & { column?: number }) => e.column === 9);
  });
});

describe('explorer message validation', () => {
  it('accepts well-formed requests and rebuilds them from checked fields', () => {
    const checked = validateExplorerMessage({ type: 'request', request: { view: 'norms', orders: [1, 'inf'], a: [1, 2], b: [0, 1], extra: 1 } });
    assert.deepEqual(checked, { ok: true, message: { type: 'request', request: { view: 'norms', orders: [1, 'inf'], a: [1, 2], b: [0, 1] } } });
  });

  const bad: Array<[unknown, RegExp]> = [
    [{ type: 'request', request: { view: 'nope' } }, /request.view: unknown view "nope"/],
    [{ type: 'request', request: { view: 'norms', orders: [0.5], a: [1, 2], b: [0, 1] } }, /request.orders\[0\]: 0.5 is out of range 1..1000/],
    [{ type: 'request', request: { view: 'surface', learningRate: 'big', steps: 5 } }, /request.learningRate: expected a finite number/],
    [{ type: 'request', request: { view: 'expression', source: 'x', values: { 'a b': 1 } } }, /"a b" is not a variable name/],
    [{ type: 'request', request: { view: 'race', steps: 1e9 } }, /request.steps: 1000000000 is out of range/],
    [{ type: 'hello' }, /message.type: unknown message type "hello"/],
    [null, /message: expected an object/],
  ];
  for (const [message, reason] of bad) {
    it(`rejects ${JSON.stringify(message)}`, () => {
      const checked = validateExplorerMessage(message);
      assert.equal(checked.ok, false);
      if (!checked.ok) assert.match(checked.reason, reason);
    });
  }
});
