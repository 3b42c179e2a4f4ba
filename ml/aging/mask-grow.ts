import { feather } from '../prep/masks.js';

/**
 * The face mask grown outwards by `grow` crop sides (a disc-shaped dilation of where it is above half), then feathered
 * by size / 40 again: the hairline, temples and jaw then take part of the change. Outside the person the decodes agree
 * (training crops are composited on grey), so the change there is near zero and a generous mask costs nothing.
 */
export function growMask(mask: Uint8Array, size: number, grow: number): Uint8Array {
  if (!(grow > 0)) return mask;
  const r = Math.max(1, Math.round(grow * size));
  const inside = new Uint8Array(size * size);
  for (let i = 0; i < inside.length; i++) inside[i] = mask[i]! >= 128 ? 1 : 0;
  // Row-wise distance to the nearest inside pixel, then a disc test over rows: exact dilation by a disc of radius r.
  const rowDist = new Float32Array(size * size).fill(Infinity);
  for (let y = 0; y < size; y++) {
    let last = -Infinity;
    for (let x = 0; x < size; x++) {
      if (inside[y * size + x]) last = x;
      rowDist[y * size + x] = x - last;
    }
    last = Infinity;
    for (let x = size - 1; x >= 0; x--) {
      if (inside[y * size + x]) last = x;
      rowDist[y * size + x] = Math.min(rowDist[y * size + x]!, last - x);
    }
  }
  const hard = Buffer.alloc(size * size);
  const r2 = r * r;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      for (let dy = -r; dy <= r; dy++) {
        const yy = y + dy;
        if (yy < 0 || yy >= size) continue;
        const dx = rowDist[yy * size + x]!;
        if (dx * dx + dy * dy <= r2) {
          hard[y * size + x] = 255;
          break;
        }
      }
    }
  }
  const soft = feather(hard, size, size / 40);
  const out = new Uint8Array(size * size);
  for (let i = 0; i < out.length; i++) out[i] = Math.max(soft[i]!, mask[i]!);
  return out;
}
