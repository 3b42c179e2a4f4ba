import { describe, expect, it } from 'vitest';
import { DEFAULT_LIGHTNESS, LIGHTNESS_KEYS, lightnessChange, lightnessFromSpec, lightnessWeights, lineGains, parseLightness } from '../ml/aging/detail-change.js';
import { scaleOwnDetail } from '../ml/aging/detail-paste.js';

describe('aging in lightness and detail', () => {
  it('the weights: gentle for a child going older, strong for an adult, none of the decoder while both ages are 20 or under', () => {
    const l = { ...DEFAULT_LIGHTNESS, prototypeChild: 1, prototypeAdult: 3, decoderChild: 0.5, decoderOlder: 2, colourChild: 1, linesOlder: 0.5, linesYounger: 1 };
    const child = lightnessWeights(l, 5, 60);
    const teen = lightnessWeights(l, 15, 60);
    const adult = lightnessWeights(l, 30, 60);
    expect([child.prototype, teen.prototype, adult.prototype]).toEqual([1, 2, 3]);
    expect([child.decoder, teen.decoder, adult.decoder]).toEqual([0.5, 1.25, 2]);
    expect([child.colour, teen.colour, adult.colour]).toEqual([1, 0.5, 0]);
    expect(lightnessWeights(l, 5, 20).decoder).toBe(0);
    const younger = lightnessWeights(l, 50, 20);
    expect(younger.prototype).toBe(l.prototypeYounger);
    expect(younger.lines).toBe(1);
    expect(adult.lines).toBe(0.5);
  });

  it('the change is grey (equal on R, G and B) for an adult: the decoder\'s colour and broad shading never reach the face', () => {
    const size = 32;
    const n = size * size;
    // Source decode flat; target decode with a broad red cast plus fine dark lines every 4 px.
    const decodes = new Float32Array(2 * n * 3);
    for (let i = 0; i < n; i++) {
      const x = i % size;
      const line = x % 4 === 0 ? -0.2 : 0;
      decodes[n * 3 + i * 3] = 0.3 + line;
      decodes[n * 3 + i * 3 + 1] = line;
      decodes[n * 3 + i * 3 + 2] = line;
    }
    const prototype = new Float32Array(n * 3).fill(-10);
    const w = lightnessWeights(DEFAULT_LIGHTNESS, 40, 70);
    const d = lightnessChange(DEFAULT_LIGHTNESS, { size, decodes, target: 1, gain: 1, prototype, faceWidth: 40, weights: w });
    let colour = 0;
    let mean = 0;
    for (let i = 0; i < n; i++) {
      colour = Math.max(colour, Math.abs(d[i * 3]! - d[i * 3 + 1]!), Math.abs(d[i * 3 + 2]! - d[i * 3 + 1]!));
      mean += d[i * 3]! / n;
    }
    expect(colour).toBeLessThan(1e-4);
    // The broad +0.3 red cast is gone (its lightness too): what is left on average is the prototypes' darkening.
    expect(mean).toBeCloseTo(-10 * w.prototype, 0);
    // The lines stay: a line column is darker than its neighbour.
    const row = 16 * size;
    expect(d[(row + 16) * 3]! - d[(row + 18) * 3]!).toBeLessThan(-5);
    // A soft limit holds the decoder's fine band within its value: lines pass, blotches are held back.
    const limited = lightnessChange({ ...DEFAULT_LIGHTNESS, fineLimit: 2 }, { size, decodes, target: 1, gain: 1, prototype: null, faceWidth: 40, weights: w });
    expect(Math.max(...limited.map((v) => Math.abs(v)))).toBeLessThanOrEqual(2);
  });

  it('a child keeps the prototypes\' broad colour, so it does not turn grey', () => {
    const size = 32;
    const n = size * size;
    const decodes = new Float32Array(2 * n * 3);
    const prototype = new Float32Array(n * 3);
    for (let i = 0; i < n; i++) prototype.set([6, -2, -4], i * 3);
    const d = lightnessChange(DEFAULT_LIGHTNESS, { size, decodes, target: 1, gain: 1, prototype, faceWidth: 20, weights: lightnessWeights(DEFAULT_LIGHTNESS, 4, 30) });
    const c = (16 * size + 16) * 3;
    expect(d[c]! - d[c + 1]!).toBeCloseTo(8 * DEFAULT_LIGHTNESS.colourChild, 3);
  });

  it('lines fade going younger: a gain of -1 takes the photo\'s own detail away at its own resolution, 0 leaves it byte-identical', () => {
    const W = 200;
    const H = 160;
    const data = new Uint8Array(W * H * 3);
    for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) data.fill(x % 6 < 2 ? 90 : 150, (y * W + x) * 3, (y * W + x) * 3 + 3);
    const photo = { data, width: W, height: H, channels: 3 };
    const size = 32;
    // The crop covers photo x 40..168, y 20..148 (4 photo px per crop px).
    const transform: [number, number, number, number, number, number] = [0.25, 0, -10, 0, 0.25, -5];
    const none = scaleOwnDetail(photo, new Float32Array(size * size), size, transform, 1);
    expect(Buffer.compare(Buffer.from(none.data), Buffer.from(data))).toBe(0);
    const flat = scaleOwnDetail(photo, new Float32Array(size * size).fill(-1), size, transform, 1);
    const spread = (img: { data: Uint8Array }, y: number): number => {
      let lo = 255, hi = 0;
      for (let x = 80; x < 130; x++) {
        const v = img.data[(y * W + x) * 3]!;
        lo = Math.min(lo, v);
        hi = Math.max(hi, v);
      }
      return hi - lo;
    };
    expect(spread(photo, 80)).toBe(60);
    expect(spread(flat, 80)).toBeLessThan(25);
    // Outside the crop's footprint nothing changes.
    expect(flat.data[(80 * W + 10) * 3]).toBe(data[(80 * W + 10) * 3]);
    const deeper = scaleOwnDetail(photo, new Float32Array(size * size).fill(0.5), size, transform, 1);
    expect(spread(deeper, 80)).toBeGreaterThan(70);
  });

  it('line gains follow the prototypes\' detail ratio on the skin only, bounded: going older they only deepen, going younger only fade', () => {
    const g = lineGains(Float32Array.from([0.5, 1, 2, 0.5, 10]), Float32Array.from([1, 1, 1, 0, 1]), 1);
    expect(Array.from(g).map((v) => v + 0)).toEqual([0, 0, 1, 0, 1.5]);
    const younger = lineGains(Float32Array.from([0.5, 1, 2, 0.5, 0.01]), Float32Array.from([1, 1, 1, 0, 1]), 1, false);
    expect(Array.from(younger).map((v) => Math.round(v * 100) / 100 + 0)).toEqual([-0.5, 0, 0, 0, -0.9]);
  });

  it('stored settings are checked: a missing or bad value is an error naming the file; none means the older blend', () => {
    expect(parseLightness(undefined, 'm/sidecar.json')).toBeNull();
    expect(parseLightness({ ...DEFAULT_LIGHTNESS }, 'm/sidecar.json')).toEqual(DEFAULT_LIGHTNESS);
    expect(() => parseLightness({ ...DEFAULT_LIGHTNESS, prototypeAdult: 'x' }, 'm/sidecar.json')).toThrow('m/sidecar.json: aging.lightness.prototypeAdult must be a number in 0..5, got "x"');
    const { fineBlur: _, ...partial } = DEFAULT_LIGHTNESS;
    expect(() => parseLightness(partial, 'm/sidecar.json')).toThrow(/m\/sidecar.json: aging.lightness.fineBlur/);
    expect(() => parseLightness([1, 2], 'm/sidecar.json')).toThrow(/must be an object/);
    expect(lightnessFromSpec('off', DEFAULT_LIGHTNESS)).toBeNull();
    expect(lightnessFromSpec('linesYounger=2', null)).toEqual({ ...DEFAULT_LIGHTNESS, linesYounger: 2 });
    expect(() => lightnessFromSpec('nope=1', null)).toThrow(LIGHTNESS_KEYS.join(', '));
    expect(lightnessFromSpec('fineLimit=12', null)?.fineLimit).toBe(12);
    expect(lightnessFromSpec('prototypeLighten=5,prototypeLimit=8,linesBlurYounger=0.06', null)).toMatchObject({ prototypeLighten: 5, prototypeLimit: 8, linesBlurYounger: 0.06 });
    expect(() => parseLightness({ ...DEFAULT_LIGHTNESS, prototypeLighten: -1 }, 'm/sidecar.json')).toThrow('m/sidecar.json: aging.lightness.prototypeLighten must be a number in 0..100, got -1');
  });

  it("the prototypes' change is held within prototypeLimit, their lightening going older within prototypeLighten", () => {
    const size = 32;
    const n = size * size;
    const decodes = new Float32Array(2 * n * 3);
    // The prototypes lighten the left half by 30 levels and darken the right half by 30.
    const prototype = Float32Array.from({ length: n * 3 }, (_, i) => (((i / 3) | 0) % size < size / 2 ? 30 : -30));
    const w = { ...lightnessWeights(DEFAULT_LIGHTNESS, 40, 70), decoder: 0, broad: 0, prototype: 1 };
    const at = (d: Float32Array, x: number): number => d[(16 * size + x) * 3]!;
    const plain = lightnessChange(DEFAULT_LIGHTNESS, { size, decodes, target: 1, gain: 1, prototype, faceWidth: 20, weights: w });
    expect([at(plain, 4), at(plain, 28)].map((v) => Math.round(v))).toEqual([30, -30]);
    const held = { ...DEFAULT_LIGHTNESS, prototypeLimit: 20, prototypeLighten: 5 };
    const older = lightnessChange(held, { size, decodes, target: 1, gain: 1, prototype, faceWidth: 20, weights: { ...lightnessWeights(held, 40, 70), decoder: 0, broad: 0, prototype: 1 } });
    expect(at(older, 4)).toBeCloseTo(20 * Math.tanh((5 * Math.tanh(6)) / 20), 3);
    expect(at(older, 28)).toBeCloseTo(-20 * Math.tanh(1.5), 3);
    // Going younger the face may lighten (lines and beard shadow fade): only prototypeLimit holds it.
    const younger = lightnessChange(held, { size, decodes, target: 1, gain: 1, prototype, faceWidth: 20, weights: { ...lightnessWeights(held, 70, 40), decoder: 0, broad: 0, prototype: 1 } });
    expect(at(younger, 4)).toBeCloseTo(20 * Math.tanh(1.5), 3);
  });
});


