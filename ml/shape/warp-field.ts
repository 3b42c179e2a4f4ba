import type { Point } from '../prep/geometry.js';
import { FACE_OVAL } from '../prep/landmarks.js';
import { MESH_TRIANGLES } from './mesh.js';

/**
 * A backward warp in crop space: the warped image at crop point c shows the original at c + d(c). One cell per crop
 * pixel, over the crop square grown by `origin` on every side (the fade reaches past the crop's edges).
 */
export interface WarpField {
  /** Crop px of the first cell's top-left corner (negative: the field starts outside the crop). */
  readonly origin: number;
  /** Cells per side. */
  readonly n: number;
  readonly dx: Float32Array;
  readonly dy: Float32Array;
  /** Cells where d is not zero, as [x0, y0, x1, y1) cell indices; empty when x1 <= x0. */
  readonly box: readonly [number, number, number, number];
}

export interface FieldOptions {
  /** Crop side, px. */
  readonly size: number;
  /** How far past the face oval the warp fades to nothing, as a share of the crop side. */
  readonly fade: number;
}

const COARSE = 4;
const SOR_OMEGA = 1.85;
const SOR_SWEEPS = 160;
const SMOOTH_RADIUS = 2;
const SMOOTH_PASSES = 2;

/**
 * In place: a (2r+1) box average along x, then along y; edges repeat. The y pass runs over whole rows (every column's
 * running sum at once) so that it reads the plane in order; `scratch` holds a copy of the plane.
 */
function boxBlur(plane: Float32Array, n: number, r: number, scratch: Float32Array): void {
  const k = 1 / (2 * r + 1);
  const line = scratch.subarray(0, n);
  for (let base = 0; base < n * n; base += n) {
    line.set(plane.subarray(base, base + n));
    let sum = 0;
    for (let i = -r; i <= r; i++) sum += line[Math.min(n - 1, Math.max(0, i))]!;
    for (let i = 0; i < n; i++) {
      plane[base + i] = sum * k;
      sum += line[Math.min(n - 1, i + r + 1)]! - line[Math.max(0, i - r)]!;
    }
  }
  scratch.set(plane);
  const sums = new Float64Array(n);
  for (let i = -r; i <= r; i++) {
    const row = Math.min(n - 1, Math.max(0, i)) * n;
    for (let x = 0; x < n; x++) sums[x] = sums[x]! + scratch[row + x]!;
  }
  for (let i = 0; i < n; i++) {
    const out = i * n;
    const add = Math.min(n - 1, i + r + 1) * n;
    const drop = Math.max(0, i - r) * n;
    for (let x = 0; x < n; x++) {
      plane[out + x] = sums[x]! * k;
      sums[x] = sums[x]! + (scratch[add + x]! - scratch[drop + x]!);
    }
  }
}

/**
 * The piecewise-affine warp that carries the face mesh from `source` to `target` positions (crop px, MediaPipe's 478
 * points): inside the mesh each target triangle samples its source triangle. Outside it the displacement is the
 * membrane (harmonic) continuation of the mesh's border values, falling to zero `fade` crop sides past the target face
 * oval, so hair, neck and background bend smoothly and pixels further out are untouched.
 */
