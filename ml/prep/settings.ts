/** How a face is prepared. Stored with every crop so a photo dropped in later gets exactly the same treatment. */
export interface PrepSettings {
  version: 1;
  /** Crop side in pixels. */
  size: 64 | 128 | 256;
  /** Canonical 5-point template (see template.ts). */
  template: 'chronoface-v1';
  background: {
    enabled: boolean;
    /** Neutral grey level (0-255) behind the person. */
    grey: number;
    /** Gaussian feather of the mask edge, in pixels of a 128 px crop (scaled with the size). */
    feather: number;
    /** Person confidence (0-1) taken as the mask edge. */
    threshold: number;
  };
  lighting: {
    enabled: boolean;
    method: 'clahe';
    /** CLAHE clip limit, in multiples of the mean histogram bin. */
    clipLimit: number;
    /** Tiles per side. */
    tiles: number;
    /** 0 = unchanged luminance, 1 = full CLAHE. */
    strength: number;
  };
}

export const CROP_SIZES = [64, 128, 256] as const;

export const DEFAULT_PREP_SETTINGS: PrepSettings = Object.freeze({
  version: 1,
  size: 128,
  template: 'chronoface-v1',
  background: Object.freeze({ enabled: true, grey: 128, feather: 2, threshold: 0.5 }),
  lighting: Object.freeze({ enabled: true, method: 'clahe', clipLimit: 2, tiles: 4, strength: 0.8 }),
}) as PrepSettings;

function num(v: unknown, fallback: number, min: number, max: number, name: string): number {
  if (v === undefined || v === null) return fallback;
  if (typeof v !== 'number' || !Number.isFinite(v) || v < min || v > max) {
    throw new Error(`preparation setting ${name} must be a number from ${min} to ${max}, got ${JSON.stringify(v)}`);
  }
  return v;
}

function bool(v: unknown, fallback: boolean, name: string): boolean {
  if (v === undefined || v === null) return fallback;
  if (typeof v !== 'boolean') throw new Error(`preparation setting ${name} must be true or false, got ${JSON.stringify(v)}`);
  return v;
}

function obj(v: unknown): Record<string, unknown> {
  return v !== null && typeof v === 'object' ? (v as Record<string, unknown>) : {};
}

/** Validates a (partial) settings object and fills in the defaults. */
export function normalizePrepSettings(input?: unknown): PrepSettings {
  const s = obj(input);
  const d = DEFAULT_PREP_SETTINGS;
  const size = s.size ?? d.size;
  if (!CROP_SIZES.includes(size as PrepSettings['size'])) throw new Error(`crop size must be 64, 128 or 256, got ${JSON.stringify(size)}`);
  if (s.template !== undefined && s.template !== 'chronoface-v1') throw new Error(`unknown alignment template ${JSON.stringify(s.template)}`);
  if (s.version !== undefined && s.version !== 1) throw new Error(`unknown preparation settings version ${JSON.stringify(s.version)}`);
  const bg = obj(s.background);
  const li = obj(s.lighting);
  if (li.method !== undefined && li.method !== 'clahe') throw new Error(`unknown lighting method ${JSON.stringify(li.method)}`);
  return {
    version: 1,
    size: size as PrepSettings['size'],
    template: 'chronoface-v1',
    background: {
      enabled: bool(bg.enabled, d.background.enabled, 'background.enabled'),
      grey: num(bg.grey, d.background.grey, 0, 255, 'background.grey'),
      feather: num(bg.feather, d.background.feather, 0, 32, 'background.feather'),
      threshold: num(bg.threshold, d.background.threshold, 0.01, 0.99, 'background.threshold'),
    },
    lighting: {
      enabled: bool(li.enabled, d.lighting.enabled, 'lighting.enabled'),
      method: 'clahe',
      clipLimit: num(li.clipLimit, d.lighting.clipLimit, 1, 40, 'lighting.clipLimit'),
      tiles: num(li.tiles, d.lighting.tiles, 1, 16, 'lighting.tiles'),
      strength: num(li.strength, d.lighting.strength, 0, 1, 'lighting.strength'),
    },
  };
}
