/**
 * Seeded fuzzing of the parsers strangers' files reach: the MAT reader, the CSV reader and the image-header reader
 * (through the importer's probe). 2,000 mutations in all (bit flips, truncations, inflated size fields, deep nesting);
 * each must end in a typed error or a valid result, within 1 s and 200 MB. Then hostile files through the importer:
 * the file is named and the catalogue is unchanged.
 */
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openCatalogue, type Db } from '../db/catalogue.js';
import { CsvError, readTable } from '../db/importers/csv-parse.js';
import { ImageHeaderError, isJpeg, isPng, jpegHeader, pngHeader } from '../db/importers/image-header.js';
import { MatFileError, matNumbers, matRecord, matStrings, readMatFile } from '../db/importers/mat-file.js';
import { probeFile } from '../db/importers/probe.js';
import { importDataset } from '../db/importers/run.js';
import { mulberry32 } from '../ml/cvae/rng.js';
import { tempDir } from './helpers/env.js';
import { bulkImdbRows, writeImdbWikiFixture } from './helpers/imdb-wiki-fixture.js';
import { matCell, matChar, matDouble, matStruct, writeMatFile, type MatIn } from './helpers/mat-writer.js';
import { UTKFACE_DIR } from './helpers/shared-paths.js';
import { makeJpeg } from './import-fixtures.js';

const SEED = 23;
const COUNTS = { mat: 1_000, csv: 500, image: 500 } as const;
const MAX_CASE_MS = 1_000;
const MAX_GROWTH_MB = 200;

type Rand = () => number;
const int = (rand: Rand, n: number): number => Math.floor(rand() * n);

/** One of the ways a file is damaged; `name` says which, for the failure message. */
type Mutation = { name: string; bytes: Buffer };

function flipBits(rand: Rand, buf: Buffer, from = 0): Buffer {
  const out = Buffer.from(buf);
  const flips = 1 + int(rand, 8);
  for (let i = 0; i < flips; i++) {
    const at = from + int(rand, out.length - from);
    out[at] = out[at]! ^ (1 << int(rand, 8));
  }
  return out;
}

const truncate = (rand: Rand, buf: Buffer): Buffer => buf.subarray(0, int(rand, buf.length));

/** A 32-bit field at an 8-byte boundary (where MAT tags keep their sizes) or anywhere, set to a huge value. */
function inflateField(rand: Rand, buf: Buffer, from: number, le: boolean): Buffer {
  const out = Buffer.from(buf);
  const aligned = rand() < 0.7;
  const at = aligned ? from + 4 + 8 * int(rand, Math.floor((out.length - from - 8) / 8)) : from + int(rand, out.length - from - 4);
  const value = [0xffffffff, 0x7fffffff, 2_000_000_000, out.length * 1000, 0x80000000][int(rand, 5)]!;
  if (le) out.writeUInt32LE(value >>> 0, at);
  else out.writeUInt32BE(value >>> 0, at);
  return out;
}

function nested(depth: number): MatIn {
  let v: MatIn = matDouble([depth]);
  for (let i = 0; i < depth; i++) v = i % 2 ? matCell([v]) : matStruct({ inner: v });
  return v;
}

/** The dataset metadata a MAT reader meets: the IMDB-WIKI table and a mix of kinds. */
function matBases(): { vars: Record<string, MatIn>; part: string }[] {
  const rows = bulkImdbRows(30);
  const wiki = matStruct({
    dob: matDouble(rows.map((r) => r.dob)),
    photo_taken: matDouble(rows.map((r) => r.photoTaken), [1, rows.length], 'uint16'),
    full_path: matCell(rows.map((r) => matChar(r.fullPath))),
    gender: matDouble(rows.map((r) => r.gender)),
    name: matCell(rows.map((r) => matChar(r.name))),
    face_score: matDouble(rows.map((r) => r.faceScore)),
    second_face_score: matDouble(rows.map((r) => r.secondFaceScore)),
  });
  const mixed = {
    celebrityImageData: matStruct({ name: matCell([matChar('53_Robin_Williams_0001.jpg'), matChar('23_Emma_Stone_0002.jpg')]), birth: matDouble([1951, 1988], [1, 2], 'uint16'), age: matDouble([53, 23], [1, 2], 'uint8') }),
    grid: matDouble([1, 2, 3, 4, 5, 6], [2, 3], 'int16'),
    title: matChar('wiki'),
  };
  return [{ vars: { wiki }, part: 'wiki' }, { vars: mixed, part: 'celebrityImageData' }];
}

