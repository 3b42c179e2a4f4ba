import { describe, expect, it } from 'vitest';
import { initBackend } from '../ml/tf/backend.js';
import { createCvae } from '../ml/cvae/model.js';
import { makeCvaeConfig } from '../ml/cvae/config.js';
import { AGE_SHIFT_BIN_EDGES as AGE_BIN_EDGES } from '../domain/age-bins.js';
import { ageAlignedFace, type AlignedFace } from '../ml/aging/age-face.js';
import { detailForSource, gainForSource, keepTone, scaleChroma, withoutCheckerboard } from '../ml/aging/change-filters.js';
import type { AgingModel } from '../ml/aging/model.js';
import { normalizePrepSettings } from '../ml/prep/settings.js';
import { templatePoints } from '../ml/prep/template.js';

const S = 64;

async function tinyModel(aging?: { detail?: number; gain?: number; shift?: number }): Promise<AgingModel> {
  const backend = await initBackend('wasm');
  const cvae = createCvae(makeCvaeConfig({ imageSize: S, preset: 'film' }), 11);
  let k = 0;
  const ageBins = AGE_BIN_EDGES.slice(0, -1).map((lo, i) => ({ lo, hi: AGE_BIN_EDGES[i + 1]!, count: 5, mu: Array.from({ length: 256 }, () => Math.sin(++k) * (i / 4)) }));
  cvae.sidecar = { ...cvae.sidecar, ageBins, ageRange: { min: 1, max: 90 }, ...(aging ? { aging } : {}) };
  return { choice: { dir: '', id: null, name: 'tiny', source: 'option' }, cvae, sidecar: cvae.sidecar, prep: normalizePrepSettings({ size: S }), size: S, ageRange: { min: 1, max: 90 }, backend };
}

function face(): AlignedFace {
  const crop = new Uint8Array(S * S * 3);
  for (let i = 0; i < crop.length; i++) crop[i] = (i * 37 + (i >> 7) * 11) % 256;
  return { crop, size: S, transform: [1, 0, 0, 0, 1, 0], faceMask: new Uint8Array(S * S).fill(255) };
}

const opts = { ages: [20, 60], sourceAge: 30, gender: 'female' as const };

