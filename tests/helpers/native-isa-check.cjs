// Runs every kernel of the native addon (the instruction set forced by CHRONOFACE_NATIVE_ISA) on seeded random inputs
// against plain double-precision loops, and prints {isa, errors: {kernel: max |native - reference| / max |reference|}}.
'use strict';
const k = require('chronoface-kernels');

let seed = 12345;
const rand = () => ((seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648) * 2 - 1;
const rnd = (n) => Float32Array.from({ length: n }, rand);
const rel = (got, want) => {
  let e = 0;
  let m = 0;
  for (let i = 0; i < want.length; i++) {
    e = Math.max(e, Math.abs(got[i] - want[i]));
    m = Math.max(m, Math.abs(want[i]));
  }
  return e / m;
};
const errors = {};
const note = (name, e) => (errors[name] = Math.max(errors[name] ?? 0, e));

// dims [n, h, w, ci, oh, ow, co, kh, kw, sh, sw, padTop, padLeft, dh, dw]
function convCase(n, h, w, ci, co, kh, s, pad, dil) {
  const oh = Math.floor((h + 2 * pad - dil * (kh - 1) - 1) / s) + 1;
  const ow = Math.floor((w + 2 * pad - dil * (kh - 1) - 1) / s) + 1;
  const d = Int32Array.from([n, h, w, ci, oh, ow, co, kh, kh, s, s, pad, pad, dil, dil]);
  const x = rnd(n * h * w * ci), f = rnd(kh * kh * ci * co), b = rnd(co), dy = rnd(n * oh * ow * co);
  const y = new Float64Array(n * oh * ow * co), dx = new Float64Array(x.length), dw = new Float64Array(f.length);
  for (let q = 0; q < n; q++)
    for (let a = 0; a < oh; a++)
      for (let c = 0; c < ow; c++)
        for (let i = 0; i < kh; i++)
          for (let j = 0; j < kh; j++) {
            const ih = a * s - pad + i * dil, iw = c * s - pad + j * dil;
            if (ih < 0 || ih >= h || iw < 0 || iw >= w) continue;
            for (let u = 0; u < ci; u++) {
              const xi = ((q * h + ih) * w + iw) * ci + u;
              for (let o = 0; o < co; o++) {
                const fi = ((i * kh + j) * ci + u) * co + o, yi = ((q * oh + a) * ow + c) * co + o;
                y[yi] += x[xi] * f[fi];
                dx[xi] += dy[yi] * f[fi];
                dw[fi] += x[xi] * dy[yi];
              }
            }
          }
  for (let i = 0; i < y.length; i++) y[i] += b[i % co];
  const ny = new Float32Array(y.length), ndx = new Float32Array(dx.length), ndw = new Float32Array(dw.length);
  k.conv2d(x, f, b, ny, d);
  k.conv2dBackpropInput(dy, f, ndx, d);
  k.conv2dBackpropFilter(x, dy, ndw, d);
  note('conv2d', rel(ny, y));
  note('conv2dBackpropInput', rel(ndx, dx));
  note('conv2dBackpropFilter', rel(ndw, dw));
}
convCase(2, 9, 9, 3, 16, 3, 2, 1, 1);
convCase(2, 8, 8, 16, 32, 3, 2, 0, 1);
convCase(3, 7, 6, 5, 27, 3, 1, 1, 1);
convCase(2, 6, 6, 64, 128, 3, 2, 1, 1);
convCase(1, 9, 9, 130, 3, 3, 2, 1, 1);
convCase(2, 9, 9, 4, 70, 3, 1, 2, 2);

for (const [m, n, kk] of [[5, 7, 3], [16, 70, 600], [33, 17, 1100], [70, 130, 20], [1, 1, 1]])
  for (const ta of [false, true])
    for (const tb of [false, true]) {
      const a = rnd(2 * m * kk), b = rnd(2 * kk * n), c = new Float32Array(2 * m * n), want = new Float64Array(c.length);
      for (let q = 0; q < 2; q++)
        for (let i = 0; i < m; i++)
          for (let j = 0; j < n; j++) {
            let sum = 0;
            for (let p = 0; p < kk; p++) sum += (ta ? a[q * m * kk + p * m + i] : a[q * m * kk + i * kk + p]) * (tb ? b[q * kk * n + j * kk + p] : b[q * kk * n + p * n + j]);
            want[q * m * n + i * n + j] = sum;
          }
      k.matmul(a, b, c, 2, m, n, kk, ta, tb);
      note('matmul', rel(c, want));
    }

{
  const rows = 300, c = 19, x = rnd(rows * c), b = rnd(c), out = new Float32Array(rows * c), sums = new Float32Array(c);
  k.broadcast(x, b, out, rows, c, 0, false);
  note('broadcast', rel(out, Float64Array.from(x, (v, i) => v + b[i % c])));
  k.broadcast(x, b, out, rows, c, 1, false);
  note('broadcast', rel(out, Float64Array.from(x, (v, i) => v * b[i % c])));
  const perRow = rnd(rows);
  k.broadcast(x, perRow, out, rows, c, 1, true);
  note('broadcast', rel(out, Float64Array.from(x, (v, i) => v * perRow[Math.floor(i / c)])));
  k.broadcast(x, perRow, out, rows, c, 0, true);
  note('broadcast', rel(out, Float64Array.from(x, (v, i) => v + perRow[Math.floor(i / c)])));
  k.sumRows(x, sums, rows, c);
  const want = new Float64Array(c);
  x.forEach((v, i) => (want[i % c] += v));
  note('sumRows', rel(sums, want));
}

for (const leak of [1, 0.1]) {
  const rows = 517, c = 21, eps = 1e-5;
  const x = rnd(rows * c).map((v) => v * 3 + 0.5), g = rnd(c), be = rnd(c), dy = rnd(rows * c);
  const y = new Float32Array(rows * c), xh = new Float32Array(rows * c), mean = new Float32Array(c), variance = new Float32Array(c), rstd = new Float32Array(c);
  k.batchNormForward(x, g, be, y, xh, mean, variance, rstd, rows, c, eps, leak);
  const dx = new Float32Array(rows * c), dg = new Float32Array(c), db = new Float32Array(c);
  k.batchNormBackward(dy, xh, g, be, rstd, dx, dg, db, rows, c, leak);
  const m = new Float64Array(c), v = new Float64Array(c);
  x.forEach((val, i) => (m[i % c] += val / rows));
  x.forEach((val, i) => (v[i % c] += (val - m[i % c]) ** 2 / rows));
  const r = Float64Array.from(v, (val) => 1 / Math.sqrt(val + eps));
  const h = Float64Array.from(x, (val, i) => (val - m[i % c]) * r[i % c]);
  const pre = Float64Array.from(h, (val, i) => val * g[i % c] + be[i % c]);
  const d = Float64Array.from(dy, (val, i) => (pre[i] > 0 ? val : val * leak));
  const sb = new Float64Array(c), sg = new Float64Array(c);
  d.forEach((val, i) => ((sb[i % c] += val), (sg[i % c] += val * h[i])));
  note('batchNormForward', Math.max(rel(y, Float64Array.from(pre, (p) => (p > 0 ? p : p * leak))), rel(mean, m), rel(variance, v)));
  note('batchNormBackward', Math.max(rel(dx, Float64Array.from(d, (val, i) => (val - sb[i % c] / rows - h[i] * sg[i % c] / rows) * g[i % c] * r[i % c])), rel(dg, sg), rel(db, sb)));
}

{
  const n = 1003, p = rnd(n), out = new Float32Array(n), m = rnd(n), v = rnd(n).map(Math.abs), g0 = rnd(n), g1 = rnd(n);
  const want = new Float64Array(n), wm = new Float64Array(n), wv = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    const g = g0[j] + g1[j];
    wm[j] = m[j] * 0.9 + g * 0.1;
    wv[j] = v[j] * 0.999 + g * g * 0.001;
    want[j] = p[j] - (wm[j] * 0.01) / (Math.sqrt(wv[j]) + 1e-8);
  }
  k.adam(p, out, m, v, g0, g1, 0.9, 0.999, 0.01, 1e-8);
  note('adam', Math.max(rel(out, want), rel(m, wm), rel(v, wv)));
}

console.log(JSON.stringify({ isa: k.isa, errors }));
