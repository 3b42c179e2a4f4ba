/**
 * A reader for MATLAB Level 5 MAT-files (what `save` writes by default, -v6 and -v7), limited to what dataset metadata
 * holds: numeric arrays (read as doubles), char arrays, cell arrays and structs, compressed or not, either byte order.
 * Sparse, object and function-handle arrays are refused with a MatFileError naming the variable.
 */
import zlib from 'node:zlib';

export class MatFileError extends Error {}

export type MatValue = MatNumeric | MatChar | MatCell | MatStruct;

export interface MatNumeric {
  kind: 'numeric';
  dims: number[];
  /** Real part, column-major, converted to doubles. */
  data: Float64Array;
}

export interface MatChar {
  kind: 'char';
  dims: number[];
  /** One string per row (a 1xN char array is one string; an empty one is ''). */
  rows: string[];
}

export interface MatCell {
  kind: 'cell';
  dims: number[];
  /** Column-major. */
  cells: MatValue[];
}

export interface MatStruct {
  kind: 'struct';
  dims: number[];
  fields: string[];
  /** Column-major, one record per struct element. */
  elements: Record<string, MatValue>[];
}

const MI = {
  INT8: 1,
  UINT8: 2,
  INT16: 3,
  UINT16: 4,
  INT32: 5,
  UINT32: 6,
  SINGLE: 7,
  DOUBLE: 9,
  INT64: 12,
  UINT64: 13,
  MATRIX: 14,
  COMPRESSED: 15,
  UTF8: 16,
  UTF16: 17,
  UTF32: 18,
} as const;

const MX = { CELL: 1, STRUCT: 2, CHAR: 4, DOUBLE: 6, UINT64: 15 } as const;
const CLASS_NAMES: Record<number, string> = { 3: 'object', 5: 'sparse', 16: 'function handle', 17: 'opaque' };

interface Element {
  type: number;
  bytes: Buffer;
}

/**
 * What one file may cost, whatever its headers declare: inflated bytes (the file's size times `inflateFactor`, never
 * more than `maxInflatedBytes`), nesting depth, and values (arrays, cells and struct fields) in all.
 */
export const MAT_LIMITS = {
  /** Deflate reaches about 1,000:1 only on runs of one byte; dataset metadata inflates 2-10 times. */
  inflateFactor: 64,
  maxInflatedBytes: 1024 ** 3,
  maxDepth: 16,
  /** IMDB-WIKI's imdb.mat, the largest known, holds about 1.4 million (460,723 entries x 3 cell fields). */
  maxValues: 8_000_000,
  /** Struct elements without fields cost no bytes; beyond this many they must still be paid for as if they had one. */
  freeEmptyRecords: 1024,
} as const;

/** What one readMatFile call has left to spend. */
class Budget {
  inflated: number;
  values = 0;
  constructor(fileBytes: number) {
    this.inflated = Math.min(MAT_LIMITS.maxInflatedBytes, fileBytes * MAT_LIMITS.inflateFactor);
  }
  value(where: () => string): void {
    if (++this.values > MAT_LIMITS.maxValues) throw new MatFileError(`${where() || 'a variable'}: more than ${MAT_LIMITS.maxValues} values in one file`);
  }
}

class Reader {
  constructor(
    readonly buf: Buffer,
    readonly le: boolean,
  ) {}

  u32(off: number): number {
    return this.le ? this.buf.readUInt32LE(off) : this.buf.readUInt32BE(off);
  }

  /** The element at `off` and where the next one starts. */
  element(off: number, end: number): { el: Element; next: number } {
    if (off + 8 > end) throw new MatFileError(`truncated MAT-file: a data element tag at byte ${off} runs past the end`);
    const first = this.u32(off);
    if (first >>> 16 !== 0) {
      // Small data element: type and size packed in 4 bytes, up to 4 bytes of data after them.
      const size = first >>> 16;
      if (size > 4) throw new MatFileError(`corrupt MAT-file: small data element at byte ${off} claims ${size} bytes`);
      return { el: { type: first & 0xffff, bytes: this.buf.subarray(off + 4, off + 4 + size) }, next: off + 8 };
    }
    const size = this.u32(off + 4);
    const start = off + 8;
    if (size > end - start) throw new MatFileError(`truncated MAT-file: element at byte ${off} claims ${size} bytes, ${end - start} are left`);
    const padded = first === MI.COMPRESSED ? size : Math.ceil(size / 8) * 8;
    return { el: { type: first, bytes: this.buf.subarray(start, start + size) }, next: Math.min(end, start + padded) };
  }
}

