// Loss: this batch's J before and after the update (ΔJ), its data and regularization parts, the
// batch loss over the steps, the per-epoch train/validation loss and accuracy (two uPlot charts,
// fed with setData, never re-created per step), and for classifiers the predicted distribution of
// the chosen sample with its information figures. Chart widths come from a ResizeObserver, so a
// render never reads layout. Step and epoch axes tick at whole numbers only; a split the model does
// not have gets no series and no legend entry; the class bars take the classes' colours, as the
// data plot does. Each figure's name has a tooltip with its meaning and formula.
import uPlot from 'uplot';
import type { EpochEvaluation, SamplePrediction } from '../../protocol/messages';
import type { Evaluation } from '../../engine/evaluation';
import type { Context } from '../store';
import type { WebviewString } from '../../protocol/webviewStrings';
import { el, section, setClass, setHidden, setText } from '../dom';
import { markNumber, numberSpan, percent, setNumber } from '../format';
import { type Palette, readPalette } from '../theme';
import type { View } from './view';
import { LOSS_QUANTITIES } from '../quantities';

const CHART_HEIGHT = 150;
/** Tick spacings for steps and epochs: whole numbers only (uPlot picks the first that fits). */
const WHOLE_NUMBER_TICKS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10000, 20000, 50000, 100000];

/** One series of the epoch chart; `colour` indexes the palette's series, so it stays when others are left out. */
interface EpochColumn {
  label: WebviewString;
  pick: (e: EpochEvaluation) => number | undefined;
  accuracy: boolean;
  validation: boolean;
  colour: number;
}

/** 1, 2, …: the step chart's x values, kept and extended (building them anew was a pass over the whole history every step). */
let stepNumberBuffer = new Float64Array(0);
function stepNumbers(count: number): Float64Array {
  if (count > stepNumberBuffer.length) {
    stepNumberBuffer = new Float64Array(Math.max(count, 2 * stepNumberBuffer.length, 1024));
    for (let i = 0; i < stepNumberBuffer.length; i++) stepNumberBuffer[i] = i + 1;
  }
  return stepNumberBuffer.subarray(0, count);
}

