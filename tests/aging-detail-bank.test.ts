import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import type { Point } from '../ml/prep/geometry.js';
import { BANK_BINS, BANK_REGIONS, bankDetail, DETAIL_BANK_FILE, DetailBankBuilder, loadDetailBank, parseDetailBank, regionBox, regionEnergy, sourceRejection } from '../ml/aging/detail-bank.js';
import { bankLift, bankSkin, modelDetailBank } from '../ml/aging/bank-lift.js';
import { lightnessFromSpec, lightnessWeights, parseLightness, DEFAULT_LIGHTNESS } from '../ml/aging/detail-change.js';
import type { AgingModel } from '../ml/aging/model.js';

const S = 128;
/** Mesh points: all off the crop but the regions' anchors (and, when asked, an eye point). */
function meshPoints(eyeAt?: Point): Point[] {
  const pts: Point[] = Array.from({ length: 468 }, () => [-1000, -1000] as Point);
  const anchors: Record<number, Point> = { 151: [64, 20], 33: [40, 54], 263: [88, 54], 145: [47, 56], 374: [81, 56], 205: [45, 75], 425: [83, 75], 61: [50, 92], 291: [78, 92], 152: [64, 118] };
  for (const [i, p] of Object.entries(anchors)) pts[Number(i)] = p;
  if (eyeAt) pts[159] = eyeAt;
  return pts;
}
const CHEEK = BANK_REGIONS.findIndex((r) => r.name === 'cheek-right');

/** A flat grey crop with `draw(x, y)` levels added to its luma (all channels alike). */
function crop(draw: (x: number, y: number) => number, base = 150): Uint8Array {
  const out = new Uint8Array(S * S * 3);
  for (let y = 0; y < S; y++) for (let x = 0; x < S; x++) for (let c = 0; c < 3; c++) out[(y * S + x) * 3 + c] = Math.max(0, Math.min(255, Math.round(base + draw(x, y))));
  return out;
}
/** Dark vertical lines 1.5 px wide, `depth` levels, every 6 px across the crop. */
const lines = (depth: number) => (x: number) => -depth * Math.exp(-(((x % 6) - 3) ** 2) / (2 * 0.75 ** 2));
const slotOf = (g: number, age: number, region: number) => (g * BANK_BINS.length + BANK_BINS.findLastIndex((b) => age >= b)) * BANK_REGIONS.length + region;
const energy = (p: Float32Array) => p.reduce((a, v) => a + v * v, 0) / p.length;

