// Chart.js, tree-shaken: only the pieces the dashboard draws with (bar charts
// on category/linear scales, with tooltips). Legends are HTML.

import { BarController, BarElement, CategoryScale, Chart, LinearScale, Tooltip } from 'chart.js';
import { cssVar } from './theme.svelte.js';

Chart.register(BarController, BarElement, CategoryScale, LinearScale, Tooltip);

Chart.defaults.font.family = getComputedStyle(document.documentElement)
  .getPropertyValue('--font-sans')
  .trim();
Chart.defaults.font.size = 12;
/** @type {any} */ (Chart.defaults.animation).duration = 300;
Chart.defaults.maintainAspectRatio = false;
Chart.defaults.responsive = true;

export { Chart };

/**
 * Colours for the current scheme (call again after a scheme change).
 */
export function chartColors() {
  return {
    text: cssVar('--text-muted'),
    grid: cssVar('--chart-grid'),
    tooltipBg: cssVar('--chart-tooltip-bg'),
    tooltipText: cssVar('--chart-tooltip-text'),
    accent: cssVar('--accent'),
    surface: cssVar('--surface'),
    volume: cssVar('--chart-volume'),
    /** @param {string} key outcome or sentiment key */
    of: (key) => cssVar(`--c-${key}`)
  };
}

/**
 * Options shared by every chart.
 * @param {ReturnType<typeof chartColors>} c
 */
export function baseOptions(c) {
  return {
    interaction: { mode: /** @type {const} */ ('index'), intersect: false },
    plugins: {
      legend: { display: false },
      tooltip: {
        backgroundColor: c.tooltipBg,
        titleColor: c.tooltipText,
        bodyColor: c.tooltipText,
        padding: 10,
        cornerRadius: 8,
        boxPadding: 4,
        usePointStyle: true
      }
    },
    color: c.text
  };
}

/**
 * Writes a label at the end of each bar of horizontal bar charts that ask for
 * it with `options.valueLabels = { labels: string[], color }` (read raw from
 * the chart's config, so updates reach it).
 * @type {import('chart.js').Plugin}
 */
const valueLabels = {
  id: 'valueLabels',
  afterDatasetsDraw(chart) {
    const spec = /** @type {any} */ (chart.config.options)?.valueLabels;
    if (!spec || !Array.isArray(spec.labels)) return;
    const meta = chart.getDatasetMeta(chart.data.datasets.length - 1);
    const { ctx } = chart;
    ctx.save();
    ctx.fillStyle = spec.color;
    ctx.font = `600 12px ${Chart.defaults.font.family}`;
    ctx.textBaseline = 'middle';
    meta.data.forEach((bar, i) => {
      const text = spec.labels[i];
      if (!text) return;
      const { x, y } = bar.getProps(['x', 'y'], true);
      ctx.fillText(text, x + 6, y);
    });
    ctx.restore();
  }
};

Chart.register(valueLabels);
