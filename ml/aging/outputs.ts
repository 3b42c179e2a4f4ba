import fs from 'node:fs';
import path from 'node:path';

export const PHOTO_EXTENSIONS = new Set(['.jpg', '.jpeg', '.png', '.webp', '.bmp', '.tif', '.tiff', '.gif', '.avif', '.heic']);

/** Photos named on the command line: files as given, folders expanded to their image files (sorted, not recursive). */
export function expandPhotoArgs(args: readonly string[]): string[] {
  const out: string[] = [];
  for (const a of args) {
    const p = path.resolve(a);
    let st: fs.Stats;
    try {
      st = fs.statSync(p);
    } catch {
      out.push(p); // reported per photo as unreadable
      continue;
    }
    if (st.isDirectory()) {
      for (const f of fs.readdirSync(p).sort()) {
        if (PHOTO_EXTENSIONS.has(path.extname(f).toLowerCase()) && fs.statSync(path.join(p, f)).isFile()) out.push(path.join(p, f));
      }
    } else {
      out.push(p);
    }
  }
  return out;
}

/** `<stem>` for one face, `<stem>-<k>` for several; stems already used get `_2`, `_3`... */
export function outputStem(photo: string, used: Set<string>): string {
  const base = path.basename(photo, path.extname(photo));
  let stem = base;
  for (let i = 2; used.has(stem); i++) stem = `${base}_${i}`;
  used.add(stem);
  return stem;
}