describe('the detail bank: real faces lines by gender, age bin and region', () => {
  it('keeps a fixed number of patches per slot whatever the number of crops (reservoir), and reads back what it wrote', () => {
    const sizes = [100, 400].map((n) => {
      const b = new DetailBankBuilder(S, 2.5, 4);
      for (let k = 0; k < n; k++) b.add(crop(lines(8 + (k % 5))), meshPoints(), 70, 'male');
      const stats = b.stats();
      expect(stats.crops).toBe(n);
      expect(stats.patches).toBe(4 * BANK_REGIONS.length);
      return b.serialize().length;
    });
    expect(sizes[0]).toBe(sizes[1]);
    const b = new DetailBankBuilder(S, 2.5, 3);
    b.add(crop(lines(10)), meshPoints(), 72, 'female');
    const bank = parseDetailBank(b.serialize(), 'x.bin');
    const slot = bank.slots[slotOf(1, 72, CHEEK)]!;
    expect(slot.patches).toHaveLength(1);
    const { w, h } = regionBox(BANK_REGIONS[CHEEK]!, S);
    expect(slot.patches[0]).toHaveLength(w * h);
    // Lines 10 deep come back as lines: a fine band of a few levels RMS, quantised to a quarter level.
    expect(Math.sqrt(energy(slot.patches[0]!))).toBeGreaterThan(1.5);
    expect(bank.slots[slotOf(0, 72, CHEEK)]!.patches).toHaveLength(0);
  });

  it('stores lines, not blobs, and leaves out hard edges (glasses rims, text)', () => {
    const b = new DetailBankBuilder(S, 2.5, 8);
    b.add(crop(lines(10)), meshPoints(), 65, 'male');
    b.add(crop((x, y) => -12 * Math.exp(-((x - 45) ** 2 + (y - 77) ** 2) / (2 * 2.5 ** 2))), meshPoints(), 65, 'female');
    const bank = parseDetailBank(b.serialize(), 'x.bin');
    const line = energy(bank.slots[slotOf(0, 65, CHEEK)]!.patches[0]!);
    const blob = energy(bank.slots[slotOf(1, 65, CHEEK)]!.patches[0]!);
    expect(blob).toBeLessThan(0.1 * line);
    const edged = new DetailBankBuilder(S, 2.5, 8);
    edged.add(crop((x) => (x >= 45 ? -120 : 0)), meshPoints(), 65, 'male');
    expect(edged.stats().rejectedEdge).toBeGreaterThan(0);
    expect(parseDetailBank(edged.serialize(), 'x.bin').slots[slotOf(0, 65, CHEEK)]!.patches).toHaveLength(0);
  });

  it('rejects flagged, low-quality, turned and blurry sources', () => {
    expect(sourceRejection({ quality: 0.3, flags: [], yaw: 3, pitch: -4, blur: 900 })).toBeNull();
    expect(sourceRejection({ quality: 0.3, flags: ['blurry'], blur: 900 })).toBe('flagged blurry');
    expect(sourceRejection({ quality: 0.05, flags: [] })).toBe('low quality');
    expect(sourceRejection({ quality: 0.3, flags: [], yaw: 25 })).toBe('turned');
    expect(sourceRejection({ quality: 0.3, flags: [], blur: 40 })).toBe('blurry');
  });

  it("borrows, per region, the lines of the source whose shading is like the face's, scaled to what real faces gain between the ages", () => {
    const b = new DetailBankBuilder(S, 2.5, 8);
    // Young faces: smooth. Old faces: vertical lines on a left-to-right gradient, or horizontal ones on flat skin.
    for (let k = 0; k < 3; k++) b.add(crop(() => 0), meshPoints(), 25, 'male');
    b.add(crop((x) => (x - 64) * 0.8 + lines(10)(x)), meshPoints(), 75, 'male');
    b.add(crop((_, y) => lines(10)(y)), meshPoints(), 75, 'male');
    const bank = parseDetailBank(b.serialize(), 'x.bin');
    expect(regionEnergy(bank, 'male', CHEEK, 75)).toBeGreaterThan(regionEnergy(bank, 'male', CHEEK, 25) + 1);
    const { w, h } = regionBox(BANK_REGIONS[CHEEK]!, S);
    const [cx, cy] = [45 - 0.025 * S, 75 + 0.02 * S];
    // Variation along x and along y inside the cheek's patch: vertical lines vary along x.
    const along = (d: Float32Array) => {
      let ax = 0;
      let ay = 0;
      for (let y = Math.round(cy - h / 4); y < cy + h / 4; y++) for (let x = Math.round(cx - w / 4); x < cx + w / 4; x++) {
        ax += Math.abs(d[y * S + x + 1]! - d[y * S + x]!);
        ay += Math.abs(d[(y + 1) * S + x]! - d[y * S + x]!);
      }
      return { ax, ay };
    };
    const graded = along(bankDetail(bank, crop((x) => (x - 64) * 0.8), meshPoints(), 'male', 25, 75, 1));
    expect(graded.ax).toBeGreaterThan(3 * graded.ay);
    const flat = along(bankDetail(bank, crop(() => 0), meshPoints(), 'male', 25, 75, 1));
    expect(flat.ay).toBeGreaterThan(3 * flat.ax);
    // Nothing where real faces gain nothing: between the same ages, and going younger.
    expect(bankDetail(bank, crop(() => 0), meshPoints(), 'male', 75, 75, 1).every((v) => v === 0)).toBe(true);
    const faceMask = new Uint8Array(S * S).fill(255);
    const input = { crop: crop(() => 0), size: S, landmarks: meshPoints([47, 80]), skin: bankSkin(faceMask, meshPoints([47, 80]), S, 70), gender: 'male' as const, sourceAge: 25, targetAge: 75, weight: 4, candidates: 3, soften: 0 };
    expect(bankLift(bank, { ...input, targetAge: 20 })).toBeNull();
    const lift = bankLift(bank, input)!;
    // Darkening lines on the cheek, lightening damped, none on the face's own eye (a point put on the cheek).
    const cheek = Array.from({ length: 12 }, (_, k) => lift[(72 + k) * S + 36]!);
    expect(Math.min(...cheek)).toBeLessThan(-3);
    expect(Math.max(...cheek)).toBeLessThan(-0.6 * Math.min(...cheek));
    expect(Math.abs(lift[80 * S + 47]!)).toBeLessThan(0.05);
  });

  it('a bad file is an error naming it; a model folder without one ages as before and says so once', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bank-'));
    expect(loadDetailBank(dir)).toBeNull();
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    const model = { choice: { dir } } as unknown as AgingModel;
    expect(modelDetailBank(model)).toBeNull();
    expect(modelDetailBank({ choice: { dir } } as unknown as AgingModel)).toBeNull();
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn.mock.calls[0]![0]).toContain(DETAIL_BANK_FILE);
    const file = path.join(dir, DETAIL_BANK_FILE);
    fs.writeFileSync(file, 'not a bank');
    expect(() => loadDetailBank(dir)).toThrow(`${file}: not a chronoface detail bank`);
    const b = new DetailBankBuilder(S, 2.5, 2);
    b.add(crop(lines(8)), meshPoints(), 40, 'female');
    fs.writeFileSync(file, b.serialize().subarray(0, -10));
    expect(() => loadDetailBank(dir)).toThrow(`${file}: truncated`);
    vi.restoreAllMocks();
  });
});

describe('bankOlder, bankChild and bankMatch settings', () => {
  it('are optional (none: no bank lines) and range-checked', () => {
    expect(lightnessWeights(DEFAULT_LIGHTNESS, 30, 70).bank).toBe(0);
    const l = lightnessFromSpec('bankOlder=4,bankChild=1', null)!;
    expect(lightnessWeights(l, 30, 70).bank).toBe(4);
    expect(lightnessWeights(l, 8, 70).bank).toBe(1);
    expect(lightnessWeights(l, 15, 70).bank).toBeCloseTo(2.5);
    expect(lightnessWeights(l, 70, 30).bank).toBe(0);
    expect(lightnessWeights(lightnessFromSpec('bankOlder=4', null)!, 5, 70).bank).toBe(4);
    expect(() => parseLightness({ ...DEFAULT_LIGHTNESS, bankOlder: 13 }, 'side.json')).toThrow('side.json: aging.lightness.bankOlder must be a number in 0..12, got 13');
    expect(() => parseLightness({ ...DEFAULT_LIGHTNESS, bankMatch: 2.5 }, 'side.json')).toThrow('side.json: aging.lightness.bankMatch must be a whole number, got 2.5');
  });
});
