import type { Gender } from '../../domain/gender.js';
import { LabelError, parseAge } from './labels.js';
import type { ImportItem, Scanner } from './types.js';
import { listImageFiles } from './walk.js';

/** AGE_GENDER_RACE_DATETIME.jpg[.chip.jpg]; the original release also has names without the race field. */
const NAME = /^(\d+)_(\d+)(?:_(\d+))?_(\d{8,})(?:\..*)?$/;

export function looksLikeUtkName(base: string): boolean {
  return NAME.test(base);
}

export interface UtkLabels {
  age: number;
  gender: Gender;
  race: number | null;
  warning?: string;
}

/** Labels from a UTKFace file name; throws LabelError when the name cannot be read. */
export function parseUtkName(base: string): UtkLabels {
  const m = NAME.exec(base);
  if (!m) throw new LabelError(`unparseable name "${base}": expected AGE_GENDER_RACE_DATETIME.jpg`);
  const age = parseAge(m[1]);
  if (age === null) throw new LabelError(`unparseable name "${base}": no age`);
  const code = Number(m[2]);
  const race = m[3] === undefined ? null : Number(m[3]);
  if (code === 0) return { age, gender: 'male', race };
  if (code === 1) return { age, gender: 'female', race };
  return { age, gender: 'unknown', race, warning: `${base}: gender code ${m[2]} is neither 0 (male) nor 1 (female); recorded as unknown` };
}

export const utkfaceScanner: Scanner = {
  format: 'utkface',
  async scan(root) {
    const files = await listImageFiles(root);
    const items: ImportItem[] = files.map((relPath) => {
      const base = relPath.slice(relPath.lastIndexOf('/') + 1);
      try {
        const l = parseUtkName(base);
        return {
          relPath,
          labels: { age: l.age, gender: l.gender, race: l.race, subject: null, split: null, originFile: relPath },
          ...(l.warning ? { warnings: [l.warning] } : {}),
        };
      } catch (err) {
        if (err instanceof LabelError) return { relPath, labelError: err.message };
        throw err;
      }
    });
    return { items, warnings: [] };
  },
};
