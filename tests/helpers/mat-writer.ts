/**
 * Writes MATLAB Level 5 MAT-files for the importer tests, laid out as MATLAB's own `save` does: a 128-byte header,
 * then one miMATRIX element per variable (deflated in an miCOMPRESSED element unless told not to).
 */
import zlib from 'node:zlib';

export type MatStorage = 'double' | 'uint8' | 'int16' | 'uint16' | 'int32';

export type MatIn =
  | { kind: 'double'; values: readonly number[]; dims: number[]; storage: MatStorage }
  | { kind: 'char'; text: string }
  | { kind: 'cell'; cells: readonly MatIn[]; dims: number[] }
  | { kind: 'struct'; records: readonly Record<string, MatIn>[]; dims: number[] }
  | { kind: 'sparse' };

/** A double array (a 1xN row by default), its values stored as `storage` the way MATLAB shrinks exact integers. */
export const matDouble = (values: readonly number[], dims = [1, values.length], storage: MatStorage = 'double'): MatIn => ({ kind: 'double', values, dims, storage });
export const matChar = (text: string): MatIn => ({ kind: 'char', text });
export const matCell = (cells: readonly MatIn[], dims = [1, cells.length]): MatIn => ({ kind: 'cell', cells, dims });
export const matStruct = (records: Record<string, MatIn> | readonly Record<string, MatIn>[], dims?: number[]): MatIn => {
  const list = Array.isArray(records) ? (records as readonly Record<string, MatIn>[]) : [records as Record<string, MatIn>];
  return { kind: 'struct', records: list, dims: dims ?? [1, list.length] };
};
/** A class the reader refuses (written as a bare sparse header, enough for the refusal). */
export const matSparse = (): MatIn => ({ kind: 'sparse' });

const MI = { INT8: 1, UINT8: 2, INT16: 3, UINT16: 4, INT32: 5, UINT32: 6, DOUBLE: 9, MATRIX: 14, COMPRESSED: 15 } as const;
const STORAGE: Record<MatStorage, { type: number; width: number }> = {
  double: { type: MI.DOUBLE, width: 8 },
  uint8: { type: MI.UINT8, width: 1 },
  int16: { type: MI.INT16, width: 2 },
  uint16: { type: MI.UINT16, width: 2 },
  int32: { type: MI.INT32, width: 4 },
};

class Writer {
  constructor(readonly le: boolean) {}

  u32(values: readonly number[]): Buffer {
    const b = Buffer.alloc(values.length * 4);
    values.forEach((v, i) => (this.le ? b.writeUInt32LE(v, i * 4) : b.writeUInt32BE(v, i * 4)));
    return b;
  }

  typed(values: readonly number[], storage: MatStorage): Buffer {
    const { width } = STORAGE[storage];
    const b = Buffer.alloc(values.length * width);
    values.forEach((v, i) => {
      const o = i * width;
      if (storage === 'double') this.le ? b.writeDoubleLE(v, o) : b.writeDoubleBE(v, o);
      else if (storage === 'uint8') b.writeUInt8(v, o);
      else if (storage === 'int16') this.le ? b.writeInt16LE(v, o) : b.writeInt16BE(v, o);
      else if (storage === 'uint16') this.le ? b.writeUInt16LE(v, o) : b.writeUInt16BE(v, o);
      else this.le ? b.writeInt32LE(v, o) : b.writeInt32BE(v, o);
    });
    return b;
  }

  element(type: number, data: Buffer): Buffer {
    if (data.length > 0 && data.length <= 4 && type !== MI.MATRIX) {
      const small = Buffer.alloc(8);
      small.set(this.u32([(data.length << 16) | type]), 0);
      small.set(data, 4);
      return small;
    }
    const pad = (8 - (data.length % 8)) % 8;
    return Buffer.concat([this.u32([type, data.length]), data, Buffer.alloc(pad)]);
  }

  matrix(name: string, v: MatIn): Buffer {
    const head = (classId: number, dims: readonly number[]): Buffer[] => [
      this.element(MI.UINT32, this.u32([classId, 0])),
      this.element(MI.INT32, this.u32(dims)),
      this.element(MI.INT8, Buffer.from(name, 'latin1')),
    ];
    let parts: Buffer[];
    if (v.kind === 'double') {
      parts = [...head(6, v.dims), this.element(STORAGE[v.storage].type, this.typed(v.values, v.storage))];
    } else if (v.kind === 'char') {
      const units = Buffer.from(v.text, 'utf16le');
      parts = [...head(4, [1, v.text.length]), this.element(MI.UINT16, this.le ? units : units.swap16())];
    } else if (v.kind === 'cell') {
      parts = [...head(1, v.dims), ...v.cells.map((c) => this.matrix('', c))];
    } else if (v.kind === 'struct') {
      const fields = Object.keys(v.records[0] ?? {});
      const names = Buffer.alloc(fields.length * 32);
      fields.forEach((f, i) => names.write(f, i * 32, 'latin1'));
      parts = [
        ...head(2, v.dims),
        this.element(MI.INT32, this.u32([32])),
        this.element(MI.INT8, names),
        ...v.records.flatMap((r) => fields.map((f) => this.matrix('', r[f]!))),
      ];
    } else {
      parts = head(5, [2, 2]);
    }
    return this.element(MI.MATRIX, Buffer.concat(parts));
  }
}

/** A MAT v5 file holding `vars`; deflated per variable unless `compress` is false; little-endian unless `bigEndian`. */
export function writeMatFile(vars: Record<string, MatIn>, opts: { compress?: boolean; bigEndian?: boolean } = {}): Buffer {
  const w = new Writer(!opts.bigEndian);
  const header = Buffer.alloc(128, 0x20);
  header.write('MATLAB 5.0 MAT-file, Platform: GLNXA64, Created on: Thu Jan  1 00:00:00 2015', 0, 'latin1');
  header.fill(0, 116, 124);
  if (opts.bigEndian) header.writeUInt16BE(0x0100, 124);
  else header.writeUInt16LE(0x0100, 124);
  header.write(opts.bigEndian ? 'MI' : 'IM', 126, 'latin1');
  const body = Object.entries(vars).map(([name, v]) => {
    const m = w.matrix(name, v);
    if (opts.compress === false) return m;
    const z = zlib.deflateSync(m);
    return Buffer.concat([w.u32([MI.COMPRESSED, z.length]), z]);
  });
  return Buffer.concat([header, ...body]);
}
