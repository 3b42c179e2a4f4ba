/**
 * File URLs. The renderer never sees a filesystem path: the service returns files as FileRef (a path relative to the
 * data directory) and each transport turns every FileRef into a FileUrl before the renderer gets it:
 *   Electron:      chronoface://files/<relative path>[?v=]      chronoface://images/<image id>
 *   browser mode:  /files/<relative path>?token=<token>[&v=]    /images/<image id>?token=<token>
 */

declare const fileUrlBrand: unique symbol;

/** A URL the renderer can put in an <img src> or <a href>. Only transports (and test harnesses) mint these. */
export type FileUrl = string & { readonly [fileUrlBrand]: true };

/**
 * What the service returns where the renderer will get a FileUrl: a data-directory-relative path with '/' separators
 * ($v: a version that busts caches after a file is rewritten), or the source photo of a catalogue image, which lives
 * in the dataset's own folder and is served by id, never by path.
 */
export type FileRef = { readonly $file: string; readonly $v?: string } | { readonly $image: number };

export const ELECTRON_SCHEME = 'chronoface';
export const ELECTRON_FILES_ORIGIN = `${ELECTRON_SCHEME}://files`;
export const ELECTRON_IMAGES_ORIGIN = `${ELECTRON_SCHEME}://images`;
export const ELECTRON_APP_ORIGIN = `${ELECTRON_SCHEME}://app`;

export function asFileUrl(url: string): FileUrl {
  return url as FileUrl;
}

export function fileRef(relativePath: string, version?: string): FileRef {
  const $file = relativePath.split('\\').join('/');
  return version === undefined ? { $file } : { $file, $v: version };
}

export function imageRef(imageId: number): FileRef {
  return { $image: imageId };
}

export function isFileRef(value: unknown): value is FileRef {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as { $file?: unknown; $image?: unknown; $v?: unknown };
  return typeof v.$file === 'string' || typeof v.$image === 'number';
}

function encodePath(relativePath: string): string {
  return relativePath.split('/').map(encodeURIComponent).join('/');
}

export function electronFileUrl(ref: FileRef): FileUrl {
  if ('$image' in ref) return asFileUrl(`${ELECTRON_IMAGES_ORIGIN}/${ref.$image}`);
  const v = ref.$v === undefined ? '' : `?v=${encodeURIComponent(ref.$v)}`;
  return asFileUrl(`${ELECTRON_FILES_ORIGIN}/${encodePath(ref.$file)}${v}`);
}

export function browserFileUrl(ref: FileRef): FileUrl {
  if ('$image' in ref) return asFileUrl(`/images/${ref.$image}`);
  const v = ref.$v === undefined ? '' : `?v=${encodeURIComponent(ref.$v)}`;
  return asFileUrl(`/files/${encodePath(ref.$file)}${v}`);
}

/** The service-side shape of a renderer type: every FileUrl in T is a FileRef. */
export type Served<T> = unknown extends T
  ? T
  : T extends FileUrl
    ? FileRef
    : T extends string | number | boolean | null | undefined
      ? T
      : { [K in keyof T]: Served<T[K]> }; // homomorphic: arrays and tuples stay arrays and tuples

/** Replaces every FileRef inside a service value by toUrl(relativePath). Plain data only (JSON-like). */
export function resolveFiles<T>(value: Served<T>, toUrl: (ref: FileRef) => FileUrl): T {
  return walk(value, toUrl) as T;
}

function walk(value: unknown, toUrl: (ref: FileRef) => FileUrl): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (isFileRef(value)) return toUrl(value);
  if (Array.isArray(value)) return value.map((v) => walk(v, toUrl));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) out[k] = walk(v, toUrl);
  return out;
}