function matMutation(rand: Rand, bases: ReturnType<typeof matBases>): Mutation {
  const base = bases[int(rand, bases.length)]!;
  const bigEndian = rand() < 0.25;
  const kind = int(rand, 5);
  if (kind === 4) {
    const depth = 5 + int(rand, 200);
    return { name: `nesting ${depth} deep`, bytes: writeMatFile({ deep: nested(depth) }, { compress: rand() < 0.5, bigEndian }) };
  }
  const plain = writeMatFile(base.vars, { compress: false, bigEndian });
  const mutate = (b: Buffer, from: number): Buffer =>
    kind === 0 ? flipBits(rand, b, from) : kind === 1 ? Buffer.concat([b.subarray(0, from), truncate(rand, b.subarray(from))]) : inflateField(rand, b, from, !bigEndian);
  const what = ['bit flips', 'truncation', 'an inflated size field', ''][kind]!;
  if (rand() < 0.5) return { name: `${what} (uncompressed${bigEndian ? ', big-endian' : ''})`, bytes: mutate(plain, kind === 0 && rand() < 0.2 ? 0 : 128) };
  // Inside a compressed variable: damage the matrix, then deflate it as MATLAB would have.
  const inner = mutate(plain, 128).subarray(128);
  const z = zlib.deflateSync(inner);
  const tag = Buffer.alloc(8);
  if (bigEndian) {
    tag.writeUInt32BE(15, 0);
    tag.writeUInt32BE(z.length, 4);
  } else {
    tag.writeUInt32LE(15, 0);
    tag.writeUInt32LE(z.length, 4);
  }
  return { name: `${what} (compressed${bigEndian ? ', big-endian' : ''})`, bytes: Buffer.concat([plain.subarray(0, 128), tag, z]) };
}

/** Reads the file the way the importers do; a MatFileError is the only failure allowed. */
function readLikeImporter(bytes: Buffer): string {
  try {
    const vars = readMatFile(bytes);
    for (const part of ['wiki', 'celebrityImageData']) {
      const v = vars.get(part);
      if (!v) continue;
      const rec = matRecord(v, part);
      if (rec.full_path) matStrings(rec.full_path, `${part}.full_path`);
      if (rec.name) matStrings(rec.name, `${part}.name`);
      for (const f of ['dob', 'photo_taken', 'gender', 'birth', 'age']) if (rec[f]) matNumbers(rec[f], `${part}.${f}`);
    }
    return 'valid';
  } catch (err) {
    if (err instanceof MatFileError) return 'MatFileError';
    throw err;
  }
}

/** Label CSVs laid out as the datasets ship them: a generic labels.csv and MORPH-2's Kaggle index. */
function csvBases(): string[] {
  const generic = ['path,age,gender,subject,split'];
  const morph = ['age,gender,filename,filepath'];
  for (let i = 0; i < 60; i++) {
    generic.push(`"photos/${i % 7}/img ${i}.jpg",${10 + (i % 70)},${i % 2 ? 'male' : 'F'},person-${i % 13},${['train', 'val', 'test'][i % 3]}`);
    morph.push(`${i % 50},${i % 2},${100000 + i}_${i % 9}M${20 + (i % 40)}.JPG,/kaggle/input/morph/Dataset/Images/Train/${100000 + i}_${i % 9}M${20 + (i % 40)}.JPG`);
  }
  return [`${generic.join('\r\n')}\r\n`, `\ufeff${morph.join('\n')}\n`, generic.join('\n').replaceAll(',', ';')];
}

function csvMutation(rand: Rand, bases: readonly string[]): Mutation {
  const text = bases[int(rand, bases.length)]!;
  const at = int(rand, text.length);
  switch (int(rand, 6)) {
    case 0:
      return { name: 'bit flips', bytes: flipBits(rand, Buffer.from(text)) };
    case 1:
      return { name: 'truncation', bytes: truncate(rand, Buffer.from(text)) };
    case 2:
      return { name: 'a quote left open', bytes: Buffer.from(`${text.slice(0, at)}"${text.slice(at)}`) };
    case 3:
      return { name: 'a row of very many columns', bytes: Buffer.from(`${text.slice(0, at)}${','.repeat(500 + int(rand, 5000))}${text.slice(at)}`) };
    case 4:
      return { name: 'a very long field', bytes: Buffer.from(`${text.slice(0, at)}${'x'.repeat(1000 + int(rand, 200_000))}${text.slice(at)}`) };
    default:
      return { name: 'NUL bytes', bytes: Buffer.from(`${text.slice(0, at)}\0\0${text.slice(at)}`) };
  }
}

