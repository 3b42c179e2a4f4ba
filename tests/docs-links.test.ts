/**
 * The manual holds together: every relative link of README.md and docs/*.md reaches a file of the repository (and,
 * with #anchor, a heading of it), and every command `chronoface --help` lists is explained somewhere in docs/.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { commands } from '../cli/commands/index.js';
import { REPO_ROOT } from './helpers/env.js';

const DOCS = path.join(REPO_ROOT, 'docs');
const pages = ['README.md', ...fs.readdirSync(DOCS).filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)];
const read = (rel: string): string => fs.readFileSync(path.join(REPO_ROOT, rel), 'utf8');

/** The text outside fenced code blocks and inline code, where links are links. */
function prose(markdown: string): string {
  return markdown.replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, '').replace(/`[^`\n]*`/g, '');
}

/** GitHub's anchor of a heading: lower case, punctuation dropped, spaces to hyphens; repeats get -1, -2, ... */
function anchorsOf(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const anchors = new Set<string>();
  const withoutFences = markdown.replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, '');
  for (const [, title] of withoutFences.matchAll(/^#{1,6}\s+(.+?)\s*#*\s*$/gm)) {
    const base = title!
      .toLowerCase()
      .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .replace(/\s/g, '-');
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    anchors.add(n === 0 ? base : `${base}-${n}`);
  }
  return anchors;
}

/** [text](target) and [text](target "title") links, images included. */
function linksOf(markdown: string): string[] {
  return [...prose(markdown).matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)].map((m) => m[1]!);
}

describe('the manual', () => {
  it('has a README of one page and the task pages it links to', () => {
    expect(read('README.md').split('\n').length).toBeLessThanOrEqual(300);
    expect(read('README.md')).toContain('npm test');
    for (const page of ['datasets-and-import', 'preparation', 'review', 'training', 'aging', 'evaluation', 'studio-and-browser-mode', 'security', 'performance', 'architecture', 'development-and-tests']) {
      expect(pages, `docs/${page}.md`).toContain(`docs/${page}.md`);
    }
  });

  it('resolves every relative link and anchor of README.md and docs/*.md', () => {
    const broken: string[] = [];
    let checked = 0;
    for (const page of pages) {
      for (const link of linksOf(read(page))) {
        if (/^[a-z][a-z0-9+.-]*:/i.test(link)) continue; // http:, https:, mailto:
        checked++;
        const [target, anchor] = link.split('#') as [string, string | undefined];
        const file = target === '' ? page : path.posix.normalize(path.posix.join(path.posix.dirname(page), decodeURIComponent(target)));
        const abs = path.join(REPO_ROOT, file);
        if (file.startsWith('..') || !fs.existsSync(abs)) {
          broken.push(`${page}: ${link} (no ${file})`);
          continue;
        }
        if (anchor === undefined || anchor === '') continue;
        if (!file.endsWith('.md')) {
          broken.push(`${page}: ${link} (an anchor into a file that is not Markdown)`);
        } else if (!anchorsOf(read(file)).has(decodeURIComponent(anchor))) {
          broken.push(`${page}: ${link} (no heading #${anchor} in ${file})`);
        }
      }
    }
    expect(broken).toEqual([]);
    expect(checked).toBeGreaterThan(30);
  });

  it('lists every page of docs/ in its index', () => {
    const index = linksOf(read('docs/README.md')).map((l) => l.split('#')[0]);
    const unlisted = pages.filter((p) => p.startsWith('docs/') && p !== 'docs/README.md' && !index.includes(path.basename(p)));
    expect(unlisted).toEqual([]);
  });

  it('explains every command that chronoface --help lists', () => {
    expect(commands.length).toBeGreaterThan(5);
    const docs = pages.filter((p) => p.startsWith('docs/')).map(read).join('\n');
    const undocumented = commands.map((c) => c.name).filter((name) => !new RegExp(`\\bchronoface ${name}\\b`).test(docs));
    expect(undocumented, 'write how to use these commands in docs/ (e.g. "chronoface <name> ..." in a code block)').toEqual([]);
  });
});
