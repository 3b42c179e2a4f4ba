import { describe, expect, it } from 'vitest';
import { MAT_LIMITS, MatFileError, matNumbers, matRecord, matStrings, readMatFile, type MatValue } from '../db/importers/mat-file.js';
import { emptyStructBomb, zeroInflationBomb } from './helpers/hostile-mat.js';
import { matCell, matChar, matDouble, matSparse, matStruct, writeMatFile, type MatIn } from './helpers/mat-writer.js';

const META = {
  meta: matStruct({
    dob: matDouble([693_726, 723_181, NaN], [1, 3]),
    photo_taken: matDouble([1968, 2000, 2009], [1, 3], 'uint16'),
    offset: matDouble([-3, 0, 250], [1, 3], 'int16'),
    face_score: matDouble([1.5, -Infinity, 4.25], [1, 3]),
    full_path: matCell([matChar('01/nm0000001_rm1_1899-5-10_1968.jpg'), matChar('02/nm0000002_rm2_1980-1-1_2000.jpg'), matChar('')]),
    name: matCell([matChar('Renée Zellweger'), matChar('李连杰'), matDouble([], [0, 0])]),
    face_location: matCell([matDouble([1, 2, 3, 4]), matDouble([5, 6, 7, 8]), matDouble([0, 0, 0, 0])]),
  }),
  title: matChar('wiki'),
  grid: matDouble([1, 2, 3, 4, 5, 6], [2, 3], 'uint8'),
};

function check(vars: Map<string, MatValue>): void {
  const rec = matRecord(vars.get('meta'), 'meta');
  expect(Array.from(matNumbers(rec.dob, 'dob'))).toEqual([693_726, 723_181, NaN]);
  expect(Array.from(matNumbers(rec.photo_taken, 'photo_taken'))).toEqual([1968, 2000, 2009]);
  expect(Array.from(matNumbers(rec.offset, 'offset'))).toEqual([-3, 0, 250]);
  expect(Array.from(matNumbers(rec.face_score, 'face_score'))).toEqual([1.5, -Infinity, 4.25]);
  expect(matStrings(rec.full_path, 'full_path')).toEqual(['01/nm0000001_rm1_1899-5-10_1968.jpg', '02/nm0000002_rm2_1980-1-1_2000.jpg', '']);
  expect(matStrings(rec.name, 'name')).toEqual(['Renée Zellweger', '李连杰', '']);
  const loc = rec.face_location;
  expect(loc?.kind === 'cell' && loc.cells.map((c) => Array.from(matNumbers(c, 'loc')))).toEqual([
    [1, 2, 3, 4],
    [5, 6, 7, 8],
    [0, 0, 0, 0],
  ]);
  expect(vars.get('title')).toEqual({ kind: 'char', dims: [1, 4], rows: ['wiki'] });
  expect(vars.get('grid')).toMatchObject({ kind: 'numeric', dims: [2, 3] });
  expect(Array.from(matNumbers(vars.get('grid'), 'grid'))).toEqual([1, 2, 3, 4, 5, 6]);
}

