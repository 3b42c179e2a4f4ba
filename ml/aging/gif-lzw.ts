/** GIF's variable-length LZW (GIF89a appendix F), 12-bit codes at most, written as the image's data sub-blocks. */

const MAX_CODE = 4096;
const CODE_BITS = 12;
/** Slots of the dictionary's hash table: twice the codes it can hold, and small enough to stay in the processor's cache. */
const HASH_BITS = 13;
const HASH_MASK = (1 << HASH_BITS) - 1;
/** Chunks hold whole sub-blocks (a length byte and 255 data bytes), so a sub-block never spans two chunks. */
const CHUNK = 256 * 256;

/**
 * lzwEncode's table of the codes of runs of one index (2 MB), kept between calls: an entry is read only after this call
 * wrote it (lengths up to runMax, which starts at 1 each time, and length 1 is set first).
 */
const RUN_CODE = new Int16Array(256 << CODE_BITS);

/** Bytes in 255-byte sub-blocks, kept as a list of chunks so a 100-MP image never needs one huge buffer to grow. */
class SubBlockWriter {
  private readonly chunks: Buffer[] = [];
  /** The first chunk opens with `head` (the minimum code size byte), then whole sub-blocks. */
  private chunk = Buffer.alloc(CHUNK + 1);
  /** Where the current sub-block's length byte goes, and its data bytes so far. */
  private lengthAt = 1;
  private count = 0;
  private at = 2;

  constructor(head: number) {
    this.chunk[0] = head;
  }

  byte(v: number): void {
    this.chunk[this.at++] = v;
    if (++this.count < 255) return;
    this.chunk[this.lengthAt] = 255;
    if (this.at === this.chunk.length) {
      this.chunks.push(this.chunk);
      this.chunk = Buffer.alloc(CHUNK);
      this.at = 0;
    }
    this.lengthAt = this.at++;
    this.count = 0;
  }

  /** The head byte, the sub-blocks and the block terminator. */
  finish(): Buffer {
    let end = this.at;
    if (this.count > 0) this.chunk[this.lengthAt] = this.count;
    else end = this.lengthAt;
    return Buffer.concat([...this.chunks, this.chunk.subarray(0, end), Buffer.of(0)]);
  }
}

/**
 * The LZW data of an image of palette indices: the minimum code size byte, the data sub-blocks and the terminator.
 * `bits` is the palette's size in bits (1..8); GIF's minimum code size is at least 2.
 *
 * A run of one index (the transparent pixels around a later frame's faces, a flat background) is encoded without
 * visiting each pixel: the strings of that index alone that the dictionary holds are known by length, so each code
 * of the run takes one step. The codes are exactly those of the plain pixel-by-pixel encoder.
 */
export function lzwEncode(indices: Uint8Array, bits: number): Buffer {
  const minCodeSize = Math.max(2, bits);
  const clear = 1 << minCodeSize;
  const eoi = clear + 1;
  const out = new SubBlockWriter(minCodeSize);
  if (indices.length === 0) {
    // A clear and the end code, each minCodeSize + 1 bits.
    const size = minCodeSize + 1;
    const v = clear | (eoi << size);
    for (let n = 0; n < 2 * size; n += 8) out.byte((v >> n) & 0xff);
    return out.finish();
  }
  // Dictionary: (next index << 12 | prefix code) + 1 -> code, open addressing (0: an empty slot).
  const keys = new Int32Array(1 << HASH_BITS);
  const codes = new Int16Array(1 << HASH_BITS);
  const slotOf = (key: number): number => {
    let h = Math.imul(key, 0x9e3779b1) >>> (32 - HASH_BITS);
    while (keys[h] !== 0 && keys[h] !== key) h = (h + 1) & HASH_MASK;
    return h;
  };
  // Strings of one index t repeated: runCode[t << 12 | n] is the code of t^n for n <= runMax[t] (a dictionary holds
  // every prefix of its strings, so those lengths are all there); runLength[code] is n when the code is such a string.
  const runCode = RUN_CODE;
  const runMax = new Int32Array(256).fill(1);
  const runLength = new Int16Array(MAX_CODE);
  for (let t = 0; t < clear; t++) {
    runCode[(t << CODE_BITS) | 1] = t;
    runLength[t] = 1;
  }
  let codeSize = minCodeSize + 1;
  let next = eoi + 1;
  let acc = 0;
  let accBits = 0;
  const emit = (code: number): void => {
    acc |= code << accBits;
    accBits += codeSize;
    while (accBits >= 8) {
      out.byte(acc & 0xff);
      acc >>>= 8;
      accBits -= 8;
    }
  };
  /** After emitting `cur`, the string `cur` + k (k the pixel that did not extend it) enters the dictionary. */
  const grow = (cur: number, k: number): void => {
    if (next === MAX_CODE) {
      emit(clear);
      next = eoi + 1;
      codeSize = minCodeSize + 1;
      keys.fill(0);
      runMax.fill(1);
      return;
    }
    if (next >= 1 << codeSize) codeSize++;
    const key = ((k << CODE_BITS) | cur) + 1;
    const h = slotOf(key);
    keys[h] = key;
    codes[h] = next;
    const n = runLength[cur]!;
    if (n > 0 && n === runMax[k] && runCode[(k << CODE_BITS) | n] === cur) {
      runLength[next] = n + 1;
      runCode[(k << CODE_BITS) | (n + 1)] = next;
      runMax[k] = n + 1;
    } else {
      runLength[next] = 0;
    }
    next++;
  };
  emit(clear);
  const length = indices.length;
  let cur = indices[0]!;
  for (let i = 1; i < length; i++) {
    const k = indices[i]!;
    const key = ((k << CODE_BITS) | cur) + 1;
    let h = Math.imul(key, 0x9e3779b1) >>> (32 - HASH_BITS);
    while (keys[h] !== 0 && keys[h] !== key) h = (h + 1) & HASH_MASK;
    if (keys[h] === key) {
      cur = codes[h]!;
      continue;
    }
    emit(cur);
    grow(cur, k);
    cur = k;
    if (i + 2 >= length || indices[i + 1] !== k || indices[i + 2] !== k) continue;
    // A run of k from pixel i: `cur` is k alone; `left` more pixels of k follow.
    let end = i + 3;
    while (end < length && indices[end] === k) end++;
    let left = end - i - 1;
    let n = 1;
    const row = k << CODE_BITS;
    while (left > 0) {
      const max = runMax[k]!;
      if (n + left <= max) {
        cur = runCode[row | (n + left)]!;
        break;
      }
      // The longest string of k the dictionary holds, then the pixel it cannot take.
      left -= max - n + 1;
      cur = runCode[row | max]!;
      emit(cur);
      grow(cur, k);
      cur = k;
      n = 1;
    }
    i = end - 1;
  }
  emit(cur);
  emit(eoi);
  if (accBits > 0) out.byte(acc & 0xff);
  return out.finish();
}
