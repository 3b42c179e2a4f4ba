/** Bits of each channel that pick a cell of the colour cube, and of the coarser cells the cells' lists are drawn from. */
const CELL_BITS = 5;
const PARENT_BITS = 3;
/** Colours remembered by PaletteSearch: a direct-mapped table small enough for the processor's cache. */
const REMEMBER_BITS = 16;
/** Rounding slack of the stopping test (distances are square roots). */
const SLACK = 1e-6;

/** Squared distance from v to the nearest value of [a, a + side). */
function nearSq(v: number, a: number, side: number): number {
  const d = v < a ? a - v : v > a + side - 1 ? v - a - side + 1 : 0;
  return d * d;
}

/** Squared distance from v to the farthest value of [a, a + side). */
function farSq(v: number, a: number, side: number): number {
  const lo = v - a;
  const hi = a + side - 1 - v;
  const d = lo > hi ? lo : hi;
  return d * d;
}

/**
 * Exact nearest-colour search: the colour cube is cut into cells, and for each cell (on first use) only the palette
 * colours whose nearest possible distance to the cell beats every colour's farthest are kept, usually a handful (drawn
 * from the list of the coarser cell around it, which holds every colour that can be nearest there). A cell's list is
 * sorted by distance from the cell's centre, so a search stops at the first colour whose distance from the centre,
 * less the pixel's, exceeds the best distance found (the triangle inequality: no later colour can be nearer). The
 * colours last looked up are remembered (a photo repeats its colours), each with its whole RGB, so a hit is exact.
 */
export class PaletteSearch {
  /** Per cell, the start of its candidates in `pool` + 1 (0: not listed yet); the list ends at the next -1. */
  private readonly cells = new Int32Array(1 << (3 * CELL_BITS));
  private readonly parents = new Int32Array(1 << (3 * PARENT_BITS));
  /** Candidate lists (palette indices, each list ending with -1) and each candidate's distance from its cell's centre. */
  private pool = new Int16Array(8192);
  private centre = new Float64Array(8192);
  private used = 0;
  private all = new Int16Array(0);
  private readonly seen = new Int32Array(1 << REMEMBER_BITS);
  private readonly seenIndex = new Uint8Array(1 << REMEMBER_BITS);
  private palette: Uint8Array = new Uint8Array(0);

  constructor(palette: Uint8Array) {
    this.reset(palette);
  }

  /** Searches `palette` from now on, reusing the tables (a GIF quantises every frame with a palette of its own). */
  reset(palette: Uint8Array): void {
    this.palette = palette;
    const n = palette.length / 3;
    this.all = new Int16Array(n + 1);
    for (let i = 0; i < n; i++) this.all[i] = i;
    this.all[n] = -1;
    this.cells.fill(0);
    this.parents.fill(0);
    this.seen.fill(-1);
    this.used = 0;
  }

  /**
   * Lists the colours of `list` (from `from` to its -1) that can be nearest to a point of the cube of `side` at
   * (r0, g0, b0), sorted by distance from its centre (of equals, the lower index first); returns where the list starts.
   */
  private select(list: Int16Array, from: number, r0: number, g0: number, b0: number, side: number): number {
    const { palette } = this;
    let bound = Infinity;
    let count = 0;
    for (let j = from, i = list[j]!; i >= 0; i = list[++j]!) {
      const far = farSq(palette[i * 3]!, r0, side) + farSq(palette[i * 3 + 1]!, g0, side) + farSq(palette[i * 3 + 2]!, b0, side);
      if (far < bound) bound = far;
      count++;
    }
    if (this.used + count + 1 > this.pool.length) {
      const size = Math.max(2 * this.pool.length, this.used + count + 1);
      const pool = new Int16Array(size);
      pool.set(this.pool);
      const centre = new Float64Array(size);
      centre.set(this.centre);
      if (list === this.pool) list = pool;
      this.pool = pool;
      this.centre = centre;
    }
    const { pool, centre } = this;
    const start = this.used;
    const mid = (side - 1) / 2;
    let at = start;
    for (let j = from, i = list[j]!; i >= 0; i = list[++j]!) {
      const r = palette[i * 3]!, g = palette[i * 3 + 1]!, b = palette[i * 3 + 2]!;
      if (nearSq(r, r0, side) + nearSq(g, g0, side) + nearSq(b, b0, side) > bound) continue;
      const dist = Math.sqrt((r - r0 - mid) ** 2 + (g - g0 - mid) ** 2 + (b - b0 - mid) ** 2);
      // Insertion into the sorted list (short: a handful of colours).
      let k = at++;
      while (k > start && (centre[k - 1]! > dist || (centre[k - 1] === dist && pool[k - 1]! > i))) {
        pool[k] = pool[k - 1]!;
        centre[k] = centre[k - 1]!;
        k--;
      }
      pool[k] = i;
      centre[k] = dist;
    }
    pool[at++] = -1;
    this.used = at;
    return start;
  }

  private listCell(cell: number, r: number, g: number, b: number): number {
    const shift = 8 - PARENT_BITS;
    const parent = ((r >> shift) << (2 * PARENT_BITS)) | ((g >> shift) << PARENT_BITS) | (b >> shift);
    let from = this.parents[parent]! - 1;
    if (from < 0) {
      from = this.select(this.all, 0, (r >> shift) << shift, (g >> shift) << shift, (b >> shift) << shift, 1 << shift);
      this.parents[parent] = from + 1;
    }
    const s = 8 - CELL_BITS;
    const start = this.select(this.pool, from, (r >> s) << s, (g >> s) << s, (b >> s) << s, 1 << s);
    this.cells[cell] = start + 1;
    return start;
  }

  /** The index of the nearest colour (squared RGB distance; of equals, the lowest index). */
  nearest(r: number, g: number, b: number): number {
    const colour = (r << 16) | (g << 8) | b;
    const slot = Math.imul(colour, 0x9e3779b1) >>> (32 - REMEMBER_BITS);
    if (this.seen[slot] === colour) return this.seenIndex[slot]!;
    const s = 8 - CELL_BITS;
    const cell = ((r >> s) << (2 * CELL_BITS)) | ((g >> s) << CELL_BITS) | (b >> s);
    const at = this.cells[cell]!;
    let j = at > 0 ? at - 1 : this.listCell(cell, r, g, b);
    const { palette, pool, centre } = this;
    let best = pool[j]!;
    if (pool[j + 1]! >= 0) {
      const mid = ((1 << s) - 1) / 2;
      const here = Math.sqrt((r - ((r >> s) << s) - mid) ** 2 + (g - ((g >> s) << s) - mid) ** 2 + (b - ((b >> s) << s) - mid) ** 2);
      let bestD = Infinity;
      let reach = Infinity;
      for (let i = best; i >= 0; i = pool[++j]!) {
        if (centre[j]! > reach) break;
        const dr = palette[i * 3]! - r, dg = palette[i * 3 + 1]! - g, db = palette[i * 3 + 2]! - b;
        const d = dr * dr + dg * dg + db * db;
        if (d < bestD || (d === bestD && i < best)) {
          bestD = d;
          best = i;
          reach = here + Math.sqrt(d) + SLACK;
        }
      }
    }
    this.seen[slot] = colour;
    this.seenIndex[slot] = best;
    return best;
  }
}