describe('MAT v5 reader', () => {
  it('reads doubles (stored as double, uint16, int16, uint8), strings, cells and a struct, compressed', () => {
    check(readMatFile(writeMatFile(META)));
  });

  it('reads the same variables uncompressed and big-endian', () => {
    check(readMatFile(writeMatFile(META, { compress: false })));
    check(readMatFile(writeMatFile(META, { compress: false, bigEndian: true })));
    check(readMatFile(writeMatFile(META, { bigEndian: true })));
  });

  it('reads a struct array element by element', () => {
    const vars = readMatFile(writeMatFile({ people: matStruct([{ id: matDouble([7]), name: matChar('Ann') }, { id: matDouble([9]), name: matChar('Bo') }]) }));
    const people = vars.get('people');
    expect(people?.kind).toBe('struct');
    if (people?.kind !== 'struct') return;
    expect(people.fields).toEqual(['id', 'name']);
    expect(people.elements.map((e) => [matNumbers(e.id, 'id')[0], matStrings(e.name, 'name')[0]])).toEqual([
      [7, 'Ann'],
      [9, 'Bo'],
    ]);
    expect(() => matRecord(people, 'people')).toThrow('people should be a 1x1 struct, found a 1x2 struct');
  });

  it('refuses what it cannot read with the reason', () => {
    expect(() => readMatFile(Buffer.from('hello'))).toThrow(new MatFileError('not a MAT-file: 5 bytes, shorter than the 128-byte header'));
    const h5 = Buffer.alloc(512, 0x20);
    h5.write('MATLAB 7.3 MAT-file, Platform: GLNXA64, Created on: Thu Jan  1 00:00:00 2015 HDF5 schema 1.00 .', 0, 'latin1');
    expect(() => readMatFile(h5)).toThrow(/MAT v7\.3 \(HDF5\) file: re-save it in MATLAB with -v7/);
    expect(() => readMatFile(Buffer.alloc(200, 0x41))).toThrow(/not a MAT v5 file/);
    const whole = writeMatFile(META, { compress: false });
    expect(() => readMatFile(whole.subarray(0, 400))).toThrow(/truncated MAT-file: element at byte 128 claims \d+ bytes, 264 are left/);
    const broken = writeMatFile(META);
    broken.fill(0x55, 140, 160);
    expect(() => readMatFile(broken)).toThrow(/corrupt MAT-file: a compressed variable does not inflate/);
    expect(() => readMatFile(writeMatFile({ s: matStruct({ adjacency: matSparse() }) }))).toThrow(
      new MatFileError('s.adjacency is a MATLAB sparse array, which this reader does not support'),
    );
  });

  it('names the field when a value has the wrong kind', () => {
    const rec = matRecord(readMatFile(writeMatFile({ m: matStruct({ a: matChar('x'), b: matCell([matDouble([1])]) }) })).get('m'), 'm');
    expect(() => matNumbers(rec.a, 'imdb.dob')).toThrow('imdb.dob should be a numeric array, found char');
    expect(() => matStrings(rec.b, 'imdb.full_path')).toThrow('imdb.full_path{1} should be a string, found numeric');
    expect(() => matNumbers(rec.missing, 'imdb.gender')).toThrow('imdb.gender should be a numeric array, found nothing');
  });

  it('bounds itself: declared counts against the bytes left, inflation, depth; a field may be called __proto__', async () => {
    expect(() => readMatFile(emptyStructBomb())).toThrow(new MatFileError('wiki: declares 2000000000 struct elements, but only 0 bytes are left for them'));
    // A few empty records cost nothing, as MATLAB writes them.
    const few = readMatFile(emptyStructBomb(3)).get('wiki');
    expect(few).toMatchObject({ kind: 'struct', dims: [1, 3], fields: [] });
    const bomb = await zeroInflationBomb(256 * 1024 * 1024);
    expect(() => readMatFile(bomb)).toThrow(new RegExp(`^variable "wiki": inflates to more than ${bomb.length * MAT_LIMITS.inflateFactor} bytes`));
    let deep: MatIn = matDouble([1]);
    for (let i = 0; i <= MAT_LIMITS.maxDepth; i++) deep = matCell([deep]);
    expect(() => readMatFile(writeMatFile({ deep }))).toThrow(/^deep\{1\}(\{1\})*: nested more than 16 levels deep$/);
    const cells = writeMatFile({ c: matCell([matDouble([1]), matDouble([2])]) }, { compress: false });
    cells.writeInt32LE(1_000_000, 128 + 8 + 16 + 8 + 4);
    expect(() => readMatFile(cells)).toThrow(/^c: declares 1000000 cells, but only \d+ bytes are left for them$/);
    const proto = matRecord(readMatFile(writeMatFile({ s: matStruct(Object.fromEntries([['__proto__', matDouble([5])]]) as Record<string, MatIn>) })).get('s'), 's');
    expect(Array.from(matNumbers(proto['__proto__'], 's.__proto__'))).toEqual([5]);
  });
});