const WIDTHS: Record<number, number> = {
  [MI.INT8]: 1,
  [MI.UINT8]: 1,
  [MI.INT16]: 2,
  [MI.UINT16]: 2,
  [MI.INT32]: 4,
  [MI.UINT32]: 4,
  [MI.SINGLE]: 4,
  [MI.DOUBLE]: 8,
  [MI.INT64]: 8,
  [MI.UINT64]: 8,
};

function readNumber(b: Buffer, type: number, o: number, le: boolean): number {
  switch (type) {
    case MI.INT8:
      return b.readInt8(o);
    case MI.UINT8:
      return b[o]!;
    case MI.INT16:
      return le ? b.readInt16LE(o) : b.readInt16BE(o);
    case MI.UINT16:
      return le ? b.readUInt16LE(o) : b.readUInt16BE(o);
    case MI.INT32:
      return le ? b.readInt32LE(o) : b.readInt32BE(o);
    case MI.UINT32:
      return le ? b.readUInt32LE(o) : b.readUInt32BE(o);
    case MI.SINGLE:
      return le ? b.readFloatLE(o) : b.readFloatBE(o);
    case MI.DOUBLE:
      return le ? b.readDoubleLE(o) : b.readDoubleBE(o);
    case MI.INT64:
      return Number(le ? b.readBigInt64LE(o) : b.readBigInt64BE(o));
    default:
      return Number(le ? b.readBigUInt64LE(o) : b.readBigUInt64BE(o));
  }
}

function numbers(el: Element, le: boolean): Float64Array {
  const width = WIDTHS[el.type];
  if (width === undefined) throw new MatFileError(`unexpected data type ${el.type} where numbers were expected`);
  const out = new Float64Array(Math.floor(el.bytes.length / width));
  for (let i = 0; i < out.length; i++) out[i] = readNumber(el.bytes, el.type, i * width, le);
  return out;
}

function text(el: Element, le: boolean): string {
  if (el.type === MI.UTF8 || el.type === MI.UINT8 || el.type === MI.INT8) return el.bytes.toString(el.type === MI.UTF8 ? 'utf8' : 'latin1');
  if (el.type === MI.UINT16 || el.type === MI.UTF16) {
    const b = le ? el.bytes : Buffer.from(el.bytes).swap16();
    return b.toString('utf16le');
  }
  let s = '';
  for (const code of numbers(el, le)) s += Number.isInteger(code) && code >= 0 && code <= 0x10ffff ? String.fromCodePoint(code) : '\ufffd';
  return s;
}

function charRows(chars: string, dims: number[]): string[] {
  const [m = 0, n = 0] = dims;
  const cols = dims.slice(1).reduce((a, d) => a * d, 1);
  if (m === 0 || n === 0) return m === 0 ? [] : Array.from({ length: m }, () => '');
  if (m === 1) return [chars];
  const rows: string[] = [];
  for (let r = 0; r < m; r++) {
    let s = '';
    for (let c = 0; c < cols; c++) s += chars[c * m + r] ?? '';
    rows.push(s);
  }
  return rows;
}

const MAX_DIMS = 32;

/** The element count of valid dimensions; throws naming the variable for negative, fractional or too many. */
function elementCount(dims: readonly number[], where: () => string): number {
  if (dims.length < 2 || dims.length > MAX_DIMS || dims.some((d) => !Number.isInteger(d) || d < 0)) {
    throw new MatFileError(`${where() || 'a variable'}: invalid dimensions [${dims.slice(0, 8).join(', ')}${dims.length > 8 ? ', ...' : ''}]`);
  }
  return dims.reduce((a, d) => a * d, 1);
}

/** Refuses a count of sub-elements that the bytes left cannot hold (each costs at least an 8-byte tag). */
function checkFits(count: number, perElement: number, bytesLeft: number, what: string, where: () => string): void {
  if (count * perElement * 8 > bytesLeft) {
    throw new MatFileError(`${where() || 'a variable'}: declares ${count} ${what}, but only ${bytesLeft} bytes are left for them`);
  }
}

