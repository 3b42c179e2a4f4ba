/**
 * Hostile MAT-files for the importer: small files whose headers declare what would exhaust memory if believed.
 */
import zlib from 'node:zlib';
import { matStruct, writeMatFile } from './mat-writer.js';

/** `wiki`: a struct with no fields that declares 1 x `records` elements, in a file of under 200 bytes. */
export function emptyStructBomb(records = 2_000_000_000): Buffer {
  return writeMatFile({ wiki: matStruct([], [1, records]) }, { compress: false });
}

const u32 = (values: readonly number[]): Buffer => {
  const b = Buffer.alloc(values.length * 4);
  values.forEach((v, i) => b.writeUInt32LE(v, i * 4));
  return b;
};

/** `wiki`: one compressed double array that inflates to `bytes` of zeros (1 GiB by default); about 1 MB on disk. */
export async function zeroInflationBomb(bytes = 1024 ** 3): Promise<Buffer> {
  const name = Buffer.from('wiki\0\0\0\0', 'latin1');
  const head = Buffer.concat([
    u32([6, 8]), u32([6, 0]), // miUINT32 array flags: class double
    u32([5, 8]), u32([1, bytes / 8]), // miINT32 dims 1 x n
    u32([1, 4]), name, // miINT8 name
    u32([9, bytes]), // miDOUBLE, then the zeros
  ]);
  const matrixTag = u32([14, head.length + bytes]);
  const deflate = zlib.createDeflate({ level: 9 });
  const out: Buffer[] = [];
  deflate.on('data', (d: Buffer) => out.push(d));
  const done = new Promise<void>((resolve, reject) => {
    deflate.on('end', resolve);
    deflate.on('error', reject);
  });
  deflate.write(matrixTag);
  deflate.write(head);
  const zeros = Buffer.alloc(4 * 1024 * 1024);
  for (let left = bytes; left > 0; left -= zeros.length) {
    if (!deflate.write(left >= zeros.length ? zeros : zeros.subarray(0, left))) await new Promise((r) => deflate.once('drain', r));
  }
  deflate.end();
  await done;
  const z = Buffer.concat(out);
  const header = writeMatFile({}).subarray(0, 128);
  return Buffer.concat([header, u32([15, z.length]), z]);
}
