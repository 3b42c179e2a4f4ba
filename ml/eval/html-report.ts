import type { AgingFigures } from './aging-metrics.js';
import type { BinFigures, EvalReport } from './run-eval.js';

function esc(s: string): string {
  return s.replace(/[<>&"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;' })[c]!);
}

function fmt(v: number | null | undefined, digits = 2): string {
  return v === null || v === undefined || !Number.isFinite(v) ? '–' : v.toFixed(digits);
}

function pct(v: number | null | undefined): string {
  return v === null || v === undefined || !Number.isFinite(v) ? '–' : `${(v * 100).toFixed(1)} %`;
}

/** Mean estimated age against target age, per way of aging, with the ideal diagonal. */
function targetChart(series: { name: string; colour: string; f: AgingFigures }[], targets: number[]): string {
  const W = 420;
  const H = 300;
  const m = { l: 44, r: 12, t: 12, b: 36 };
  const lo = 0;
  const hi = Math.max(90, ...series.flatMap((s) => s.f.byTarget.map((t) => t.meanEstimated)).filter(Number.isFinite), ...targets);
  const x = (v: number): number => m.l + ((v - lo) / (hi - lo)) * (W - m.l - m.r);
  const y = (v: number): number => H - m.b - ((v - lo) / (hi - lo)) * (H - m.t - m.b);
  const ticks = Array.from({ length: Math.floor(hi / 10) + 1 }, (_, i) => i * 10);
  const grid = ticks
    .map((t) => `<line x1="${x(lo)}" y1="${y(t)}" x2="${x(hi)}" y2="${y(t)}" stroke="#eee"/><text x="${m.l - 6}" y="${y(t) + 4}" text-anchor="end">${t}</text><text x="${x(t)}" y="${H - m.b + 16}" text-anchor="middle">${t}</text>`)
    .join('');
  const lines = series
    .map((s) => {
      const pts = s.f.byTarget.map((t) => `${x(t.target).toFixed(1)},${y(t.meanEstimated).toFixed(1)}`);
      const dots = s.f.byTarget.map((t) => `<circle cx="${x(t.target).toFixed(1)}" cy="${y(t.meanEstimated).toFixed(1)}" r="3" fill="${s.colour}"/>`).join('');
      return `<polyline fill="none" stroke="${s.colour}" stroke-width="2" points="${pts.join(' ')}"/>${dots}`;
    })
    .join('');
  const legend = series.map((s, i) => `<text x="${m.l + 8}" y="${m.t + 14 + i * 16}" fill="${s.colour}">■ ${esc(s.name)}</text>`).join('');
  return `<svg viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" font-size="11" font-family="sans-serif">${grid}<line x1="${x(lo)}" y1="${y(lo)}" x2="${x(hi)}" y2="${y(hi)}" stroke="#999" stroke-dasharray="4 3"/>${lines}${legend}<text x="${(W + m.l) / 2}" y="${H - 4}" text-anchor="middle">target age</text><text x="12" y="${H / 2}" transform="rotate(-90 12 ${H / 2})" text-anchor="middle">estimated age</text></svg>`;
}

/** Horizontal bars per age bin for one figure. */
/** The skin-detail figure per input bin: of the real input faces, and of the outputs at the youngest target (going younger, lines should fade to the level of real faces of that age). */
function skinDetailBars(targets: readonly number[], bins: readonly BinFigures[]): string[] {
  const young = Math.min(...targets);
  const finite = (v: number | undefined): number | null => (v !== undefined && Number.isFinite(v) ? v : null);
  const inputs = bins.map((b) => ({ label: b.bin, value: finite(b.photo?.detailInput) }));
  const outputs = bins.map((b) => ({ label: b.bin, value: finite(b.photo?.colourByTarget.find((t) => t.target === young)?.detail) }));
  const max = Math.max(1, ...[...inputs, ...outputs].map((x) => x.value ?? 0));
  if (outputs.every((x) => x.value === null)) return [];
  return [binBars('skin detail of the input faces', inputs, max, (v) => v.toFixed(1)), binBars(`skin detail aged to ${young}`, outputs, max, (v) => v.toFixed(1))];
}

function binBars(title: string, rows: { label: string; value: number | null }[], max: number, format: (v: number) => string): string {
  const W = 320;
  const rowH = 20;
  const H = rows.length * rowH + 24;
  const bars = rows
    .map((r, i) => {
      const v = r.value ?? 0;
      const w = Number.isFinite(v) && max > 0 ? Math.max(0, Math.min(1, v / max)) * (W - 140) : 0;
      return `<text x="0" y="${24 + i * rowH + 13}">${esc(r.label)}</text><rect x="60" y="${24 + i * rowH + 3}" width="${w.toFixed(1)}" height="14" fill="#4a7fb5"/><text x="${64 + w}" y="${24 + i * rowH + 13}">${r.value === null || !Number.isFinite(r.value) ? '–' : format(r.value)}</text>`;
    })
    .join('');
  return `<svg viewBox="0 0 ${W} ${H}" width="${W}" height="${H}" font-size="11" font-family="sans-serif"><text x="0" y="12" font-weight="bold">${esc(title)}</text>${bars}</svg>`;
}

export function renderHtmlReport(r: EvalReport): string {
  const agingRow = (name: string, f: AgingFigures): string =>
    `<tr><td>${esc(name)}</td><td>${fmt(f.slope)}</td><td>${fmt(f.mae, 1)} y</td><td>${pct(f.samePerson)}</td></tr>`;
  const binRows = r.byBin
    .filter((b) => b.faces > 0)
    .map(
      (b) =>
        `<tr><td>${b.bin}</td><td>${b.faces}</td><td>${fmt(b.reconstruction?.mse, 4)}</td><td>${fmt(b.reconstruction?.psnr, 1)}</td><td>${fmt(b.reconstruction?.ssim, 3)}</td><td>${fmt(b.estimatorMae, 1)}</td><td>${fmt(b.photo?.slope)}</td><td>${fmt(b.photo?.mae, 1)}</td><td>${pct(b.photo?.samePerson)}</td><td>${fmt(b.decode?.slope)}</td><td>${fmt(b.decode?.mae, 1)}</td><td>${pct(b.decode?.samePerson)}</td></tr>`,
    )
    .join('');
  const bins = r.byBin.filter((b) => b.faces > 0);
  const checkBinRows = bins
    .flatMap((b) => b.check.map((c) => `<tr><td>${b.bin}</td><td>${esc(c.name)}</td><td>${b.faces}</td><td>${fmt(c.photo.slope)}</td><td>${fmt(c.photo.mae, 1)} y</td><td>${pct(b.photo?.samePerson)}</td></tr>`))
    .join('');
  const lo = r.longitudinal;
  const longitudinal = lo
    ? `<h2>Longitudinal check</h2>
<p>${lo.pairs.length} young photos of people followed over the years, each aged to the age of a later photo of the same person. Descriptor distance to the real later face: <b>${fmt(lo.meanInputDistance, 3)}</b> from the input, <b>${fmt(lo.meanAgedDistance, 3)}</b> from the aged face; the aged face is nearer in ${pct(lo.nearerShare)} of the pairs.</p>
${lo.samples.map((s) => `<figure><img alt="${esc(s.person)}" src="data:image/png;base64,${s.png}"><figcaption>${esc(s.person)}: the photo at ${s.fromAge}, aged to ${s.toAge}, and the real photo at ${s.toAge}</figcaption></figure>`).join('')}`
    : '';
  const fullSamples = r.fullSamples
    .map((s) => `<figure><img alt="crop ${s.cropId}" src="data:image/png;base64,${s.png}"><figcaption>${s.bin}: crop ${s.cropId}, age ${s.age}; the photo, then aged to ${r.targets.join(', ')}, at the photo's own resolution</figcaption></figure>`)
    .join('');
  const charts = [
    binBars('aging slope (photo outputs)', bins.map((b) => ({ label: b.bin, value: b.photo?.slope ?? null })), 1, (v) => v.toFixed(2)),
    binBars('age MAE to target, years', bins.map((b) => ({ label: b.bin, value: b.photo?.mae ?? null })), Math.max(1, ...bins.map((b) => b.photo?.mae ?? 0)), (v) => v.toFixed(1)),
    binBars('same person (< 0.6)', bins.map((b) => ({ label: b.bin, value: b.photo?.samePerson ?? null })), 1, (v) => `${(v * 100).toFixed(0)} %`),
    ...skinDetailBars(r.targets, bins),
    binBars('reconstruction PSNR, dB', bins.map((b) => ({ label: b.bin, value: b.reconstruction?.psnr ?? null })), Math.max(1, ...bins.map((b) => b.reconstruction?.psnr ?? 0)), (v) => v.toFixed(1)),
  ].join('');
  const samples = r.samples
    .map((s) => `<figure><img alt="crop ${s.cropId}" src="data:image/png;base64,${s.png}"><figcaption>crop ${s.cropId}, age ${s.age}: input, then ${r.targets.join(', ')} (top: on the photo; bottom: the decoder's own output)</figcaption></figure>`)
    .join('');
  const m = r.model;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Chronoface evaluation: ${esc(m.name)}</title>
<style>body{font-family:sans-serif;max-width:1100px;margin:24px auto;padding:0 16px;color:#222}table{border-collapse:collapse;margin:8px 0 20px}td,th{border:1px solid #ccc;padding:4px 8px;text-align:right}td:first-child,th:first-child{text-align:left}.charts{display:flex;flex-wrap:wrap;gap:24px}figure{margin:12px 0}img{image-rendering:auto;max-width:100%}</style></head>
<body>
<h1>Chronoface evaluation</h1>
<p>Model <b>${esc(m.name)}</b> (${esc(m.source)}${m.id !== null ? `, id ${m.id}` : ''}), ${m.size} px, preset ${esc(m.preset)}, epoch ${m.epoch}, trained ages ${m.ageRange.min}-${m.ageRange.max}.
Split <b>${esc(r.split)}</b>, ${r.faces} faces, targets ${r.targets.join(', ')}. ${r.seconds.toFixed(0)} s.
Ages and identity are read by face-api's age net and descriptor net on faces re-cut at ${r.settings.scoreSize} px from the outputs at the photo's own resolution.</p>
<h2>Reconstruction</h2>
<table><tr><th>MSE</th><th>L1</th><th>PSNR</th><th>SSIM</th></tr><tr><td>${fmt(r.reconstruction.mse, 4)}</td><td>${fmt(r.reconstruction.l1, 4)}</td><td>${fmt(r.reconstruction.psnr, 2)} dB</td><td>${fmt(r.reconstruction.ssim, 3)}</td></tr></table>
<h2>Disentanglement (MIG)</h2>
<table><tr><th>MIG</th><th>age (decade bins)</th><th>gender</th></tr><tr><td>${fmt(r.mig.mig, 3)}</td><td>${fmt(r.mig.age, 3)}</td><td>${fmt(r.mig.gender, 3)}</td></tr></table>
<h2>Aging</h2>
<table><tr><th>way of aging</th><th>slope (1.0 is perfect)</th><th>age MAE to target</th><th>same person (&lt; 0.6)</th></tr>
${agingRow(`on the photo (shipped: ${r.settings.ageShift ? `age-shift vectors × ${r.settings.shift} + condition` : 'condition alone'}, paste-back with gain ${r.settings.gain} and detail ${r.settings.detail})`, r.aging.photo)}
${agingRow("the decoder's own output (crop)", r.aging.decode)}
${r.check.map((c) => `${agingRow(`on the photo, ages read by ${esc(c.name)} (independent check; on the real faces its MAE is ${fmt(c.ageMae, 1)} y and its slope ${fmt(c.realSlope, 2)})`, c.photo)}\n${c.photoCalibrated ? `${agingRow(`on the photo, ${esc(c.name)} read on its own scale (mapped back through its line on the real faces)`, c.photoCalibrated)}\n` : ''}${agingRow(`the decoder's own output, read by ${esc(c.name)}`, c.decode)}`).join('\n')}
</table>
<p>For scale, on the real faces: the estimator's age MAE is ${fmt(r.estimator.ageMae, 1)} y, its slope against the labels ${fmt(r.estimator.realSlope, 2)} (ages ${r.targets[0]}-${r.targets[r.targets.length - 1]}; the most an aging slope can show), its gender accuracy ${pct(r.estimator.genderAccuracy)}, and ${pct(r.estimator.differentPeopleShare)} of ${r.estimator.pairs} pairs of different people fall below 0.6.</p>
<div class="charts">${targetChart(
    [
      { name: 'on the photo', colour: '#c0392b', f: r.aging.photo },
      { name: 'decoder output', colour: '#2e86c1', f: r.aging.decode },
    ],
    r.targets,
  )}${charts}</div>
<h2>Per age bin (of the input face)</h2>
<table><tr><th>bin</th><th>faces</th><th>MSE</th><th>PSNR</th><th>SSIM</th><th>estimator MAE</th><th>photo slope</th><th>photo MAE</th><th>photo same</th><th>decode slope</th><th>decode MAE</th><th>decode same</th></tr>${binRows}</table>
${checkBinRows ? `<h2>Per age bin, read by the independent check estimators</h2>
<table><tr><th>bin</th><th>estimator</th><th>faces</th><th>slope</th><th>MAE to target</th><th>same person (face-api descriptor)</th></tr>${checkBinRows}</table>` : ''}
${longitudinal}
<h2>Outputs at full resolution</h2>
${fullSamples}
<h2>Samples</h2>
${samples}
</body></html>
`;
}