interface Walk {
  readonly r: Reader;
  readonly budget: Budget;
}

/** `context` names the enclosing variable and field for error messages (built only when one is thrown). */
function matrix(w: Walk, bytes: Buffer, context: () => string, depth: number): { name: string; value: MatValue } {
  w.budget.value(context);
  if (bytes.length === 0) return { name: '', value: { kind: 'numeric', dims: [0, 0], data: new Float64Array(0) } };
  if (depth > MAT_LIMITS.maxDepth) throw new MatFileError(`${context() || 'a variable'}: nested more than ${MAT_LIMITS.maxDepth} levels deep`);
  const le = w.r.le;
  const sub = new Reader(bytes, le);
  let off = 0;
  const next = (): Element => {
    const { el, next: n } = sub.element(off, bytes.length);
    off = n;
    return el;
  };
  const flags = numbers(next(), le);
  const classId = (flags[0] ?? 0) & 0xff;
  const dims = Array.from(numbers(next(), le));
  const name = text(next(), le);
  const where = (): string => {
    const outer = context();
    return name ? `${outer}${outer ? '.' : ''}${name}` : outer;
  };
  const count = elementCount(dims, where);
  if (classId === MX.CELL) {
    checkFits(count, 1, bytes.length - off, 'cells', where);
    const cells: MatValue[] = [];
    for (let i = 0; i < count; i++) cells.push(matrix(w, next().bytes, () => `${where()}{${i + 1}}`, depth + 1).value);
    return { name, value: { kind: 'cell', dims, cells } };
  }
  if (classId === MX.STRUCT) {
    const nameLength = numbers(next(), le)[0] ?? 0;
    const namesEl = next();
    const fields: string[] = [];
    if (nameLength > 0 && Number.isInteger(nameLength)) {
      for (let i = 0; i + nameLength <= namesEl.bytes.length; i += nameLength) {
        const raw = namesEl.bytes.subarray(i, i + nameLength);
        const zero = raw.indexOf(0);
        fields.push(raw.subarray(0, zero < 0 ? raw.length : zero).toString('latin1'));
      }
    }
    if (fields.length > 0 || count > MAT_LIMITS.freeEmptyRecords) checkFits(count, Math.max(1, fields.length), bytes.length - off, 'struct elements', where);
    const elements: Record<string, MatValue>[] = [];
    for (let i = 0; i < count; i++) {
      // No prototype: a field called __proto__ or constructor is a field like any other.
      const rec = Object.create(null) as Record<string, MatValue>;
      for (const f of fields) rec[f] = matrix(w, next().bytes, () => `${where()}.${f}`, depth + 1).value;
      elements.push(rec);
    }
    return { name, value: { kind: 'struct', dims, fields, elements } };
  }
  if (classId === MX.CHAR) {
    const chars = count === 0 ? '' : text(next(), le);
    if (chars.length < count) throw new MatFileError(`${where() || 'a variable'}: ${chars.length} characters for dimensions ${dims.join('x')}`);
    return { name, value: { kind: 'char', dims, rows: charRows(chars, dims) } };
  }
  if (classId >= MX.DOUBLE && classId <= MX.UINT64) {
    const data = count === 0 ? new Float64Array(0) : numbers(next(), le);
    if (data.length !== count) throw new MatFileError(`${where() || 'a variable'}: ${data.length} values for dimensions ${dims.join('x')}`);
    return { name, value: { kind: 'numeric', dims, data } };
  }
  throw new MatFileError(`${where() || 'a variable'} is a MATLAB ${CLASS_NAMES[classId] ?? `class ${classId}`} array, which this reader does not support`);
}

/** The name in a miMATRIX element's header, or '' when it cannot be read. */
function matrixName(bytes: Buffer, le: boolean): string {
  try {
    const sub = new Reader(bytes, le);
    let off = 0;
    for (let i = 0; i < 2; i++) off = sub.element(off, bytes.length).next;
    return text(sub.element(off, bytes.length).el, le).slice(0, 64);
  } catch {
    return '';
  }
}

/** The variable's name from the first bytes of a compressed one, without inflating the rest. */
function compressedName(compressed: Buffer, le: boolean): string {
  try {
    const head = zlib.inflateSync(compressed.subarray(0, 256), { finishFlush: zlib.constants.Z_SYNC_FLUSH });
    return head.length >= 8 ? matrixName(head.subarray(8), le) : '';
  } catch {
    return '';
  }
}

