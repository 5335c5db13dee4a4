/**
 * The scaling runner's outputs: a markdown table (for docs/benchmarks.md and a terminal) and an SVG
 * chart of measured against linear RPS.
 */
import type { StepResult } from './efficiency';

const fixed = (value: number, digits: number) => value.toFixed(digits);
const percent = (value: number | null, digits = 1) => (value === null ? 'n/a' : `${fixed(value * 100, digits)} %`);

export function markdownTable(results: readonly StepResult[]): string {
  const rows = results.map((step) =>
    [
      String(step.replicas),
      fixed(step.rps, 1),
      fixed(step.idealRps, 1),
      `**${percent(step.efficiency)}**`,
      step.p95Ms === null ? 'n/a' : fixed(step.p95Ms, 0),
      percent(step.errorRate, 2),
      percent(step.cacheHitRate),
      step.cpuMillicoresPerPod === null ? 'n/a' : fixed(step.cpuMillicoresPerPod, 0),
    ].join(' | '),
  );
  return [
    '| replicas | RPS | linear RPS | efficiency | p95 (ms) | errors | cache hits | CPU per pod (m) |',
    '| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
    ...rows.map((row) => `| ${row} |`),
  ].join('\n');
}

/** Pixel geometry of the chart. */
const WIDTH = 560;
const HEIGHT = 340;
const PLOT = { left: 64, right: 24, top: 40, bottom: 52 };

/** A round axis maximum at or above `value`: 1, 2 or 5 times a power of ten, so the ticks read well. */
export function niceCeiling(value: number): number {
  if (!(value > 0)) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  const step = [1, 2, 5, 10].find((m) => m * power >= value)!;
  return step * power;
}

const escapeXml = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/**
 * The chart, written by hand: a dozen SVG elements (two polylines, axes, ticks, labels). The
 * charting libraries on npm (vega, chart.js, d3) need a DOM, a canvas or a headless browser to
 * produce SVG, a large dependency for two lines; this stays a plain string and diffs well in docs.
 */
export function svgChart(results: readonly StepResult[], title = 'Gateway throughput by replica count'): string {
  const maxReplicas = Math.max(1, ...results.map((s) => s.replicas));
  const yMax = niceCeiling(Math.max(1, ...results.flatMap((s) => [s.rps, s.idealRps])));
  const plotW = WIDTH - PLOT.left - PLOT.right;
  const plotH = HEIGHT - PLOT.top - PLOT.bottom;
  const x = (replicas: number) => PLOT.left + (replicas / maxReplicas) * plotW;
  const y = (rps: number) => PLOT.top + plotH - (rps / yMax) * plotH;
  const point = (replicas: number, rps: number) => `${fixed(x(replicas), 1)},${fixed(y(rps), 1)}`;

  const yTicks = [0, 0.25, 0.5, 0.75, 1].map((share) => share * yMax);
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="sans-serif" font-size="12">`,
    `<title>${escapeXml(title)}</title>`,
    `<rect width="${WIDTH}" height="${HEIGHT}" fill="white"/>`,
    `<text x="${WIDTH / 2}" y="22" text-anchor="middle" font-size="14">${escapeXml(title)}</text>`,
    ...yTicks.map(
      (tick) =>
        `<line x1="${PLOT.left}" y1="${fixed(y(tick), 1)}" x2="${WIDTH - PLOT.right}" y2="${fixed(y(tick), 1)}" stroke="#ddd"/>` +
        `<text x="${PLOT.left - 6}" y="${fixed(y(tick) + 4, 1)}" text-anchor="end">${fixed(tick, 0)}</text>`,
    ),
    ...results.map((s) => `<text x="${fixed(x(s.replicas), 1)}" y="${HEIGHT - PLOT.bottom + 18}" text-anchor="middle">${s.replicas}</text>`),
    `<line x1="${PLOT.left}" y1="${PLOT.top + plotH}" x2="${WIDTH - PLOT.right}" y2="${PLOT.top + plotH}" stroke="black"/>`,
    `<line x1="${PLOT.left}" y1="${PLOT.top}" x2="${PLOT.left}" y2="${PLOT.top + plotH}" stroke="black"/>`,
    `<text x="${PLOT.left + plotW / 2}" y="${HEIGHT - 10}" text-anchor="middle">replicas</text>`,
    `<text x="16" y="${PLOT.top + plotH / 2}" text-anchor="middle" transform="rotate(-90 16 ${PLOT.top + plotH / 2})">requests/s</text>`,
    `<polyline fill="none" stroke="#999" stroke-dasharray="6 4" stroke-width="2" points="${results.map((s) => point(s.replicas, s.idealRps)).join(' ')}"/>`,
    `<polyline fill="none" stroke="#1f6fd1" stroke-width="2.5" points="${results.map((s) => point(s.replicas, s.rps)).join(' ')}"/>`,
    ...results.map(
      (s) =>
        `<circle cx="${fixed(x(s.replicas), 1)}" cy="${fixed(y(s.rps), 1)}" r="4" fill="#1f6fd1"/>` +
        `<text x="${fixed(x(s.replicas), 1)}" y="${fixed(y(s.rps) - 10, 1)}" text-anchor="middle" fill="#1f6fd1">${percent(s.efficiency, 0)}</text>`,
    ),
    `<line x1="${PLOT.left + 12}" y1="${PLOT.top + 10}" x2="${PLOT.left + 40}" y2="${PLOT.top + 10}" stroke="#1f6fd1" stroke-width="2.5"/>`,
    `<text x="${PLOT.left + 46}" y="${PLOT.top + 14}">measured (label: efficiency)</text>`,
    `<line x1="${PLOT.left + 12}" y1="${PLOT.top + 28}" x2="${PLOT.left + 40}" y2="${PLOT.top + 28}" stroke="#999" stroke-dasharray="6 4" stroke-width="2"/>`,
    `<text x="${PLOT.left + 46}" y="${PLOT.top + 32}">linear from ${results[0]?.replicas ?? 1} replica${results[0]?.replicas === 1 ? '' : 's'}</text>`,
    '</svg>',
  ];
  return `${parts.join('\n')}\n`;
}
