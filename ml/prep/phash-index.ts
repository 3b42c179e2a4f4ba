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

interface Entry {
  id: number;
  hi: number;
  lo: number;
}

function popcount32(v: number): number {
  v -= (v >>> 1) & 0x55555555;
  v = (v & 0x33333333) + ((v >>> 2) & 0x33333333);
  return (Math.imul((v + (v >>> 4)) & 0x0f0f0f0f, 0x01010101) >>> 24) & 0xff;
}

/** A 16-hex-digit hash as its high and low 32 bits, or null for anything else. */
function parse(phash: string): { hi: number; lo: number } | null {
  if (!/^[0-9a-f]{16}$/i.test(phash)) return null;
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
  /** In insertion order; a replaced crop keeps its place. */
  private readonly entries: Entry[] = [];
  private readonly slotOf = new Map<number, number>();
  private readonly chunks: { from: number; width: number }[] = [];
  private readonly buckets: Map<number, number[]>[] = [];
  /** seen[slot] === query marks a slot already measured by the current query. */
  private seen = new Uint32Array(1024);
  private query = 0;

  constructor(readonly maxDistance: number) {
    const n = maxDistance + 1;
    let from = 0;
    for (let i = 0; i < n; i++) {
      const width = Math.floor(64 / n) + (i < 64 % n ? 1 : 0);
      this.chunks.push({ from, width });
      this.buckets.push(new Map());
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
    const at = slot ?? this.entries.length;
    this.entries[at] = { id, ...v };
    this.slotOf.set(id, at);
    this.chunks.forEach((c, i) => {
      const key = bits(v.hi, v.lo, c.from, c.width);
      const list = this.buckets[i]!.get(key);
      if (list) list.push(at);
      else this.buckets[i]!.set(key, [at]);
    });
  }

  /** Crops within maxDistance of `phash` (but `exceptId`), nearest first, then in insertion order; at most `limit`. */
  near(phash: string, limit: number, exceptId?: number): PhashMatch[] {
    const q = parse(phash);
    if (!q) return [];
    if (this.seen.length < this.entries.length) this.seen = new Uint32Array(this.entries.length * 2);
    if (++this.query === 0xffffffff) {
      this.seen.fill(0);
      this.query = 1;
    }
    const seen = this.seen;
    const query = this.query;
    const found: { slot: number; distance: number }[] = [];
    this.chunks.forEach((c, i) => {
      for (const slot of this.buckets[i]!.get(bits(q.hi, q.lo, c.from, c.width)) ?? []) {
        if (seen[slot] === query) continue;
        seen[slot] = query;
        const e = this.entries[slot]!;
        if (e.id === exceptId) continue;
        const distance = popcount32((e.hi ^ q.hi) >>> 0) + popcount32((e.lo ^ q.lo) >>> 0);
        if (distance <= this.maxDistance) found.push({ slot, distance });
      }
    });
    found.sort((a, b) => a.distance - b.distance || a.slot - b.slot);
    return found.slice(0, limit).map((f) => ({ id: this.entries[f.slot]!.id, distance: f.distance }));
  }

  private unbucket(slot: number): void {
    const e = this.entries[slot]!;
    this.chunks.forEach((c, i) => {
      const key = bits(e.hi, e.lo, c.from, c.width);
      const list = this.buckets[i]!.get(key);
      if (!list) return;
      const k = list.indexOf(slot);
      if (k >= 0) list.splice(k, 1);
      if (list.length === 0) this.buckets[i]!.delete(key);
    });
  }
}
