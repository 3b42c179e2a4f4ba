/** The dataset card (README.md at OUT_DIR's top), in Hugging Face's format: a YAML header, then what a reader needs. */
import type { ExportDataset } from '../../db/export-rows.js';
import { DATASET_LICENCES, inheritedLicence } from '../../domain/dataset-licences.js';
import type { ExportFormat, ExportSkip } from '../../domain/export.js';

export interface CardFacts {
  readonly status: 'complete' | 'incomplete' | 'running' | 'cancelled';
  /** Why an incomplete export stopped. */
  readonly error: string | null;
  readonly format: ExportFormat;
  readonly command: string;
  readonly date: string;
  readonly statuses: readonly string[];
  readonly exported: number;
  readonly total: number;
  readonly skipped: number;
  readonly skips: readonly ExportSkip[];
  readonly bySplit: Readonly<Record<string, number>>;
  readonly byGender: Readonly<Record<string, number>>;
  readonly byDecade: Readonly<Record<string, number>>;
  /** How the crops were prepared (each variant and how many crops it made). */
  readonly preparations: Readonly<Record<string, number>>;
  readonly rejected: { readonly total: number; readonly reasons: Readonly<Record<string, number>> };
  readonly size: string;
  readonly background: string;
  readonly imageFormat: string;
  readonly datasets: readonly ExportDataset[];
  /** Subjects found in more than one split, in the exported datasets (checked in the catalogue; should be none). */
  readonly subjectsInSeveralSplits: number;
  /** Where the layout puts things, one line each. */
  readonly layout: readonly string[];
}

function sizeCategory(n: number): string {
  if (n < 1000) return 'n<1K';
  if (n < 10_000) return '1K<n<10K';
  if (n < 100_000) return '10K<n<100K';
  if (n < 1_000_000) return '100K<n<1M';
  return '1M<n<10M';
}

const yamlString = (s: string): string => JSON.stringify(s);

function table(title: string, counts: Readonly<Record<string, number>>): string {
  const rows = Object.entries(counts).sort((a, b) => a[0].localeCompare(b[0], 'en', { numeric: true }));
  if (rows.length === 0) return `| ${title} | crops |\n|---|---:|\n| (none) | 0 |\n`;
  return `| ${title} | crops |\n|---|---:|\n${rows.map(([k, n]) => `| ${k} | ${n} |`).join('\n')}\n`;
}

export function datasetCard(f: CardFacts): string {
  const licences = [...new Set(f.datasets.map((d) => d.format))].map((format) => ({ format, ...DATASET_LICENCES[format] }));
  const nonCommercial = licences.some((l) => l.nonCommercial);
  const yaml = [
    '---',
    'license: other',
    `license_name: ${yamlString(inheritedLicence(f.datasets.map((d) => d.format)))}`,
    `pretty_name: ${yamlString(`Chronoface export of ${f.datasets.map((d) => d.name).join(', ')}`)}`,
    'task_categories:',
    '- image-classification',
    'tags:',
    '- faces',
    '- age',
    '- gender',
    '- chronoface',
    `size_categories:\n- ${sizeCategory(f.exported)}`,
    '---',
    '',
  ].join('\n');
  const status =
    f.status === 'complete'
      ? `Complete: ${f.exported} crops of the ${f.total} that matched the filters${f.skipped ? ` (${f.skipped} skipped, listed below)` : ''}.`
      : `**INCOMPLETE export** (${f.status}): ${f.exported} of ${f.total} crops written.${f.error ? ` It stopped on: ${f.error}.` : ''} Run the same command again to resume it.`;
  const skips = f.skipped
    ? `\n### Skipped crops\n\n${f.skipped} crops could not be exported${f.skips.length < f.skipped ? ` (the first ${f.skips.length} are listed)` : ''}:\n\n${f.skips.map((s) => `- crop ${s.cropId} (\`${s.file.replace(/[`\n\r]/g, '?')}\`): ${s.reason}`).join('\n')}\n`
    : '';
  const rejected = Object.entries(f.rejected.reasons).map(([r, n]) => `${r} ${n}`).join(', ');
  const sources = f.datasets
    .map((d) => {
      const l = DATASET_LICENCES[d.format];
      return [
        `### ${d.name} (${l.title})`,
        '',
        `- Licence: **${l.licence}**`,
        `- Terms: ${l.terms}`,
        ...(l.url ? [`- Home page: ${l.url}`] : []),
        '',
        ...(l.citation ? ['```bibtex', l.citation, '```', ''] : ['No citation: the data is the curator\'s own.', '']),
      ].join('\n');
    })
    .join('\n');
  return `${yaml}
# Chronoface export

${status}

Faces curated in Chronoface: detected, aligned and cleaned, then reviewed by hand. Crops of status ${f.statuses.join(', ')} are included.

## Layout (${f.format})

${f.layout.map((l) => `- ${l}`).join('\n')}

Every row carries \`age\`, \`gender\` (male/female/unknown), \`race\` where the source has it, \`split\`, \`subject\`, \`dataset\`,
\`source_path\` (the original image, relative to its dataset's root), \`status\`, the alignment (five points and the
transform from crop pixels to the source photo) and the quality signals (score, blur, pose, flags, duplicate).

## Counts

${table('split', f.bySplit)}
${table('gender', f.byGender)}
${table('age decade', f.byDecade)}
${f.subjectsInSeveralSplits === 0 ? 'The splits are subject-disjoint, as in the catalogue (checked at export): no person is in two splits' : `**${f.subjectsInSeveralSplits} subjects are in more than one split** in the catalogue`} (a photo without a subject id counts as its own subject, identical copies as one).

## Curation

${f.rejected.total} crops were rejected by the curators and are not here${rejected ? ` (by reason: ${rejected})` : ''}.
${skips}
## How the crops were made

- Alignment: five facial points (eyes, nose, mouth corners) mapped onto the chronoface-v1 template by a similarity transform.
- Size: ${f.size}; image format: ${f.imageFormat}; background: ${f.background}.
- Preparation (background, lighting) of the exported crops:
${Object.entries(f.preparations).map(([p, n]) => `  - ${p}: ${n} crops`).join('\n') || '  - (none)'}

## Export

\`\`\`
${f.command}
\`\`\`

Exported on ${f.date}.

## Source datasets, licences and citations

${sources}
## Licence

This export inherits the licence and terms of every source dataset above${nonCommercial ? '; at least one allows **non-commercial research use only**, so the whole export does' : ''}.
A model trained on it inherits them too: its model card's licence line should read \`license: other\` with the licences named here.
`;
}
