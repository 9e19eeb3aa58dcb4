// A small line chart as hand-written SVG (no dependency): x = command number, y = latency.

const esc = (s) => String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;');

/**
 * series: [{ label, color, points: [[x, y], ...] }]; hline: optional [{ y, label, color }].
 */
export function lineChart({ title, xLabel, yLabel, series, hlines = [], width = 760, height = 360 }) {
  const margin = { left: 62, right: 20, top: 36, bottom: 48 };
  const plotW = width - margin.left - margin.right;
  const plotH = height - margin.top - margin.bottom;
  const xs = series.flatMap((s) => s.points.map((p) => p[0]));
  const ys = [...series.flatMap((s) => s.points.map((p) => p[1])), ...hlines.map((h) => h.y)];
  const xMax = Math.max(...xs);
  const yMax = niceCeil(Math.max(...ys) * 1.1);
  const sx = (x) => margin.left + (x / xMax) * plotW;
  const sy = (y) => margin.top + plotH - (y / yMax) * plotH;
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="${width}" height="${height}" fill="white"/>`,
    `<text x="${width / 2}" y="20" text-anchor="middle" font-size="14">${esc(title)}</text>`,
  ];
  for (let i = 0; i <= 5; i += 1) {
    const y = (yMax / 5) * i;
    parts.push(
      `<line x1="${margin.left}" x2="${margin.left + plotW}" y1="${sy(y).toFixed(1)}" y2="${sy(y).toFixed(1)}" stroke="#e5e5e5"/>`,
    );
    parts.push(`<text x="${margin.left - 6}" y="${(sy(y) + 4).toFixed(1)}" text-anchor="end">${+y.toFixed(2)}</text>`);
  }
  for (let i = 0; i <= 4; i += 1) {
    const x = (xMax / 4) * i;
    parts.push(
      `<text x="${sx(x).toFixed(1)}" y="${margin.top + plotH + 18}" text-anchor="middle">${Math.round(x).toLocaleString('en')}</text>`,
    );
  }
  parts.push(`<line x1="${margin.left}" x2="${margin.left}" y1="${margin.top}" y2="${margin.top + plotH}" stroke="black"/>`);
  parts.push(
    `<line x1="${margin.left}" x2="${margin.left + plotW}" y1="${margin.top + plotH}" y2="${margin.top + plotH}" stroke="black"/>`,
  );
  parts.push(`<text x="${margin.left + plotW / 2}" y="${height - 10}" text-anchor="middle">${esc(xLabel)}</text>`);
  parts.push(`<text transform="translate(16 ${margin.top + plotH / 2}) rotate(-90)" text-anchor="middle">${esc(yLabel)}</text>`);
  for (const h of hlines) {
    parts.push(
      `<line x1="${margin.left}" x2="${margin.left + plotW}" y1="${sy(h.y).toFixed(1)}" y2="${sy(h.y).toFixed(1)}" stroke="${h.color}" stroke-dasharray="5 4"/>`,
    );
    parts.push(
      `<text x="${margin.left + plotW - 4}" y="${(sy(h.y) - 5).toFixed(1)}" text-anchor="end" fill="${h.color}">${esc(h.label)}</text>`,
    );
  }
  series.forEach((s, index) => {
    const d = s.points.map((p, i) => `${i === 0 ? 'M' : 'L'}${sx(p[0]).toFixed(1)} ${sy(p[1]).toFixed(1)}`).join(' ');
    parts.push(`<path d="${d}" fill="none" stroke="${s.color}" stroke-width="1.5"/>`);
    const ly = margin.top + 12 + index * 16;
    parts.push(
      `<line x1="${margin.left + 10}" x2="${margin.left + 30}" y1="${ly - 4}" y2="${ly - 4}" stroke="${s.color}" stroke-width="2"/>`,
    );
    parts.push(`<text x="${margin.left + 36}" y="${ly}">${esc(s.label)}</text>`);
  });
  parts.push('</svg>');
  return `${parts.join('\n')}\n`;
}

function niceCeil(value) {
  if (!(value > 0)) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 2.5, 5, 10]) if (step * power >= value) return step * power;
  return 10 * power;
}