describe('the lightness change keeps each pixel\'s own colour', () => {
  it('sRGB -> CIELAB -> sRGB is the identity, and a darkened skin pixel keeps its a*, b*', async () => {
    const { labToRgb, lightnessOf, rgbToLab } = await import('../ml/aging/lab.js');
    const { cropChroma } = await import('../ml/aging/detail-change.js');
    for (const p of [[200, 150, 130], [60, 40, 30], [128, 128, 128], [250, 240, 10]] as const) {
      const back = labToRgb(...rgbToLab(...p));
      back.forEach((v, c) => expect(v).toBeCloseTo(p[c]!, 3));
      expect(lightnessOf(...p)).toBeCloseTo(rgbToLab(...p)[0], 6);
    }
    const size = 8;
    const n = size * size;
    const crop = new Uint8Array(n * 3);
    for (let i = 0; i < n; i++) crop.set([200, 150, 130], i * 3);
    const prototype = new Float32Array(n * 3).fill(-20);
    const w = { ...lightnessWeights(DEFAULT_LIGHTNESS, 40, 70), decoder: 0, broad: 0, colour: 0 };
    const d = lightnessChange(DEFAULT_LIGHTNESS, { size, decodes: new Float32Array(2 * n * 3), target: 1, gain: 1, prototype, faceWidth: 6, weights: w, crop: { rgb: crop, chroma: cropChroma(crop, n) } });
    const before = rgbToLab(200, 150, 130);
    const after = rgbToLab(200 + d[0]!, 150 + d[1]!, 130 + d[2]!);
    expect(after[0]).toBeLessThan(before[0] - 5);
    expect(Math.abs(after[1] - before[1]) + Math.abs(after[2] - before[2])).toBeLessThan(0.05);
  });
});

