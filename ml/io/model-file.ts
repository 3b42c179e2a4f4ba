/**
 * Checks for the model files read from disk (sidecar, weights manifest, age prototypes): a file cut short, a count
 * that does not match, a NaN or a knot out of order is refused with a ModelFileError naming the file and what is wrong,
 * before any of it is used.
 */
import fs from 'node:fs';

export class ModelFileError extends Error {
  override readonly name = 'ModelFileError';
  constructor(
    readonly file: string,
    readonly problem: string,
  ) {
    super(`${file}: ${problem}`);
  }
}

/** The JSON in `file`; a file cut short or not JSON fails naming it. */
export function readJsonFile(file: string): unknown {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new ModelFileError(file, `cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new ModelFileError(file, `not valid JSON, perhaps cut short (${text.length} bytes): ${(err as Error).message}`);
  }
}

/** Field-by-field checks of one parsed file; every failure names the file and the field. */
export class FileCheck {
  constructor(readonly file: string) {}

  fail(problem: string): never {
    throw new ModelFileError(this.file, problem);
  }

  object(v: unknown, where: string): Record<string, unknown> {
    if (typeof v !== 'object' || v === null || Array.isArray(v)) this.fail(`${where} should be an object`);
    return v as Record<string, unknown>;
  }

  number(v: unknown, where: string, range: { min?: number; max?: number; integer?: boolean } = {}): number {
    if (typeof v !== 'number' || !Number.isFinite(v)) this.fail(`${where} should be a finite number, found ${JSON.stringify(v) ?? String(v)}`);
    if (range.integer && !Number.isInteger(v)) this.fail(`${where} should be a whole number, found ${v}`);
    if (range.min !== undefined && v < range.min) this.fail(`${where} is ${v}, below ${range.min}`);
    if (range.max !== undefined && v > range.max) this.fail(`${where} is ${v}, above ${range.max}`);
    return v;
  }

  /** An array of finite numbers, of `length` when given. */
  numbers(v: unknown, where: string, length?: number): number[] {
    if (!Array.isArray(v)) this.fail(`${where} should be an array of numbers`);
    if (length !== undefined && v.length !== length) this.fail(`${where} has ${v.length} values, expected ${length}`);
    v.forEach((x, i) => {
      if (typeof x !== 'number' || !Number.isFinite(x)) this.fail(`${where}[${i}] is ${JSON.stringify(x) ?? String(x)}, not a finite number`);
    });
    return v as number[];
  }

  /** Strictly increasing: interpolating between two equal knots would divide by zero. */
  increasing(v: readonly number[], where: string): void {
    for (let i = 1; i < v.length; i++) {
      if (!(v[i]! > v[i - 1]!)) this.fail(`${where} must increase strictly, but ${where}[${i - 1}] = ${v[i - 1]} and ${where}[${i}] = ${v[i]}${v[i] === v[i - 1] ? ' (a duplicate)' : ''}`);
    }
  }

  /** Every value of a float array finite (weights read from binary). */
  finite(values: Float32Array, where: string): void {
    for (let i = 0; i < values.length; i++) if (!Number.isFinite(values[i]!)) this.fail(`${where}[${i}] is ${values[i]}, not a finite number`);
  }
}