function parseLikeImporter(bytes: Buffer): string {
  try {
    const t = readTable(bytes.toString('utf8'));
    for (const r of t.records) expect(r.values.length).toBeGreaterThan(0);
    return 'valid';
  } catch (err) {
    if (err instanceof CsvError) return 'CsvError';
    throw err;
  }
}

function imageMutation(rand: Rand, bases: readonly Buffer[]): Mutation {
  const base = bases[int(rand, bases.length)]!;
  const kind = int(rand, 4);
  if (kind === 0) return { name: 'bit flips in the header', bytes: Buffer.concat([flipBits(rand, base.subarray(0, 700)), base.subarray(700)]) };
  if (kind === 1) return { name: 'truncation', bytes: truncate(rand, base) };
  if (kind === 2) return { name: 'bit flips anywhere', bytes: flipBits(rand, base) };
  // An inflated size: the dimensions (PNG IHDR, JPEG SOF) or a segment length.
  const out = Buffer.from(base);
  if (isPng(out)) {
    out.writeUInt32BE([0x7fffffff, 30_000, 1_000_000, 65_535][int(rand, 4)]!, 16 + 4 * int(rand, 2));
    return { name: 'inflated PNG dimensions', bytes: out };
  }
  for (let i = 2; i + 9 < out.length; ) {
    const marker = out[i + 1]!;
    const len = out.readUInt16BE(i + 2);
    if (marker === 0xc0 || rand() < 0.3) {
      if (marker === 0xc0 && rand() < 0.7) out.writeUInt16BE(30_000 + int(rand, 35_536), i + 5 + 2 * int(rand, 2));
      else out.writeUInt16BE([0xffff, 0, 1, 2][int(rand, 4)]!, i + 2);
      return { name: 'an inflated JPEG size field', bytes: out };
    }
    i += 2 + len;
  }
  return { name: 'unchanged', bytes: out };
}

/** Header, then the importer's whole probe; the reason must name what is wrong. */
async function probeLikeImporter(bytes: Buffer, file: string): Promise<string> {
  try {
    if (isJpeg(bytes)) jpegHeader(bytes);
    else if (isPng(bytes)) pngHeader(bytes);
  } catch (err) {
    if (!(err instanceof ImageHeaderError)) throw err;
  }
  fs.writeFileSync(file, bytes);
  const r = await probeFile(file);
  if (!r.ok) {
    expect(r.reason.length).toBeGreaterThan(5);
    return 'refused';
  }
  expect(r.width * r.height).toBeLessThanOrEqual(268_402_689);
  return 'valid';
}

interface Tally {
  cases: number;
  outcomes: Record<string, number>;
  slowestMs: number;
  peakGrowthMb: number;
}

async function run(count: number, seed: number, make: (rand: Rand) => Mutation, check: (m: Mutation, i: number) => string | Promise<string>): Promise<Tally> {
  const rand = mulberry32(seed);
  const tally: Tally = { cases: 0, outcomes: {}, slowestMs: 0, peakGrowthMb: 0 };
  const base = process.memoryUsage();
  for (let i = 0; i < count; i++) {
    const m = make(rand);
    const t0 = performance.now();
    let outcome: string;
    try {
      outcome = await check(m, i);
    } catch (err) {
      throw new Error(`case ${i} (${m.name}, ${m.bytes.length} bytes) ended in ${(err as Error).name}: ${(err as Error).message}`);
    }
    const ms = performance.now() - t0;
    const now = process.memoryUsage();
    const growth = Math.max(now.rss - base.rss, now.heapUsed + now.arrayBuffers - base.heapUsed - base.arrayBuffers) / 1024 ** 2;
    expect(ms, `case ${i} (${m.name}) took ${ms.toFixed(0)} ms`).toBeLessThan(MAX_CASE_MS);
    expect(growth, `case ${i} (${m.name}) grew memory by ${growth.toFixed(0)} MB`).toBeLessThan(MAX_GROWTH_MB);
    tally.cases++;
    tally.outcomes[outcome] = (tally.outcomes[outcome] ?? 0) + 1;
    tally.slowestMs = Math.max(tally.slowestMs, ms);
    tally.peakGrowthMb = Math.max(tally.peakGrowthMb, growth);
  }
  return tally;
}