const label = (name: string, index: number): string => (name ? `variable "${name}"` : `variable ${index + 1}`);

/** The variables of a MAT v5 file, by name. Throws MatFileError with the reason (and the variable) when the bytes are not one. */
export function readMatFile(buf: Buffer): Map<string, MatValue> {
  if (buf.length < 128) throw new MatFileError(`not a MAT-file: ${buf.length} bytes, shorter than the 128-byte header`);
  const header = buf.toString('latin1', 0, 116);
  if (/MATLAB 7\.3 MAT-file/.test(header)) throw new MatFileError('a MAT v7.3 (HDF5) file: re-save it in MATLAB with -v7');
  const endian = buf.toString('latin1', 126, 128);
  if (!header.startsWith('MATLAB') || (endian !== 'IM' && endian !== 'MI')) {
    throw new MatFileError('not a MAT v5 file: no "MATLAB" header with a byte-order mark');
  }
  const reader = new Reader(buf, endian === 'IM');
  const walk: Walk = { r: reader, budget: new Budget(buf.length) };
  const vars = new Map<string, MatValue>();
  let off = 128;
  for (let index = 0; off + 8 <= buf.length; index++) {
    const { el, next } = reader.element(off, buf.length);
    off = next;
    let matrixEl = el;
    let name = '';
    try {
      if (el.type === MI.COMPRESSED) {
        name = compressedName(el.bytes, reader.le);
        const limit = walk.budget.inflated;
        let inflated: Buffer;
        try {
          inflated = zlib.inflateSync(el.bytes, { maxOutputLength: Math.max(1, limit) });
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
            throw new MatFileError(
              `inflates to more than ${limit} bytes, the limit for a ${buf.length}-byte file (${MAT_LIMITS.inflateFactor} times its size, at most ${MAT_LIMITS.maxInflatedBytes})`,
            );
          }
          throw new MatFileError(`corrupt MAT-file: a compressed variable does not inflate (${(err as Error).message})`);
        }
        walk.budget.inflated -= inflated.length;
        const inner = new Reader(inflated, reader.le);
        matrixEl = inner.element(0, inflated.length).el;
      }
      if (matrixEl.type !== MI.MATRIX) continue;
      name ||= matrixName(matrixEl.bytes, reader.le);
      const { name: read, value } = matrix(walk, matrixEl.bytes, () => '', 0);
      vars.set(read, value);
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      // Messages that already start with the variable's name keep it; others get it in front.
      if (err instanceof MatFileError && name && new RegExp(`^${name.replace(/[^\w]/g, '\\$&')}[.{: ]`).test(reason)) throw err;
      throw new MatFileError(`${label(name, index)}: ${err instanceof MatFileError ? reason : `corrupt MAT-file (${reason})`}`);
    }
  }
  return vars;
}

/** The doubles of a numeric array; throws naming `what` otherwise. */
export function matNumbers(v: MatValue | undefined, what: string): Float64Array {
  if (v?.kind !== 'numeric') throw new MatFileError(`${what} should be a numeric array, found ${v ? v.kind : 'nothing'}`);
  return v.data;
}

/** The strings of a cell array of char arrays (an empty cell is ''); throws naming `what` otherwise. */
export function matStrings(v: MatValue | undefined, what: string): string[] {
  if (v?.kind === 'char') return v.rows;
  if (v?.kind !== 'cell') throw new MatFileError(`${what} should be a cell array of strings, found ${v ? v.kind : 'nothing'}`);
  return v.cells.map((c, i) => {
    if (c.kind === 'char') return c.rows.join('');
    if (c.kind === 'numeric' && c.data.length === 0) return '';
    throw new MatFileError(`${what}{${i + 1}} should be a string, found ${c.kind}`);
  });
}

/** The one element of a 1x1 struct; throws naming `what` otherwise. */
export function matRecord(v: MatValue | undefined, what: string): Record<string, MatValue> {
  if (v?.kind !== 'struct' || v.elements.length !== 1) {
    throw new MatFileError(`${what} should be a 1x1 struct, found ${v ? (v.kind === 'struct' ? `a ${v.dims.join('x')} struct` : v.kind) : 'nothing'}`);
  }
  return v.elements[0]!;
}
