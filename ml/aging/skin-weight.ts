import type { Point } from '../prep/geometry.js';
import { blurPlane } from '../prep/masks.js';
import { rgbToLab } from './lab.js';

/** Mesh points on the cheeks, below the eyes and beside the nose: bare skin on nearly every face. */
const CHEEK_POINTS: readonly number[] = [50, 101, 118, 205, 280, 330, 347, 425];

/** How far from the cheeks' colour (CIELAB) a pixel may be and still count as skin: lightness varies with shading. */
const SPREAD = { lightness: 22, chroma: 9 } as const;

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1]!;
}

/**
 * Per crop pixel, how much it looks like the face's own skin (0..1): closeness in CIELAB to the median colour of its
 * cheeks (3 x 3 px round each cheek mesh point). Hair, a cap, glasses' rims and the background fall near 0, so an age
 * change meant for skin (the prototypes' lighter forehead where their hairline recedes, their darker eye sockets) stays
 * off them. Blurred by a pixel so that its edges do not draw lines.
 */
export function skinWeight(crop: ArrayLike<number>, size: number, landmarks: readonly Point[]): Float32Array {
  const n = size * size;
  const lab = new Float32Array(n * 3);
  for (let i = 0; i < n; i++) lab.set(rgbToLab(crop[i * 3]!, crop[i * 3 + 1]!, crop[i * 3 + 2]!), i * 3);
  const samples: [number[], number[], number[]] = [[], [], []];
  for (const k of CHEEK_POINTS) {
    const p = landmarks[k];
    if (!p) continue;
    for (let dy = -1; dy <= 1; dy++) {
      for (let dx = -1; dx <= 1; dx++) {
        const x = Math.min(size - 1, Math.max(0, Math.round(p[0] + dx)));
        const y = Math.min(size - 1, Math.max(0, Math.round(p[1] + dy)));
        for (let c = 0; c < 3; c++) samples[c]!.push(lab[(y * size + x) * 3 + c]!);
      }
    }
  }
  if (samples[0].length === 0) return new Float32Array(n).fill(1);
  const [L, A, B] = samples.map(median) as [number, number, number];
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const d2 = ((lab[i * 3]! - L) / SPREAD.lightness) ** 2 + ((lab[i * 3 + 1]! - A) / SPREAD.chroma) ** 2 + ((lab[i * 3 + 2]! - B) / SPREAD.chroma) ** 2;
    out[i] = Math.exp(-d2 / 2);
  }
  return blurPlane(out, size, 1);
}