export function meshWarpField(target: readonly Point[], source: readonly Point[], opts: FieldOptions): WarpField {
  const { size } = opts;
  const reach = opts.fade * size;
  const origin = -Math.ceil(reach);
  const n = size - 2 * origin;
  const dx = new Float32Array(n * n);
  const dy = new Float32Array(n * n);
  const covered = new Uint8Array(n * n);
  for (const [i, j, k] of MESH_TRIANGLES) rasterise(target[i]!, target[j]!, target[k]!, source[i]!, source[j]!, source[k]!);

  const nc = Math.ceil(n / COARSE);
  const cu = new Float32Array(nc * nc);
  const cv = new Float32Array(nc * nc);
  // The free cells (neither fixed by the mesh nor at zero), in sweep order.
  const free = new Int32Array(nc * nc);
  let nFree = 0;
  const oval = FACE_OVAL.map((i) => target[i]!);
  for (let cy = 0; cy < nc; cy++) {
    // The distance to the oval moves by at most the step between cells: the row's last one computed bounds the next.
    let known = NaN;
    let knownX = 0;
    for (let cx = 0; cx < nc; cx++) {
      const c = cy * nc + cx;
      const fx = Math.min(n - 1, cx * COARSE + (COARSE >> 1));
      const fy = Math.min(n - 1, cy * COARSE + (COARSE >> 1));
      const f = fy * n + fx;
      if (covered[f]) {
        cu[c] = dx[f]!;
        cv[c] = dy[f]!;
      } else if (!(cx === 0 || cy === 0 || cx === nc - 1 || cy === nc - 1)) {
        const step = Math.abs(fx - knownX) + 1e-6;
        let far: boolean;
        if (known - step > reach) far = true;
        else if (known + step <= reach) far = false;
        else {
          known = distanceToPolygon(fx + 0.5 + origin, fy + 0.5 + origin, oval);
          knownX = fx;
          far = known > reach;
        }
        if (!far) free[nFree++] = c;
      }
    }
  }
  for (let sweep = 0; sweep < SOR_SWEEPS; sweep++) {
    for (let i = 0; i < nFree; i++) {
      const c = free[i]!;
      cu[c] = cu[c]! + SOR_OMEGA * ((cu[c - 1]! + cu[c + 1]! + cu[c - nc]! + cu[c + nc]!) / 4 - cu[c]!);
      cv[c] = cv[c]! + SOR_OMEGA * ((cv[c - 1]! + cv[c + 1]! + cv[c - nc]! + cv[c + nc]!) / 4 - cv[c]!);
    }
  }
  for (let y = 0; y < n; y++) {
    const v = (y + 0.5) / COARSE - 0.5;
    const iv = Math.max(0, Math.min(nc - 2, Math.floor(v)));
    const fv = Math.max(0, Math.min(1, v - iv));
    for (let x = 0; x < n; x++) {
      const f = y * n + x;
      if (!covered[f]) {
        const u = (x + 0.5) / COARSE - 0.5;
        const iu = Math.max(0, Math.min(nc - 2, Math.floor(u)));
        const fu = Math.max(0, Math.min(1, u - iu));
        const c = iv * nc + iu;
        const w00 = (1 - fu) * (1 - fv), w10 = fu * (1 - fv), w01 = (1 - fu) * fv, w11 = fu * fv;
        dx[f] = w00 * cu[c]! + w10 * cu[c + 1]! + w01 * cu[c + nc]! + w11 * cu[c + nc + 1]!;
        dy[f] = w00 * cv[c]! + w10 * cv[c + 1]! + w01 * cv[c + nc]! + w11 * cv[c + nc + 1]!;
      }
    }
  }
  // The coarse membrane meets the mesh's exact values with a small step at the face oval; smoothing takes it out.
  const scratch = new Float32Array(n * n);
  for (const plane of [dx, dy]) for (let pass = 0; pass < SMOOTH_PASSES; pass++) boxBlur(plane, n, SMOOTH_RADIUS, scratch);
  let x0 = n, y0 = n, x1 = 0, y1 = 0;
  for (let y = 0; y < n; y++) {
    for (let x = 0; x < n; x++) {
      const f = y * n + x;
      if (Math.abs(dx[f]!) > 1e-3 || Math.abs(dy[f]!) > 1e-3) {
        if (x < x0) x0 = x;
        if (x >= x1) x1 = x + 1;
        if (y < y0) y0 = y;
        if (y >= y1) y1 = y + 1;
      } else {
        dx[f] = 0;
        dy[f] = 0;
      }
    }
  }
  return { origin, n, dx, dy, box: [x0, y0, x1, y1] };

  function rasterise(a: Point, b: Point, c: Point, sa: Point, sb: Point, sc: Point): void {
    const det = (b[1] - c[1]) * (a[0] - c[0]) + (c[0] - b[0]) * (a[1] - c[1]);
    if (Math.abs(det) < 1e-9) return;
    const xs = Math.max(0, Math.floor(Math.min(a[0], b[0], c[0]) - origin));
    const xe = Math.min(n - 1, Math.ceil(Math.max(a[0], b[0], c[0]) - origin));
    const ys = Math.max(0, Math.floor(Math.min(a[1], b[1], c[1]) - origin));
    const ye = Math.min(n - 1, Math.ceil(Math.max(a[1], b[1], c[1]) - origin));
    const dax = sa[0] - a[0], day = sa[1] - a[1];
    const dbx = sb[0] - b[0], dby = sb[1] - b[1];
    const dcx = sc[0] - c[0], dcy = sc[1] - c[1];
    for (let y = ys; y <= ye; y++) {
      const py = y + 0.5 + origin;
      for (let x = xs; x <= xe; x++) {
        const px = x + 0.5 + origin;
        const l1 = ((b[1] - c[1]) * (px - c[0]) + (c[0] - b[0]) * (py - c[1])) / det;
        const l2 = ((c[1] - a[1]) * (px - c[0]) + (a[0] - c[0]) * (py - c[1])) / det;
        const l3 = 1 - l1 - l2;
        if (l1 < -1e-6 || l2 < -1e-6 || l3 < -1e-6) continue;
        const f = y * n + x;
        covered[f] = 1;
        dx[f] = l1 * dax + l2 * dbx + l3 * dcx;
        dy[f] = l1 * day + l2 * dby + l3 * dcy;
      }
    }
  }
}

