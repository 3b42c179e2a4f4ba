/** GIF's variable-length LZW (GIF89a appendix F), 12-bit codes at most, written as the image's data sub-blocks. */

const MAX_CODE = 4096;

/** Bytes in 255-byte sub-blocks, kept as a list of chunks so a 100-MP image never needs one huge buffer to grow. */
class SubBlockWriter {
  private readonly chunks: Buffer[] = [];
  private chunk = Buffer.alloc(65536);
  private at = 0;
  private block: number[] = [];

  byte(v: number): void {
    this.block.push(v);
    if (this.block.length === 255) this.flushBlock();
  }

  raw(v: number): void {
    if (this.at === this.chunk.length) {
      this.chunks.push(this.chunk);
      this.chunk = Buffer.alloc(65536);
      this.at = 0;
    }
    this.chunk[this.at++] = v;
  }

  private flushBlock(): void {
    if (this.block.length === 0) return;
    this.raw(this.block.length);
    for (const b of this.block) this.raw(b);
    this.block = [];
  }

  finish(): Buffer {
    this.flushBlock();
    this.raw(0);
    return Buffer.concat([...this.chunks, this.chunk.subarray(0, this.at)]);
  }
}

/**
 * The LZW data of an image of palette indices: the minimum code size byte, the data sub-blocks and the terminator.
 * `bits` is the palette's size in bits (1..8); GIF's minimum code size is at least 2.
 */
export function lzwEncode(indices: Uint8Array, bits: number): Buffer {
  const minCodeSize = Math.max(2, bits);
  const clear = 1 << minCodeSize;
  const eoi = clear + 1;
  const out = new SubBlockWriter();
  out.raw(minCodeSize);
  if (indices.length === 0) {
    // A clear and the end code, each minCodeSize + 1 bits.
    const size = minCodeSize + 1;
    const v = clear | (eoi << size);
    for (let n = 0; n < 2 * size; n += 8) out.byte((v >> n) & 0xff);
    return out.finish();
  }
  // Dictionary: (prefix code << 8 | next index) -> code, valid where its stamp is the current generation.
  const codes = new Int16Array(MAX_CODE << 8);
  const stamps = new Int32Array(MAX_CODE << 8);
  let generation = 1;
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
  emit(clear);
  let cur = indices[0]!;
  for (let i = 1; i < indices.length; i++) {
    const k = indices[i]!;
    const key = (cur << 8) | k;
    if (stamps[key] === generation) {
      cur = codes[key]!;
      continue;
    }
    emit(cur);
    if (next === MAX_CODE) {
      emit(clear);
      next = eoi + 1;
      codeSize = minCodeSize + 1;
      generation++;
    } else {
      if (next >= 1 << codeSize) codeSize++;
      stamps[key] = generation;
      codes[key] = next++;
    }
    cur = k;
  }
  emit(cur);
  emit(eoi);
  if (accBits > 0) out.byte(acc & 0xff);
  return out.finish();
}
