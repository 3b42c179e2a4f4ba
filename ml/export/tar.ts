/** POSIX ustar: the header of one regular file, its padding, and the end of an archive (what tar and webdataset read). */

export const TAR_BLOCK = 512;
/** Two zero blocks end an archive. */
export const TAR_END = Buffer.alloc(2 * TAR_BLOCK);

function octal(value: number, width: number): string {
  return value.toString(8).padStart(width - 1, '0') + '\0';
}

/** The 512-byte header of a regular file; `name` is ASCII, at most 100 bytes (callers build safe names). */
export function tarHeader(name: string, size: number, mtimeSeconds: number): Buffer {
  if (!/^[\x21-\x7e]{1,100}$/.test(name)) throw new Error(`tar entry name ${JSON.stringify(name)} is not 1-100 printable ASCII characters`);
  const h = Buffer.alloc(TAR_BLOCK);
  h.write(name, 0, 100, 'ascii');
  h.write(octal(0o644, 8), 100, 8, 'ascii');
  h.write(octal(0, 8), 108, 8, 'ascii');
  h.write(octal(0, 8), 116, 8, 'ascii');
  h.write(octal(size, 12), 124, 12, 'ascii');
  h.write(octal(Math.floor(mtimeSeconds), 12), 136, 12, 'ascii');
  h.fill(0x20, 148, 156);
  h.write('0', 156, 1, 'ascii');
  h.write('ustar\0', 257, 6, 'ascii');
  h.write('00', 263, 2, 'ascii');
  let sum = 0;
  for (const b of h) sum += b;
  h.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 8, 'ascii');
  return h;
}

/** Zero bytes after `size` bytes of data, up to the next block. */
export function tarPadding(size: number): Buffer {
  return Buffer.alloc((TAR_BLOCK - (size % TAR_BLOCK)) % TAR_BLOCK);
}

/** One file's entry: header, data, padding. */
export function tarEntry(name: string, data: Uint8Array, mtimeSeconds: number): Buffer[] {
  return [tarHeader(name, data.length, mtimeSeconds), Buffer.from(data.buffer, data.byteOffset, data.length), tarPadding(data.length)];
}