describe('fuzzing the parsers of strangers\' files (seeded)', () => {
  const tallies: Record<string, Tally> = {};
  afterAll(() => {
    const total = Object.values(tallies).reduce((a, t) => a + t.cases, 0);
    console.log(`fuzz: ${total} mutations`, JSON.stringify(tallies));
  });

  it(`MAT reader: ${COUNTS.mat} mutated files end in a MatFileError or a valid result`, async () => {
    const bases = matBases();
    for (const b of bases) expect(readLikeImporter(writeMatFile(b.vars))).toBe('valid');
    const t = await run(COUNTS.mat, SEED, (rand) => matMutation(rand, bases), (m) => readLikeImporter(m.bytes));
    tallies.mat = t;
    expect(t.cases).toBe(COUNTS.mat);
    // The mutations reach both ends: many are refused, some still read.
    expect(t.outcomes.MatFileError).toBeGreaterThan(COUNTS.mat / 4);
    expect(t.outcomes.valid).toBeGreaterThan(20);
  }, 120_000);

  it(`CSV reader: ${COUNTS.csv} mutated label CSVs end in a CsvError or a valid table`, async () => {
    const bases = csvBases();
    for (const b of bases) expect(parseLikeImporter(Buffer.from(b))).toBe('valid');
    const t = await run(COUNTS.csv, SEED + 1, (rand) => csvMutation(rand, bases), (m) => parseLikeImporter(m.bytes));
    tallies.csv = t;
    expect(t.cases).toBe(COUNTS.csv);
    expect(t.outcomes.CsvError).toBeGreaterThan(COUNTS.csv / 4);
    expect(t.outcomes.valid).toBeGreaterThan(20);
  }, 120_000);

  it(`image headers: ${COUNTS.image} mutated JPEG and PNG files are probed to a reason or a valid size`, async () => {
    const crop = fs.readFileSync(path.join(UTKFACE_DIR, fs.readdirSync(UTKFACE_DIR).filter((f) => f.endsWith('.jpg')).sort()[0]!));
    const bases = [crop, await makeJpeg(64, 48, 3), await sharp(crop).resize(40, 40).png().toBuffer()];
    const dir = tempDir('fuzz-images');
    const t = await run(COUNTS.image, SEED + 2, (rand) => imageMutation(rand, bases), (m, i) => probeLikeImporter(m.bytes, path.join(dir, `${i}.img`)));
    tallies.image = t;
    expect(t.cases).toBe(COUNTS.image);
    expect(t.outcomes.refused).toBeGreaterThan(COUNTS.image / 4);
    expect(t.outcomes.valid).toBeGreaterThan(20);
  }, 120_000);
});

describe('hostile metadata through the importer: the file is named and the catalogue unchanged', () => {
  let db: Db;
  let before: Record<string, unknown>;
  const counts = (): Record<string, unknown> =>
    Object.fromEntries(
      ['images', 'datasets', 'import_errors'].map((t) => [t, db.prepare(`SELECT COUNT(*) FROM ${t}`).pluck().get()]),
    );
  const snapshot = (): string => JSON.stringify(db.prepare('SELECT id, dataset_id, source_path, content_hash, age, gender, split FROM images ORDER BY id').all());
  let images: string;

  beforeAll(async () => {
    db = openCatalogue(tempDir('fuzz-catalogue'));
    const good = path.join(tempDir('fuzz-good'), 'wiki_crop');
    await writeImdbWikiFixture(good, 'wiki', bulkImdbRows(20));
    const r = await importDataset(db, { path: good, format: 'imdb-wiki' });
    expect(r).toMatchObject({ imported: 20, failed: 0, complete: true });
    before = counts();
    images = snapshot();
  });
  afterAll(() => db.close());

  it('30 mutated wiki.mat files and 10 label CSVs: each refused naming its file, or imported beside the earlier import', async () => {
    const rand = mulberry32(SEED + 3);
    const bases = matBases();
    const csvs = csvBases();
    let refused = 0;
    for (let i = 0; i < 40; i++) {
      const dir = path.join(tempDir('fuzz-hostile'), i < 30 ? 'wiki_crop' : 'labels');
      fs.mkdirSync(dir, { recursive: true });
      const file = i < 30 ? 'wiki.mat' : 'labels.csv';
      const m = i < 30 ? matMutation(rand, bases.slice(0, 1)) : csvMutation(rand, csvs);
      fs.writeFileSync(path.join(dir, file), m.bytes);
      const countsBefore = counts();
      try {
        await importDataset(db, { path: dir, format: i < 30 ? 'imdb-wiki' : 'csv' });
      } catch (err) {
        refused++;
        expect((err as Error).message, m.name).toContain(file);
        expect(counts(), m.name).toEqual(countsBefore);
      }
      expect(snapshot().startsWith(images.slice(0, -1)), m.name).toBe(true);
    }
    expect(refused).toBeGreaterThan(10);
    expect(counts().images).toBeGreaterThanOrEqual(before.images as number);
  }, 120_000);
});