/** Distance from (x, y) to a closed polygon's outline, 0 inside it. */
export function distanceToPolygon(x: number, y: number, poly: readonly Point[]): number {
  let inside = false;
  let best = Infinity; // squared
  for (let i = 0, j = poly.length - 1; i < poly.length; j = i++) {
    const [xi, yi] = poly[i]!;
    const [xj, yj] = poly[j]!;
    if (yi > y !== yj > y && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) inside = !inside;
    const ex = xj - xi, ey = yj - yi;
    const len2 = ex * ex + ey * ey;
    const t = len2 > 0 ? Math.max(0, Math.min(1, ((x - xi) * ex + (y - yi) * ey) / len2)) : 0;
    const ux = x - xi - t * ex, uy = y - yi - t * ey;
    const d2 = ux * ux + uy * uy;
    if (d2 < best) best = d2;
  }
  return inside ? 0 : Math.sqrt(best);
}

/** d(c) at a crop point (continuous coordinates), bilinear; zero outside the field. */
export function sampleField(field: WarpField, x: number, y: number, out: [number, number]): [number, number] {
  const u = x - field.origin - 0.5;
  const v = y - field.origin - 0.5;
  const { n } = field;
  if (u < 0 || v < 0 || u >= n - 1 || v >= n - 1) {
    out[0] = 0;
    out[1] = 0;
    return out;
  }
  const iu = Math.floor(u), iv = Math.floor(v);
  const fu = u - iu, fv = v - iv;
  const i = iv * n + iu;
  const w00 = (1 - fu) * (1 - fv), w10 = fu * (1 - fv), w01 = (1 - fu) * fv, w11 = fu * fv;
  out[0] = w00 * field.dx[i]! + w10 * field.dx[i + 1]! + w01 * field.dx[i + n]! + w11 * field.dx[i + n + 1]!;
  out[1] = w00 * field.dy[i]! + w10 * field.dy[i + 1]! + w01 * field.dy[i + n]! + w11 * field.dy[i + n + 1]!;
  return out;
}

/** A crop-sized image (`channels` floats or bytes per pixel) warped by the field; edges are clamped. */
export function warpCropImage<T extends Float32Array | Uint8Array>(img: T, size: number, channels: number, field: WarpField): T {
  const out = img.slice() as T;
  const d: [number, number] = [0, 0];
  const round = img instanceof Uint8Array;
  const px = new Float64Array(channels);
  // A pixel centre falls on a cell centre, so pixels outside the field's box are not moved.
  const [bx0, by0, bx1, by1] = field.box;
  for (let y = Math.max(0, by0 + field.origin); y < Math.min(size, by1 + field.origin); y++) {
    for (let x = Math.max(0, bx0 + field.origin); x < Math.min(size, bx1 + field.origin); x++) {
      sampleField(field, x + 0.5, y + 0.5, d);
      if (d[0] === 0 && d[1] === 0) continue;
      const o = (y * size + x) * channels;
      bilinearPixel(img, size, channels, x + d[0], y + d[1], px);
      for (let ch = 0; ch < channels; ch++) out[o + ch] = round ? Math.round(px[ch]!) : px[ch]!;
    }
  }
  return out;
}

/**
 * Bilinear samples at pixel-index coordinates (pixel centres at integers), edges clamped: `count` channels from
 * `first`, into `out` from 0. The weights are found once for all of them.
 */
export function bilinearPixel(img: ArrayLike<number>, size: number, channels: number, u: number, v: number, out: Float64Array, first = 0, count = channels): void {
  const cu = Math.max(0, Math.min(size - 1, u));
  const cv = Math.max(0, Math.min(size - 1, v));
  const iu = Math.min(size - 2, Math.floor(cu));
  const iv = Math.min(size - 2, Math.floor(cv));
  const fu = cu - iu, fv = cv - iv;
  const base = (iv * size + iu) * channels + first;
  const r = size * channels;
  for (let k = 0; k < count; k++) {
    const i = base + k;
    out[k] = (1 - fv) * ((1 - fu) * img[i]! + fu * img[i + channels]!) + fv * ((1 - fu) * img[i + r]! + fu * img[i + r + channels]!);
  }
}

const ONE_SAMPLE = new Float64Array(1);

/** Bilinear sample of channel `ch` (bilinearPixel of that channel alone). */
export function bilinear(img: ArrayLike<number>, size: number, channels: number, u: number, v: number, ch: number): number {
  bilinearPixel(img, size, channels, u, v, ONE_SAMPLE, ch, 1);
  return ONE_SAMPLE[0]!;
}
