// Loss: this batch's J before and after the update (ΔJ), its data and regularization parts, the
// batch loss over the steps (uPlot), per-epoch train/validation loss and accuracy, and for
// classifiers the predicted distribution of the chosen sample with its information figures.
import uPlot from 'uplot';
import type { Context } from '../store';
import { el, section } from '../dom';
import { numberSpan, percent } from '../format';
import { type Palette, readPalette } from '../theme';
import type { View } from './view';

export function createLoss(ctx: Context): View {
  const { state, t } = ctx;
  const card = section('loss', t('Loss'));
  const figures = el('dl', { className: 'figures loss-figures' });
  const chartBox = el('div', { className: 'chart', id: 'loss-chart' });
  const epochs = el('div', { className: 'epochs' });
  const prediction = el('div', { className: 'prediction', id: 'prediction' });
  card.body.append(figures, chartBox, epochs, prediction);
  let chart: uPlot | undefined;
  let palette: Palette | undefined;
  let chartWidth = 0;

  function makeChart(width: number): uPlot {
    const p = palette!;
    const axis = { stroke: p.muted, grid: { stroke: p.grid, width: 1 }, ticks: { stroke: p.grid, width: 1 }, font: '11px var(--vscode-editor-font-family, monospace)' };
    return new uPlot({
      width, height: 150, legend: { show: true, live: false }, cursor: { drag: { x: false, y: false } },
      scales: { x: { time: false } },
      axes: [{ ...axis, label: t('step'), labelSize: 14, labelFont: '11px sans-serif' }, { ...axis, size: 52 }],
      series: [
        { label: t('step') },
        { label: t('Batch loss before the update'), stroke: p.series[0], width: 1.5 },
        { label: t('Batch loss after the update'), stroke: p.series[1], width: 1.5, dash: [4, 3] },
      ],
    }, [[], [], []], chartBox);
  }

  return {
    root: card.root,
    render(themeChanged) {
      const record = state.record;
      figures.replaceChildren();
      const add = (label: string, value: number | undefined, id: string) => figures.append(el('dt', { text: label }), el('dd', {}, numberSpan(value, id)));
      add(t('Batch loss before the update'), record?.loss, 'loss-before-value');
      add(t('Batch loss after the update'), record?.lossAfter, 'loss-after-value');
      add(t('ΔJ'), record?.loss !== undefined && record.lossAfter !== undefined ? record.lossAfter - record.loss : undefined, 'loss-delta-value');
      add(t('data loss'), record?.dataLoss, 'loss-data-value');
      add(t('regularization'), record?.regLoss, 'loss-reg-value');

      const width = Math.max(240, Math.floor(chartBox.clientWidth || card.root.clientWidth - 24 || 320));
      if (!palette || themeChanged) {
        palette = readPalette();
        chart?.destroy();
        chart = undefined;
      }
      if (!chart) {
        chart = makeChart(width);
        chartWidth = width;
      } else if (Math.abs(width - chartWidth) > 4) {
        chart.setSize({ width, height: 150 });
        chartWidth = width;
      }
      const h = state.history;
      chart.setData([h.loss.map((_, i) => i + 1), h.loss, h.lossAfter]);

      epochs.replaceChildren();
      if (state.epochs.length) {
        const last = state.epochs[state.epochs.length - 1];
        const e = el('dl', { className: 'figures' });
        const addE = (label: string, text: HTMLElement) => e.append(el('dt', { text: label }), el('dd', {}, text));
        addE(`${t('Train loss (epoch)')} ${last.epoch}`, numberSpan(last.trainLoss, 'epoch-train-loss'));
        if (last.validationLoss !== undefined) addE(t('Validation loss (epoch)'), numberSpan(last.validationLoss, 'epoch-validation-loss'));
        if (last.trainAccuracy !== undefined) addE(t('Train accuracy'), el('span', { className: 'num', id: 'train-accuracy', text: percent(last.trainAccuracy) }));
        if (last.validationAccuracy !== undefined) addE(t('Validation accuracy'), el('span', { className: 'num', id: 'validation-accuracy', text: percent(last.validationAccuracy) }));
        epochs.append(e);
      }

      prediction.replaceChildren();
      const p = state.prediction;
      if (p) {
        const names = state.model?.dataset.classNames;
        const bars = el('div', { className: 'bars' }, ...Array.from(p.probabilities, (prob, k) => {
          const bar = el('div', { className: `bar${k === p.trueClass ? ' true' : ''}` });
          bar.style.width = `${(prob * 100).toFixed(2)}%`;
          return el('div', { className: 'bar-row', title: String(prob) },
            el('span', { className: 'bar-label', text: names?.[k] ?? t('class {0}', k) }),
            el('div', { className: 'bar-track' }, bar), numberSpan(prob));
        }));
        const info = el('dl', { className: 'figures' });
        const addI = (label: string, value: number, id: string) => info.append(el('dt', { text: label }), el('dd', {}, numberSpan(value, id)));
        addI(t('entropy H(p)'), p.entropy, 'prediction-entropy');
        addI(t('cross-entropy'), p.crossEntropy, 'prediction-cross-entropy');
        addI(t('self-information −log p(true class)'), p.selfInformation, 'prediction-self-information');
        prediction.append(el('h3', { text: `${t('Predicted distribution')} · ${t('Sample {0}', p.sample + 1)}` }), bars, info);
      }
    },
  };
}