describe('carrying the decoder change onto the face: --detail, --gain, --shift', () => {
  it('the change is taken without the decoder\'s period-2 checkerboard: [1, 2, 1] / 4 each way zeroes it and keeps smooth shading', () => {
    const n = 8;
    const checker = new Float32Array(n * n * 3);
    const ramp = new Float32Array(n * n * 3);
    for (let y = 0; y < n; y++) {
      for (let x = 0; x < n; x++) {
        for (let c = 0; c < 3; c++) {
          checker[(y * n + x) * 3 + c] = (x + y) % 2 ? 0.5 : -0.5;
          ramp[(y * n + x) * 3 + c] = 0.1 * x - 0.05 * y;
        }
      }
    }
    const a = withoutCheckerboard(checker, 1, n);
    const b = withoutCheckerboard(ramp, 1, n);
    for (let y = 1; y < n - 1; y++) {
      for (let x = 1; x < n - 1; x++) {
        for (let c = 0; c < 3; c++) {
          expect(a[(y * n + x) * 3 + c]).toBeCloseTo(0, 6);
          expect(b[(y * n + x) * 3 + c]).toBeCloseTo(ramp[(y * n + x) * 3 + c]!, 6);
        }
      }
    }
  });

  it('tone keeps fine lines and k of the broad shading; chroma keeps the lightness; children get less gain', () => {
    const n = 64;
    const delta = new Float32Array(n * n * 3);
    for (let y = 0; y < n; y++) for (let x = 0; x < n; x++) for (let c = 0; c < 3; c++) delta[(y * n + x) * 3 + c] = -20 + (x % 4 < 2 ? 10 : -10);
    const toned = Float32Array.from(delta);
    keepTone(toned, n, 0.25, n / 8);
    const centre = (32 * n + 32) * 3;
    // The broad -20 falls to a quarter; the period-4 lines (+-10) keep nearly all of their amplitude.
    expect((toned[centre]! + toned[centre + 6]!) / 2).toBeCloseTo(-5, 0);
    expect(toned[centre]! - toned[centre + 6]!).toBeGreaterThan(19);
    const untouched = Float32Array.from(delta);
    keepTone(untouched, n, 1, n / 8);
    expect(Array.from(untouched)).toEqual(Array.from(delta));
    const rgb = new Float32Array([30, 0, -30]);
    scaleChroma(rgb, 0);
    const y = 0.299 * 30 - 0.114 * 30;
    expect(Array.from(rgb).map((v) => v.toFixed(4))).toEqual([y, y, y].map((v) => v.toFixed(4)));
    expect([5, 10, 15, 20, 40].map((a) => gainForSource(2, a))).toEqual([1, 1, 1.5, 2, 2]);
    expect([0, 5, 10, 20, 60].map((a) => detailForSource(0.5, a))).toEqual([0, 0.125, 0.25, 0.5, 0.5]);
  });

  it('detail 1 adds gain x (decode(target) - decode(source)) to the crop; detail 0 shows the (filtered) decode on the skin, not at the eyes', async () => {
    const model = await tinyModel();
    const f = face();
    const residual = await ageAlignedFace(model, f, { ...opts, detail: 1 });
    const doubled = await ageAlignedFace(model, f, { ...opts, detail: 1, gain: 2 });
    const decoded = await ageAlignedFace(model, f, { ...opts, detail: 0 });
    const [eye] = templatePoints(S);
    const eyePixel = Math.floor(eye![1]) * S + Math.floor(eye![0]);
    let maxDecodeGap = 0;
    let maxGainGap = 0;
    const smooth = decoded.decodes.map((d) => withoutCheckerboard(Float32Array.from(d.data), 1, S));
    for (let k = 0; k < 2; k++) {
      for (let c = 0; c < 3; c++) expect(Math.abs(decoded.cropFrames[k]!.data[eyePixel * 3 + c]! - residual.cropFrames[k]!.data[eyePixel * 3 + c]!)).toBeLessThanOrEqual(1);
      for (let i = 0; i < f.crop.length; i++) {
        const skin = Math.floor(i / 3 / S) < S / 8;
        if (skin) maxDecodeGap = Math.max(maxDecodeGap, Math.abs(decoded.cropFrames[k]!.data[i]! - smooth[k]![i]!));
        maxGainGap = Math.max(maxGainGap, Math.abs(doubled.deltas[k]![i]! - 2 * residual.deltas[k]![i]!));
        const expected = Math.min(255, Math.max(0, Math.round(f.crop[i]! + residual.deltas[k]![i]!)));
        expect(residual.cropFrames[k]!.data[i]).toBe(expected);
      }
    }
    expect(maxDecodeGap).toBeLessThanOrEqual(1);
    expect(maxGainGap).toBeLessThan(1e-3);
    const change = residual.deltas[1]!.reduce((s, v) => s + Math.abs(v), 0) / f.crop.length;
    expect(change).toBeGreaterThan(0.01);
    model.cvae.dispose();
  });

  it('outside the face mask the face keeps its own detail: only the change is carried there', async () => {
    const model = await tinyModel();
    const f = face();
    const mask = new Uint8Array(S * S).fill(255);
    mask.fill(0, 0, (S / 4) * S);
    const masked = { ...f, faceMask: mask };
    const residual = await ageAlignedFace(model, masked, { ...opts, detail: 1 });
    const decoded = await ageAlignedFace(model, masked, { ...opts, detail: 0 });
    let topGap = 0;
    let skinGap = 0;
    for (let i = 0; i < f.crop.length; i++) {
      const gap = Math.abs(decoded.deltas[1]![i]! - residual.deltas[1]![i]!);
      if (Math.floor(i / 3 / S) < S / 4) topGap = Math.max(topGap, gap);
      else if (Math.floor(i / 3 / S) > S / 2) skinGap = Math.max(skinGap, gap);
    }
    expect(topGap).toBeLessThan(1e-3);
    expect(skinGap).toBeGreaterThan(5);
    model.cvae.dispose();
  });

  it("the model's sidecar supplies the defaults, and shift 0 is the same as no age-shift vectors", async () => {
    const tuned = await tinyModel({ detail: 0, gain: 2, shift: 0 });
    const f = face();
    const fromSidecar = await ageAlignedFace(tuned, f, opts);
    const explicit = await ageAlignedFace(tuned, f, { ...opts, detail: 0, gain: 2, shift: 0 });
    const noShift = await ageAlignedFace(tuned, f, { ...opts, ageShift: false });
    const shifted = await ageAlignedFace(tuned, f, { ...opts, shift: 1.5 });
    expect(Array.from(fromSidecar.deltas[1]!)).toEqual(Array.from(explicit.deltas[1]!));
    expect(Array.from(noShift.decodes[1]!.data)).toEqual(Array.from(fromSidecar.decodes[1]!.data));
    expect(Array.from(shifted.decodes[1]!.data)).not.toEqual(Array.from(fromSidecar.decodes[1]!.data));
    tuned.cvae.dispose();
  });
});
