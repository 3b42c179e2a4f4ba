/** Contrast-limited adaptive histogram equalisation of the luminance of an RGB image, blended by `strength`;
 *  chroma is kept (the luminance change is added to every channel). */
export function claheRgb(rgb: Buffer, width: number, height: number, opts: { clipLimit: number; tiles: number; strength: number }): Buffer {
  const n = width * height;
  const lum = new Uint8Array(n);
  for (let i = 0, j = 0; i < n; i++, j += 3) lum[i] = Math.round(0.299 * rgb[j]! + 0.587 * rgb[j + 1]! + 0.114 * rgb[j + 2]!);
  const tiles = Math.max(1, Math.round(opts.tiles));
  const tw = width / tiles;
  const th = height / tiles;
  // Per-tile mapping tables.
  const maps: Uint8Array[] = [];
  const hist = new Uint32Array(256);
  for (let ty = 0; ty < tiles; ty++) {
    for (let tx = 0; tx < tiles; tx++) {
      hist.fill(0);
      const x0 = Math.floor(tx * tw), x1 = Math.floor((tx + 1) * tw);
      const y0 = Math.floor(ty * th), y1 = Math.floor((ty + 1) * th);
      const count = Math.max(1, (x1 - x0) * (y1 - y0));
      for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) hist[lum[y * width + x]!]!++;
      const limit = Math.max(1, Math.floor((opts.clipLimit * count) / 256));
      let excess = 0;
      for (let b = 0; b < 256; b++) {
        if (hist[b]! > limit) {
          excess += hist[b]! - limit;
          hist[b] = limit;
        }
      }
      const add = Math.floor(excess / 256);
      let rest = excess - add * 256;
      for (let b = 0; b < 256; b++) hist[b]! += add + (rest-- > 0 ? 1 : 0);
      const map = new Uint8Array(256);
      let cdf = 0;
      for (let b = 0; b < 256; b++) {
        cdf += hist[b]!;
        map[b] = Math.min(255, Math.round((cdf * 255) / count));
      }
      maps.push(map);
    }
  }
  const out = Buffer.allocUnsafe(rgb.length);
  const s = opts.strength;
  for (let y = 0; y < height; y++) {
    const gy = Math.min(tiles - 1, Math.max(0, (y + 0.5) / th - 0.5));
    const y0 = Math.floor(gy);
    const y1 = Math.min(tiles - 1, y0 + 1);
    const fy = gy - y0;
    for (let x = 0; x < width; x++) {
      const gx = Math.min(tiles - 1, Math.max(0, (x + 0.5) / tw - 0.5));
      const x0 = Math.floor(gx);
      const x1 = Math.min(tiles - 1, x0 + 1);
      const fx = gx - x0;
      const i = y * width + x;
      const v = lum[i]!;
      const eq =
        (1 - fy) * ((1 - fx) * maps[y0 * tiles + x0]![v]! + fx * maps[y0 * tiles + x1]![v]!) +
        fy * ((1 - fx) * maps[y1 * tiles + x0]![v]! + fx * maps[y1 * tiles + x1]![v]!);
      const delta = s * (eq - v);
      const j = i * 3;
      out[j] = clamp(rgb[j]! + delta);
      out[j + 1] = clamp(rgb[j + 1]! + delta);
      out[j + 2] = clamp(rgb[j + 2]! + delta);
    }
  }
  return out;
}

function clamp(v: number): number {
  return v < 0 ? 0 : v > 255 ? 255 : Math.round(v);
}