describe('the table of real faces\' detail by age (detail-energy.json)', () => {
  it('fits with running sums, gives a ratio map of 1 between equal ages, and a bad file is an error naming it', async () => {
    const fs = await import('node:fs');
    const os = await import('node:os');
    const path = await import('node:path');
    const { DetailEnergyFit, DETAIL_ENERGY_FILE, detailRatioMap, loadDetailEnergy } = await import('../ml/aging/detail-energy.js');
    const size = 32;
    const fit = new DetailEnergyFit(size, 1);
    // Smooth "young" crops, lined "old" ones.
    for (let k = 0; k < 20; k++) {
      const young = new Uint8Array(size * size * 3).fill(150);
      const old = new Uint8Array(size * size * 3);
      for (let i = 0; i < size * size; i++) old.fill(i % 4 < 2 ? 120 : 180, i * 3, i * 3 + 3);
      fit.add(young, 10, 'male');
      fit.add(old, 70, 'male');
    }
    const table = fit.result();
    expect(table.crops).toBe(40);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'detail-energy-'));
    expect(loadDetailEnergy(dir)).toBeNull();
    fs.writeFileSync(path.join(dir, DETAIL_ENERGY_FILE), JSON.stringify(table));
    const loaded = loadDetailEnergy(dir)!;
    const same = detailRatioMap(loaded, 'male', 40, 40, size);
    expect(Math.max(...same.map((v) => Math.abs(v - 1)))).toBeLessThan(1e-6);
    // Going younger from 70 to 10 the lines fade (ratio well below 1); older, they deepen.
    expect(detailRatioMap(loaded, 'male', 70, 10, size)[16 * size + 16]).toBeLessThan(0.2);
    expect(detailRatioMap(loaded, 'male', 10, 70, size)[16 * size + 16]).toBeGreaterThan(5);
    fs.writeFileSync(path.join(dir, DETAIL_ENERGY_FILE), JSON.stringify({ ...table, knots: [0, 5, 3] }));
    expect(() => loadDetailEnergy(dir)).toThrow(`${path.join(dir, DETAIL_ENERGY_FILE)}: knots must be increasing numbers`);
    fs.writeFileSync(path.join(dir, DETAIL_ENERGY_FILE), '{"format":');
    expect(() => loadDetailEnergy(dir)).toThrow(path.join(dir, DETAIL_ENERGY_FILE));
    fs.rmSync(dir, { recursive: true, force: true });
  });
});

describe('a model folder without the new parts', () => {
  it('ages with the older blend and says so once; a bad stored setting is an error naming the sidecar', async () => {
    const { vi } = await import('vitest');
    const { blendSettings } = await import('../ml/aging/age-face.js');
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const old = { choice: { dir: '/models/old-run' }, sidecar: { aging: { gain: 1.2 } } } as unknown as import('../ml/aging/model.js').AgingModel;
    expect(blendSettings(old, {}).lightness).toBeNull();
    expect(blendSettings(old, {}).gain).toBe(1.2);
    expect(blendSettings({ ...old } as typeof old, {}).lightness).toBeNull();
    expect(warn.mock.calls.filter((c) => String(c[0]).includes('/models/old-run/sidecar.json'))).toHaveLength(1);
    warn.mockRestore();
    const bad = { choice: { dir: '/models/bad' }, sidecar: { aging: { lightness: { ...DEFAULT_LIGHTNESS, colourChild: 7 } } } } as unknown as import('../ml/aging/model.js').AgingModel;
    expect(() => blendSettings(bad, {})).toThrow('/models/bad/sidecar.json: aging.lightness.colourChild must be a number in 0..1, got 7');
  });
});