export function createLoss(ctx: Context): View {
  const { state, t } = ctx;
  const card = section('loss', t('Loss'));
  const figures = el('dl', { className: 'figures loss-figures' });
  const figure = (q: (typeof LOSS_QUANTITIES)[keyof typeof LOSS_QUANTITIES], id: string) => {
    const value = numberSpan(undefined, undefined, { id });
    figures.append(el('dt', { className: 'explained', text: t(q.title), title: t(q.meaning) }), el('dd', {}, value));
    return value;
  };
  const before = figure(LOSS_QUANTITIES.before, 'loss-before-value');
  const after = figure(LOSS_QUANTITIES.after, 'loss-after-value');
  const delta = figure(LOSS_QUANTITIES.delta, 'loss-delta-value');
  const dataPart = figure(LOSS_QUANTITIES.data, 'loss-data-value');
  const regPart = figure(LOSS_QUANTITIES.reg, 'loss-reg-value');

  const stepBox = el('div', { className: 'chart', id: 'loss-chart' });
  const epochHeading = el('h3', { text: t('Loss per epoch') });
  const epochBox = el('div', { className: 'chart', id: 'epoch-chart' });
  const epochFigures = el('dl', { className: 'figures', id: 'epoch-figures' });
  const epochSection = el('div', { className: 'epochs' }, epochHeading, epochBox, epochFigures);
  const testFigures = el('dl', { className: 'figures', id: 'test-figures' });
  const testWarning = el('p', { className: 'warning', id: 'test-warning', attrs: { role: 'status' } });
  const testSection = el('div', { className: 'test-looks', id: 'test-looks' }, el('h3', { text: t('Test set') }), testFigures, testWarning);
  const prediction = el('div', { className: 'prediction', id: 'prediction' });
  card.body.append(figures, stepBox, epochSection, testSection, prediction);

  let palette: Palette | undefined;
  let width = 320;
  let stepChart: uPlot | undefined;
  let epochChart: uPlot | undefined;
  let plottedHistory: unknown;
  let plottedEpochs: EpochEvaluation[] | undefined;
  let shownTestLooks: Evaluation[] | undefined;
  let chartsFor: unknown;
  let epochColumnsShown: EpochColumn[] = [];
  new ResizeObserver((entries) => {
    const w = Math.max(220, Math.floor(entries[0].contentRect.width));
    if (Math.abs(w - width) < 4) return;
    width = w;
    stepChart?.setSize({ width, height: CHART_HEIGHT });
    epochChart?.setSize({ width, height: CHART_HEIGHT });
  }).observe(stepBox);

  function axes(p: Palette, xLabel: string): uPlot.Axis[] {
    const axis = { stroke: p.muted, grid: { stroke: p.grid, width: 1 }, ticks: { stroke: p.grid, width: 1 }, font: `11px ${p.monospace}` };
    return [{ ...axis, label: xLabel, labelSize: 16, labelFont: '11px sans-serif' }, { ...axis, size: 52 }];
  }

  function makeStepChart(p: Palette): uPlot {
    const [xAxis, yAxis] = axes(p, t('step'));
    xAxis.incrs = WHOLE_NUMBER_TICKS;
    const online = state.model?.dataset.online;
    return new uPlot({
      width, height: CHART_HEIGHT, legend: { show: true, live: false }, cursor: { drag: { x: false, y: false } },
      scales: { x: { time: false } }, axes: [xAxis, yAxis],
      series: [
        { label: t('step') },
        { label: t('Batch loss before the update'), stroke: p.series[0], width: 1.5 },
        { label: t('Batch loss after the update'), stroke: p.series[1], width: 1.5, dash: [4, 3] },
        ...(online ? [{ label: t('Moving average of the last {0} steps', online.averageWindow), stroke: p.series[2], width: 2.5 }] : []),
      ],
    }, online ? [[], [], [], []] : [[], [], []], stepBox);
  }

  /** The epoch chart's series: train, and validation only when the model has a validation split. */
  function epochColumns(classification: boolean, validation: boolean): EpochColumn[] {
    const columns: EpochColumn[] = [
      { label: 'Train loss (epoch)', pick: (e) => e.trainLoss, accuracy: false, validation: false, colour: 0 },
      { label: 'Validation loss (epoch)', pick: (e) => e.validationLoss, accuracy: false, validation: true, colour: 1 },
      { label: 'Train accuracy', pick: (e) => e.trainAccuracy, accuracy: true, validation: false, colour: 2 },
      { label: 'Validation accuracy', pick: (e) => e.validationAccuracy, accuracy: true, validation: true, colour: 3 },
    ];
    return columns.filter((c) => (classification || !c.accuracy) && (validation || !c.validation));
  }

  function makeEpochChart(p: Palette, columns: EpochColumn[]): uPlot {
    const [xAxis, yAxis] = axes(p, t('epoch'));
    xAxis.incrs = WHOLE_NUMBER_TICKS;
    const series: uPlot.Series[] = [{ label: t('epoch') }, ...columns.map((c): uPlot.Series => (c.accuracy
      ? { label: t(c.label), stroke: p.series[c.colour], width: 1.5, dash: [4, 3], scale: 'accuracy', points: { show: true, size: 4 } }
      : { label: t(c.label), stroke: p.series[c.colour], width: 2, points: { show: true, size: 5 } }))];
    const chartAxes = [xAxis, yAxis];
    if (columns.some((c) => c.accuracy)) {
      chartAxes.push({ ...yAxis, scale: 'accuracy', side: 1, grid: { show: false }, size: 44, values: (_u, ticks) => ticks.map((v) => `${Math.round(v * 100)}%`) });
    }
    return new uPlot({
      width, height: CHART_HEIGHT, legend: { show: true, live: false }, cursor: { drag: { x: false, y: false } },
      scales: { x: { time: false }, accuracy: { auto: false, range: [0, 1] } }, axes: chartAxes, series,
    }, series.map(() => []) as unknown as uPlot.AlignedData, epochBox);
  }

  function renderEpochs(epochs: EpochEvaluation[]): void {
    epochSection.hidden = epochs.length === 0;
    if (epochs.length === 0 || !epochChart) return;
    const data: uPlot.AlignedData = [epochs.map((e) => e.epoch), ...epochColumnsShown.map((c) => epochs.map((e) => c.pick(e) ?? null))];
    epochChart.setData(data);
    const last = epochs[epochs.length - 1];
    const at = `epochs[${epochs.length - 1}]`;
    // The epoch the figures belong to gets a row of its own: every figure below is that epoch's.
    const rows: [string, HTMLElement][] = [
      [t('epoch'), numberSpan(last.epoch, `${at}.epoch`, { id: 'epoch-figures-epoch', text: String })],
      [t('Train loss (epoch)'), numberSpan(last.trainLoss, `${at}.trainLoss`, { id: 'epoch-train-loss' })],
    ];
    if (last.validationLoss !== undefined) rows.push([t('Validation loss (epoch)'), numberSpan(last.validationLoss, `${at}.validationLoss`, { id: 'epoch-validation-loss' })]);
    if (last.trainAccuracy !== undefined) rows.push([t('Train accuracy'), numberSpan(last.trainAccuracy, `${at}.trainAccuracy`, { id: 'train-accuracy', text: percent })]);
    if (last.validationAccuracy !== undefined) rows.push([t('Validation accuracy'), numberSpan(last.validationAccuracy, `${at}.validationAccuracy`, { id: 'validation-accuracy', text: percent })]);
    epochFigures.replaceChildren(...rows.flatMap(([label, value]) => [el('dt', { text: label }), el('dd', {}, value)]));
  }

  /** Every look at the test split (Evaluate on Test Set), and from the second on the warning that it is now a validation set. */
  function renderTestLooks(looks: Evaluation[]): void {
    testSection.hidden = looks.length === 0;
    testFigures.replaceChildren(...looks.flatMap((look, i) => {
      const rows = [el('dt', { text: t('Test loss (step {0})', look.step) }), el('dd', {}, numberSpan(look.loss, `testLooks[${i}].loss`))];
      if (look.accuracy !== undefined) {
        rows.push(el('dt', { text: t('Test accuracy') }), el('dd', {}, numberSpan(look.accuracy, `testLooks[${i}].accuracy`, { text: percent })));
      }
      return rows;
    }));
    testWarning.hidden = looks.length < 2;
    setText(testWarning, t('Opened {0} times, at steps {1}: after the first look the test set is a validation set.', looks.length, looks.map((look) => look.step).join(', ')));
  }

  /** The prediction panel's elements, made once per number of classes and updated in place. */
  let bars: { classes: number; fills: HTMLElement[]; colours: string[]; values: HTMLElement[]; rows: HTMLElement[] } | undefined;
  const heading = el('h3');
  const info = el('dl', { className: 'figures' });
  const infoValue = (label: string, id: string) => {
    const value = numberSpan(undefined, undefined, { id });
    info.append(el('dt', { text: label }), el('dd', {}, value));
    return value;
  };
  const entropyValue = infoValue(t('entropy H(p)'), 'prediction-entropy');
  const crossEntropyValue = infoValue(t('cross-entropy'), 'prediction-cross-entropy');
  const selfInformationValue = infoValue(t('self-information −log p(true class)'), 'prediction-self-information');

  function renderPrediction(p: SamplePrediction | undefined): void {
    setHidden(prediction, !p);
    if (!p) return;
    const classes = p.probabilities.length;
    if (bars?.classes !== classes) {
      const names = state.model?.dataset.classNames;
      bars = { classes, fills: [], colours: [], values: [], rows: [] };
      const list = el('div', { className: 'bars' });
      for (let k = 0; k < classes; k++) {
        const fill = el('div', { className: 'bar' });
        const value = numberSpan(undefined, undefined);
        const row = el('div', { className: 'bar-row', attrs: { 'data-class': String(k) } },
          el('span', { className: 'bar-label', text: names?.[k] ?? t('class {0}', k) }), el('div', { className: 'bar-track' }, fill), value);
        bars.fills.push(fill);
        bars.values.push(value);
        bars.rows.push(row);
        list.append(row);
      }
      prediction.replaceChildren(heading, list, info);
    }
    setText(heading, `${t('Predicted distribution')} · ${t('Sample {0}', p.sample + 1)}`);
    for (let k = 0; k < classes; k++) {
      // Each write, even of the same value, makes the browser recompute the bar's style: only changes are written.
      const fill = bars.fills[k];
      const width = `${(p.probabilities[k] * 100).toFixed(2)}%`;
      if (fill.style.width !== width) fill.style.width = width;
      const colour = palette!.classes[k % palette!.classes.length];
      if (bars.colours[k] !== colour) {
        bars.colours[k] = colour;
        fill.style.background = colour;
      }
      const isTrue = k === p.trueClass;
      setClass(fill, 'true', isTrue);
      setClass(bars.rows[k], 'true', isTrue);
      setNumber(bars.values[k], p.probabilities[k], `prediction.probabilities[${k}]`);
    }
    setNumber(entropyValue, p.entropy, 'prediction.entropy');
    setNumber(crossEntropyValue, p.crossEntropy, 'prediction.crossEntropy');
    setNumber(selfInformationValue, p.selfInformation, 'prediction.selfInformation');
  }

  return {
    root: card.root,
    render(themeChanged) {
      const record = state.record;
      setNumber(before, record?.loss, 'loss');
      setNumber(after, record?.lossAfter, 'lossAfter');
      setNumber(delta, record?.loss !== undefined && record.lossAfter !== undefined ? record.lossAfter - record.loss : undefined, 'lossAfter - loss');
      setNumber(dataPart, record?.dataLoss, 'dataLoss');
      setNumber(regPart, record?.regLoss, 'regLoss');

      const classification = state.model?.dataset.task === 'classification';
      if (!palette || themeChanged || chartsFor !== state.model) {
        chartsFor = state.model;
        palette = readPalette();
        stepChart?.destroy();
        epochChart?.destroy();
        stepChart = makeStepChart(palette);
        epochColumnsShown = epochColumns(classification, (state.model?.dataset.validation ?? 0) > 0);
        epochChart = makeEpochChart(palette, epochColumnsShown);
        plottedHistory = undefined;
        plottedEpochs = undefined;
      }
      const h = state.history;
      if (plottedHistory !== h.loss) {
        plottedHistory = h.loss;
        const steps = stepNumbers(h.loss.length);
        stepChart!.setData(h.lossAverage && state.model?.dataset.online ? [steps, h.loss, h.lossAfter, h.lossAverage] : [steps, h.loss, h.lossAfter]);
        // The chart's last point, marked on the chart (point i is step i + 1's J).
        const last = h.loss.length;
        markNumber(stepBox, last ? h.loss[last - 1] : undefined, `step(${last}).loss`);
      }
      if (plottedEpochs !== state.epochs) {
        plottedEpochs = state.epochs;
        renderEpochs(state.epochs);
      }
      if (shownTestLooks !== state.testLooks) {
        shownTestLooks = state.testLooks;
        renderTestLooks(state.testLooks);
      }
      renderPrediction(state.prediction);
    },
  };
}
