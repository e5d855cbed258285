// Loss: this batch's J before and after the update (ΔJ), its data and regularization parts, the
// batch loss over the steps, the per-epoch train/validation loss and accuracy (two uPlot charts,
// fed with setData, never re-created per step), and for classifiers the predicted distribution of
// the chosen sample with its information figures. Chart widths come from a ResizeObserver, so a
// render never reads layout.
import uPlot from 'uplot';
import type { EpochEvaluation, SamplePrediction } from '../../protocol/messages';
import type { Evaluation } from '../../engine/evaluation';
import type { Context } from '../store';
import { el, section, setText } from '../dom';
import { numberSpan, percent, setNumber } from '../format';
import { type Palette, readPalette } from '../theme';
import type { View } from './view';

const CHART_HEIGHT = 150;

export function createLoss(ctx: Context): View {
  const { state, t } = ctx;
  const card = section('loss', t('Loss'));
  const figures = el('dl', { className: 'figures loss-figures' });
  const figure = (label: string, id: string) => {
    const value = numberSpan(undefined, id);
    figures.append(el('dt', { text: label }), el('dd', {}, value));
    return value;
  };
  const before = figure(t('Batch loss before the update'), 'loss-before-value');
  const after = figure(t('Batch loss after the update'), 'loss-after-value');
  const delta = figure(t('ΔJ'), 'loss-delta-value');
  const dataPart = figure(t('data loss'), 'loss-data-value');
  const regPart = figure(t('regularization'), 'loss-reg-value');

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
  new ResizeObserver((entries) => {
    const w = Math.max(220, Math.floor(entries[0].contentRect.width));
    if (Math.abs(w - width) < 4) return;
    width = w;
    stepChart?.setSize({ width, height: CHART_HEIGHT });
    epochChart?.setSize({ width, height: CHART_HEIGHT });
  }).observe(stepBox);

  function axes(p: Palette, xLabel: string): uPlot.Axis[] {
    const axis = { stroke: p.muted, grid: { stroke: p.grid, width: 1 }, ticks: { stroke: p.grid, width: 1 }, font: '11px var(--vscode-editor-font-family, monospace)' };
    return [{ ...axis, label: xLabel, labelSize: 16, labelFont: '11px sans-serif' }, { ...axis, size: 52 }];
  }

  function makeStepChart(p: Palette): uPlot {
    const online = state.model?.dataset.online;
    return new uPlot({
      width, height: CHART_HEIGHT, legend: { show: true, live: false }, cursor: { drag: { x: false, y: false } },
      scales: { x: { time: false } }, axes: axes(p, t('step')),
      series: [
        { label: t('step') },
        { label: t('Batch loss before the update'), stroke: p.series[0], width: 1.5 },
        { label: t('Batch loss after the update'), stroke: p.series[1], width: 1.5, dash: [4, 3] },
        ...(online ? [{ label: t('Moving average of the last {0} steps', online.averageWindow), stroke: p.series[2], width: 2.5 }] : []),
      ],
    }, online ? [[], [], [], []] : [[], [], []], stepBox);
  }

  function makeEpochChart(p: Palette, classification: boolean): uPlot {
    const [xAxis, yAxis] = axes(p, t('epoch'));
    xAxis.incrs = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000]; // whole epochs only
    const series: uPlot.Series[] = [
      { label: t('epoch') },
      { label: t('Train loss (epoch)'), stroke: p.series[0], width: 2, points: { show: true, size: 5 } },
      { label: t('Validation loss (epoch)'), stroke: p.series[1], width: 2, points: { show: true, size: 5 } },
    ];
    const chartAxes = [xAxis, yAxis];
    if (classification) {
      series.push(
        { label: t('Train accuracy'), stroke: p.series[2], width: 1.5, dash: [4, 3], scale: 'accuracy', points: { show: true, size: 4 } },
        { label: t('Validation accuracy'), stroke: p.series[3], width: 1.5, dash: [4, 3], scale: 'accuracy', points: { show: true, size: 4 } },
      );
      chartAxes.push({ ...yAxis, scale: 'accuracy', side: 1, grid: { show: false }, size: 44, values: (_u, ticks) => ticks.map((v) => `${Math.round(v * 100)}%`) });
    }
    return new uPlot({
      width, height: CHART_HEIGHT, legend: { show: true, live: false }, cursor: { drag: { x: false, y: false } },
      scales: { x: { time: false }, accuracy: { auto: false, range: [0, 1] } }, axes: chartAxes, series,
    }, series.map(() => []) as unknown as uPlot.AlignedData, epochBox);
  }

  function renderEpochs(epochs: EpochEvaluation[], classification: boolean): void {
    epochSection.hidden = epochs.length === 0;
    if (epochs.length === 0 || !epochChart) return;
    const column = (pick: (e: EpochEvaluation) => number | undefined) => epochs.map((e) => pick(e) ?? null);
    const data: uPlot.AlignedData = [epochs.map((e) => e.epoch), column((e) => e.trainLoss), column((e) => e.validationLoss)];
    if (classification) data.push(column((e) => e.trainAccuracy), column((e) => e.validationAccuracy));
    epochChart.setData(data);
    const last = epochs[epochs.length - 1];
    const rows: [string, HTMLElement][] = [[`${t('Train loss (epoch)')} ${last.epoch}`, numberSpan(last.trainLoss, 'epoch-train-loss')]];
    if (last.validationLoss !== undefined) rows.push([t('Validation loss (epoch)'), numberSpan(last.validationLoss, 'epoch-validation-loss')]);
    if (last.trainAccuracy !== undefined) rows.push([t('Train accuracy'), el('span', { className: 'num', id: 'train-accuracy', text: percent(last.trainAccuracy) })]);
    if (last.validationAccuracy !== undefined) rows.push([t('Validation accuracy'), el('span', { className: 'num', id: 'validation-accuracy', text: percent(last.validationAccuracy) })]);
    epochFigures.replaceChildren(...rows.flatMap(([label, value]) => [el('dt', { text: label }), el('dd', {}, value)]));
  }

  /** Every look at the test split (Evaluate on Test Set), and from the second on the warning that it is now a validation set. */
  function renderTestLooks(looks: Evaluation[]): void {
    testSection.hidden = looks.length === 0;
    const quantity = (node: HTMLElement, name: string) => {
      node.dataset.quantity = name;
      return node;
    };
    testFigures.replaceChildren(...looks.flatMap((look, i) => {
      const rows = [el('dt', { text: t('Test loss (step {0})', look.step) }), el('dd', {}, quantity(numberSpan(look.loss), `testLooks[${i}].loss`))];
      if (look.accuracy !== undefined) {
        const accuracy = el('span', { className: 'num', text: percent(look.accuracy), attrs: { 'data-value': String(look.accuracy), title: String(look.accuracy) } });
        rows.push(el('dt', { text: t('Test accuracy') }), el('dd', {}, quantity(accuracy, `testLooks[${i}].accuracy`)));
      }
      return rows;
    }));
    testWarning.hidden = looks.length < 2;
    setText(testWarning, t('Opened {0} times, at steps {1}: after the first look the test set is a validation set.', looks.length, looks.map((look) => look.step).join(', ')));
  }

  /** The prediction panel's elements, made once per number of classes and updated in place. */
  let bars: { classes: number; fills: HTMLElement[]; values: HTMLElement[]; rows: HTMLElement[] } | undefined;
  const heading = el('h3');
  const info = el('dl', { className: 'figures' });
  const infoValue = (label: string, id: string) => {
    const value = numberSpan(undefined, id);
    info.append(el('dt', { text: label }), el('dd', {}, value));
    return value;
  };
  const entropyValue = infoValue(t('entropy H(p)'), 'prediction-entropy');
  const crossEntropyValue = infoValue(t('cross-entropy'), 'prediction-cross-entropy');
  const selfInformationValue = infoValue(t('self-information −log p(true class)'), 'prediction-self-information');

  function renderPrediction(p: SamplePrediction | undefined): void {
    prediction.hidden = !p;
    if (!p) return;
    const classes = p.probabilities.length;
    if (bars?.classes !== classes) {
      const names = state.model?.dataset.classNames;
      bars = { classes, fills: [], values: [], rows: [] };
      const list = el('div', { className: 'bars' });
      for (let k = 0; k < classes; k++) {
        const fill = el('div', { className: 'bar' });
        const value = numberSpan(undefined);
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
      bars.fills[k].style.width = `${(p.probabilities[k] * 100).toFixed(2)}%`;
      bars.fills[k].classList.toggle('true', k === p.trueClass);
      bars.rows[k].classList.toggle('true', k === p.trueClass);
      setNumber(bars.values[k], p.probabilities[k]);
    }
    setNumber(entropyValue, p.entropy);
    setNumber(crossEntropyValue, p.crossEntropy);
    setNumber(selfInformationValue, p.selfInformation);
  }

  return {
    root: card.root,
    render(themeChanged) {
      const record = state.record;
      setNumber(before, record?.loss);
      setNumber(after, record?.lossAfter);
      setNumber(delta, record?.loss !== undefined && record.lossAfter !== undefined ? record.lossAfter - record.loss : undefined);
      setNumber(dataPart, record?.dataLoss);
      setNumber(regPart, record?.regLoss);

      const classification = state.model?.dataset.task === 'classification';
      if (!palette || themeChanged || chartsFor !== state.model) {
        chartsFor = state.model;
        palette = readPalette();
        stepChart?.destroy();
        epochChart?.destroy();
        stepChart = makeStepChart(palette);
        epochChart = makeEpochChart(palette, classification);
        plottedHistory = undefined;
        plottedEpochs = undefined;
      }
      const h = state.history;
      if (plottedHistory !== h.loss) {
        plottedHistory = h.loss;
        const steps = h.loss.map((_, i) => i + 1);
        stepChart!.setData(h.lossAverage && state.model?.dataset.online ? [steps, h.loss, h.lossAfter, h.lossAverage] : [steps, h.loss, h.lossAfter]);
      }
      if (plottedEpochs !== state.epochs) {
        plottedEpochs = state.epochs;
        renderEpochs(state.epochs, classification);
      }
      if (shownTestLooks !== state.testLooks) {
        shownTestLooks = state.testLooks;
        renderTestLooks(state.testLooks);
      }
      renderPrediction(state.prediction);
    },
  };
}
