/**
 * The crops' 64-bit perceptual hashes, searchable by Hamming distance without reading them all (multi-index hashing):
 * the 64 bits are cut into maxDistance + 1 chunks, and two hashes within maxDistance of each other agree exactly on at
 * least one chunk. A query reads the crops that share one of its chunks and measures only those. At 500,000 crops a
 * scan of every hash took about 650 ms per prepared face.
 */

export interface PhashMatch {
  id: number;
  distance: number;
}

function popcount32(v: number): number {
  v -= (v >>> 1) & 0x55555555;
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return (Math.imul((v + (v >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24) & 0xff;
}

const HEX16 = /^[0-9a-f]{16}$/i;

/** A 16-hex-digit hash as its high and low 32 bits, or null for anything else. */
function parse(phash: string): { hi: number; lo: number } | null {
  if (phash.length !== 16 || !HEX16.test(phash)) return null;
  return { hi: parseInt(phash.slice(0, 8), 16) >>> 0, lo: parseInt(phash.slice(8), 16) >>> 0 };
}

/** Bits [from, from + width) of the 64-bit value hi:lo, counted from the most significant bit (width <= 31). */
function bits(hi: number, lo: number, from: number, width: number): number {
  const mask = 2 ** width - 1;
  const end = from + width;
  if (end <= 32) return (hi >>> (32 - end)) & mask;
  if (from >= 32) return (lo >>> (64 - end)) & mask;
  // Spans the two words: the low (32 - from) bits of hi, then the high (end - 32) bits of lo.
  const tail = end - 32;
  return ((((hi & (2 ** (32 - from) - 1)) * 2 ** tail) + (lo >>> (32 - tail))) & mask) >>> 0;
}

export class PhashIndex {
  /** Per slot (a replaced crop keeps its slot): typed arrays, so half a million hashes make no garbage. */
  private ids = new Float64Array(1024);
  private his = new Uint32Array(1024);
  private los = new Uint32Array(1024);
  private slots = 0;
  private readonly slotOf = new Map<number, number>();
  private readonly chunks: { from: number; width: number }[] = [];
  /** Per chunk, the slots by the chunk's value (at most 2^10 values: dense arrays beat maps here). */
  private readonly buckets: (number[] | undefined)[][] = [];
  /** seen[slot] === query marks a slot already measured by the current query. */
  private seen = new Uint32Array(1024);
  private query = 0;

  constructor(readonly maxDistance: number) {
    const n = maxDistance + 1;
    let from = 0;
    for (let i = 0; i < n; i++) {
      const width = Math.floor(64 / n) + (i < 64 % n ? 1 : 0);
      this.chunks.push({ from, width });
      this.buckets.push(new Array<number[] | undefined>(2 ** width));
      from += width;
    }
  }

  get size(): number {
    return this.slotOf.size;
  }

  /** Adds a crop's hash, or replaces the one it had. A hash that is not 16 hex digits is not indexed (it matches nothing). */
  set(id: number, phash: string): void {
    const slot = this.slotOf.get(id);
    if (slot !== undefined) this.unbucket(slot);
    const v = parse(phash);
    if (!v) {
      if (slot !== undefined) this.slotOf.delete(id);
      return;
    }
    const at = slot ?? this.slots++;
    if (at >= this.ids.length) this.grow();
    this.ids[at] = id;
    this.his[at] = v.hi;
    this.los[at] = v.lo;
    this.slotOf.set(id, at);
    this.chunks.forEach((c, i) => {
      const key = bits(v.hi, v.lo, c.from, c.width);
      const list = this.buckets[i]![key];
      if (list) list.push(at);
      else this.buckets[i]![key] = [at];
    });
  }

  /** Crops within maxDistance of `phash` (but `exceptId`), nearest first, then by id; at most `limit`. */
  near(phash: string, limit: number, exceptId?: number): PhashMatch[] {
    const q = parse(phash);
    if (!q) return [];
    if (this.seen.length < this.slots) this.seen = new Uint32Array(this.ids.length);
    if (++this.query === 0xffffffff) {
      this.seen.fill(0);
      this.query = 1;
    }
    const seen = this.seen;
    const query = this.query;
    const found: { slot: number; distance: number }[] = [];
    this.chunks.forEach((c, i) => {
      for (const slot of this.buckets[i]![bits(q.hi, q.lo, c.from, c.width)] ?? []) {
        if (seen[slot] === query) continue;
        seen[slot] = query;
        if (this.ids[slot] === exceptId) continue;
        const distance = popcount32((this.his[slot]! ^ q.hi) >>> 0) + popcount32((this.los[slot]! ^ q.lo) >>> 0);
        if (distance <= this.maxDistance) found.push({ slot, distance });
      }
    });
    found.sort((a, b) => a.distance - b.distance || this.ids[a.slot]! - this.ids[b.slot]!);
    return found.slice(0, limit).map((f) => ({ id: this.ids[f.slot]!, distance: f.distance }));
  }

  private grow(): void {
    const n = this.ids.length * 2;
    const ids = new Float64Array(n);
    const his = new Uint32Array(n);
    const los = new Uint32Array(n);
    ids.set(this.ids);
    his.set(this.his);
    los.set(this.los);
    [this.ids, this.his, this.los] = [ids, his, los];
  }

  private unbucket(slot: number): void {
    this.chunks.forEach((c, i) => {
      const key = bits(this.his[slot]!, this.los[slot]!, c.from, c.width);
      const list = this.buckets[i]![key];
      if (!list) return;
      const k = list.indexOf(slot);
      if (k >= 0) list.splice(k, 1);
      if (list.length === 0) this.buckets[i]![key] = undefined;
    });
  }
}
