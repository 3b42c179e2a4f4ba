import { blurPlane } from '../prep/masks.js';
import { textureShare } from './change-filters.js';
import { labToRgb, lightnessOf, lumaPlane, rgbToLab } from './lab.js';
import { holdBlobs, holdBlobsBeyond } from './line-filter.js';
import { capLightening } from './bright-cap.js';
import { blurredGrey, capDarkening } from './dark-cap.js';
import { limitShading, widenedZone } from './child-shade.js';
import { softened } from './photo-grain.js';

/**
 * How the texture change ages a face in lightness and detail, keeping the person's colouring (the `lightness` block
 * of a model sidecar's `aging`). Age estimators, and people, read age from lightness and detail: lines, folds, sag
 * shading. The decoder's broad change is where dark and coloured patches live, so only its fine band is used.
 */
export interface LightnessSettings {
  /** Weight of the decoder change's fine band (its lightness minus a blur of `fineBlur`), going older, at the full adult share. */
  readonly decoderOlder: number;
  /** The same going older from a source of 10 or under (linear to decoderOlder at 20): a child's decoded change is an adult's texture drawn over it. */
  readonly decoderChild: number;
  /** The same going younger. */
  readonly decoderYounger: number;
  /**
   * Weight of the decoder change's broad band (its lightness blurred by `fineBlur`) going younger: the decoder's younger
   * face is smoother and lighter where lines and beard shadow were.
   */
  readonly broadYounger: number;
  /** The same going older from a source of 10 or under (none from 20 on, where the broad band draws patches): a child's face grows into an adult's shading. */
  readonly broadChild: number;
  /** Width of the fine band's blur, as a share of the face's width. */
  readonly fineBlur: number;
  /**
   * Soft limit (levels) on the decoder fine band's lightness change: v becomes limit x tanh(v / limit), so lines (5-15
   * levels) pass and blotches (20-40) are held back. 0: no limit. Optional in a sidecar (0 when absent).
   */
  readonly fineLimit?: number;
  /** Soft limit (levels) on the prototypes' lightness change, as `fineLimit`: their receding hairline and dark eye sockets stay moderate. Optional. */
  readonly prototypeLimit?: number;
  /**
   * Soft limit (levels) on the prototypes' lightening going older: an older face mostly darkens (shadows, lines), and
   * where the source-age mean face has hair and the older one skin (a receding hairline), or at its temples, the ratio
   * would paint a bright band or blob on the person's forehead, cap or hair. Optional (0, no limit, when absent).
   */
  readonly prototypeLighten?: number;
  /** Weight of the prototypes' relative lightness change going older, for a source of 10 or under (gentle: a child grows). */
  readonly prototypeChild: number;
  /** The same for a source of 20 or over (adults need it stronger); linear between. */
  readonly prototypeAdult: number;
  /** The same going younger. */
  readonly prototypeYounger: number;
  /** Share of the prototypes' broad colour change kept for a child source (none from 20 on): children grow without turning grey. */
  readonly colourChild: number;
  /**
   * The face's own detail (its lightness minus a blur of `linesBlur` of the face width, at the photo's resolution) is
   * scaled by 1 + lines x (r - 1), r the ratio of the prototypes' detail energy at the target to the source age,
   * region by region: lines and beard shadow fade going younger and deepen going older.
   */
  readonly linesYounger: number;
  readonly linesOlder: number;
  readonly linesBlur: number;
  /**
   * Going younger, the face's own detail is measured against a blur of this share of the face's width instead of
   * `linesBlur`: a wider band takes folds and deep lines as well as fine ones. Optional (linesBlur when absent).
   */
  readonly linesBlurYounger?: number;
  /**
   * Going younger, the skin's lines and folds (its lightness minus a blur of `linesBlurYounger` of the face's width,
   * detail finer than `youngerKeep` left alone) are smoothed away by this times the share of that detail the target
   * age does not have (linesLost), at most 0.9. Independent of the detail-energy table, whose 8 x 8 cells read hair
   * and photo quality as detail (its ratio from 69 to 20 is 0.9-1.25). Optional (0, none, when absent).
   */
  readonly youngerSmooth?: number;
  /** The smoothing's blur is edge-preserving (edge-smooth.ts) with this edge (levels): skin to hair and brows stay. Optional (a plain blur when absent). */
  readonly youngerEdge?: number;
  /** Detail finer than this share of the face's width (pores, skin grain) is kept going younger, so skin does not turn waxy. Optional (none kept when absent). */
  readonly youngerKeep?: number;
  /**
   * Going younger to under 20, a man's lower face (beard shadow: darker, often bluish grey) is lifted toward his
   * cheeks' lightness by this share at a target of 12 or under (linear to none at 20). Optional (0 when absent).
   */
  readonly beardYounger?: number;
  /**
   * Between two adult ages (both 20 or over), the prototypes' shape change is scaled by gap^2 / (gap^2 + shapeGap^2),
   * gap the years between them: between nearby adult ages their mean shapes differ mostly by sampling noise, so a tiny
   * gap barely moves the face; children's growth is untouched. Optional (no scaling when absent).
   */
  readonly shapeGap?: number;
  /**
   * The same for the prototypes' texture change going older: between two adult ages it is scaled by
   * gap^2 / (gap^2 + prototypeGap^2), so nearby ages, whose mean faces differ mostly by sampling noise, do not carry
   * that noise (times `prototypeAdult`) into the face. Optional (no scaling when absent).
   */
  readonly prototypeGap?: number;
  /**
   * Going older, share (0..1) of the decoder change's non-line-like part held back (line-filter.ts): its fine band, and
   * for a child the mid part of its broad band (`broadSmooth`), keep their lines and folds and lose their isotropic
   * blobs and grain, which show as patches. Optional (0, nothing held, when absent).
   */
  readonly lineHold?: number;
  /** The line filter's finer scale as a share of the face's width (the other is twice it; the broad band's mid part uses 2 and 4 times it). Optional (0.015). */
  readonly lineScale?: number;
  /**
   * What the line filter holds back comes back blurred by this share of the face's width, as smooth shading (the
   * darkening stays, the blobs' edges go). Optional (0: dropped).
   */
  readonly blobSpread?: number;
  /**
   * With `lineHold`, a child's broad band keeps only its blur by this share of the face's width whole (smooth growth
   * shading); the rest, mid-size mottle, goes through the line filter. Optional (the broad band is not filtered when absent).
   */
  readonly broadSmooth?: number;
  /**
   * Going older, share (0..1) of the prototypes' lightness change beyond its blur by `broadSmooth` (0.15 when absent)
   * that is held back where it is not line-like: their darker eye sockets and cheeks as blobs. Optional (0 when absent).
   */
  readonly prototypeHold?: number;
  /**
   * Share (0..1) by which a darkened pixel's a*, b* fall with its lightness as in a shadow (a*, b* x ((L* + 16) after /
   * before)): keeping a*, b* while darkening warm skin reads as brown. Optional (0, a*, b* kept, when absent).
   */
  readonly shadeChroma?: number;
  /**
   * Share of the older change (the decoder's fine band and the prototypes' lightness) held off the eyes, brows and nose
   * (feature-zones.ts) for an adult source (none for a source of 10 or under, linear between): darkened brows, eye
   * sockets and nose sides move a face descriptor away from the person's real later face. Optional (0 when absent:
   * the change covers the whole face).
   */
  readonly featureShield?: number;
  /** Spread of that zone round each feature point, as a share of the face's width. Optional (0.05 when absent). */
  readonly featureSpread?: number;
  /**
   * Going older, share (0..1) of the change's broad lightness (its blur by `toneBlur` of the face's width: an overall
   * darkening of cheeks, forehead and chin) taken out, so the face ages by its lines, folds and shading and keeps its
   * own skin tone. Optional (0, nothing taken out, when absent).
   */
  readonly toneHold?: number;
  /** The blur that broad lightness is measured with, as a share of the face's width. Optional (0.15). */
  readonly toneBlur?: number;
  /**
   * With `toneHold`, for an adult source, share (0..1) of the hold's strengthening of a change also stopped: a lightening
   * beside a broad darkening (under the eyes, on the nose) gains that darkening's depth when the blur is taken out, and
   * the turn rule cuts it off at the sign change: flat pale plateaus with hard edges. Optional (0, as before, when absent).
   */
  readonly toneNoBoost?: number;
  /**
   * Going younger, levels above the skin round a pixel (its blur by 6 % of the face's width; bright-cap.ts) that the
   * change's lightening may take it to, softly: the prototypes' younger change is relative (the crop times a ratio), so
   * a highlight, already the brightest, would gain most and whiten into a blob. Optional (no cap when absent).
   */
  readonly brightCap?: number;
  /**
   * With `brightCap`, levels above the face's bright-skin level (the 90th percentile of its skin's lightness) that no
   * lightening going younger passes: a light face does not turn chalky. Optional (brightCap when absent).
   */
  readonly brightLevel?: number;
  /**
   * Going younger to under 40, a man's grey moustache, beard or stubble (grey-beard.ts: grey where his cheeks are
   * warm, from just under the nose down, off the lips) is darkened toward his own darkest hair tone (his brows') by this
   * share at targets of 20 to 25 (linear to none at 40 and at 12: a child has no beard, and beardYounger lifts its
   * shadow there). Optional (0 when absent).
   */
  readonly greyBeard?: number;
  /**
   * Going older, the face's own detail is deepened only where it stands above the photo's grain: the detail band is
   * cored (d x d² / (d² + t²)) with t this times its noise level on the skin (photo-grain.ts, Donoho's MAD of that band,
   * at the photo's resolution), so film grain and JPEG noise are not deepened and lines standing above them are.
   * Optional (0, nothing cored, when absent).
   */
  readonly grainCore?: number;
  /**
   * Going older, the decoder change's fine band (where its lines, grain and mottle are) is softened (mean kept) by this
   * times the face's own softness (photo-grain.ts: the blur a sharp face would need to look as soft, in crop px): a
   * soft scan gets soft lines, not lines sharper than its own. Optional (0, none, when absent).
   */
  readonly sharpMatch?: number;
  /**
   * Test-time averaging of the decoder's change (change-average.ts): weight (0..1) of the change of the mirrored crop,
   * mirrored back, against the crop's own (1: their mean). Optional (0, one decode per age, when absent).
   */
  readonly flipAverage?: number;
  /** Where the two changes' lightness disagrees in sign, this share (0..1) of their mean is held back. Optional (0). */
  readonly flipAgree?: number;
  /** Where it agrees, their mean is pulled toward the smaller of the two by this share (0..1). Optional (0). */
  readonly flipMin?: number;
  /** Extra decodes per orientation from z moved by `latentSpread` x the posterior's standard deviation, averaged. Optional (0). */
  readonly latentSamples?: number;
  readonly latentSpread?: number;
  /**
   * Hair that greys going older and takes back a colour going younger (hair-grey.ts): this share (0..1) of the real
   * greying curve's change between the two ages, on the hair round the head (outside the face mask, its own paste).
   * Optional (0, the hair kept as it is, when absent).
   */
  readonly hairGrey?: number;
  /**
   * Going older from a source of 10 or under (linear to none at 20), levels the whole lightness change may darken a
   * pixel below the change round it (its blur by `darkBlur` of the face's width), softly (dark-cap.ts): a child's
   * decoded change draws an adult's blotches and streaks round the eyes and on the cheeks, far darker than the
   * shading round them; smooth growth shading and shallow lines pass. Optional (no cap when absent).
   */
  readonly darkCap?: number;
  /** That neighbourhood's blur as a share of the face's width. Optional (0.06). */
  readonly darkBlur?: number;
  /** Share (0..1) of the same cap applied to lightening above that neighbourhood (a dark streak's light flank). Optional (0). */
  readonly darkCapLighten?: number;
  /**
   * Going older from a child, the decoder's broad band (after the line filter) may darken a pixel by at most this many
   * levels beyond the prototypes' own darkening there (their weighted lightness change, blurred by 4 x lineScale of the
   * face's width), softly: its shading follows where the mean face darkens with age, as far as it does, and the
   * person-specific blotches elsewhere are held back. Optional (no limit when absent).
   */
  readonly broadFollow?: number;
  /** Share (0..1) of the same limit applied to the broad band's lightening (beyond the prototypes' lightening): a dark streak's light flank. Optional (0). */
  readonly broadFollowLighten?: number;
  /**
   * Going older, weight of real faces' lines from the model's detail bank (detail-bank.ts, region by region, the
   * target age's patches most like the face's shading), scaled per pixel to the RMS of the fine detail the target age
   * has over the source age (detail-energy.ts), in lightness only, on the skin off the eyes, brows, nose and lips.
   * Optional (0, no bank detail, when absent).
   */
  readonly bankOlder?: number;
  /** The same for a source of 10 or under (linear to bankOlder at 20): a child's smooth skin. Optional (bankOlder when absent). */
  readonly bankChild?: number;
  /** How many of the bank's best-matching patches per region its pick (the one of median strength) is made from. Optional (5). */
  readonly bankMatch?: number;
  /**
   * Going younger, with a plain blur (no `youngerEdge`), the share (0..1) of the skin's detail measured against the mean
   * of the skin round it alone (detail-paste.ts skinMean: the blur weighted by the smoothing's own gain) instead of
   * everything round it: the eyes, brows, lips and hair beside it do not darken that mean, and fading the detail leaves
   * no dark smudge round them. Optional (0: the plain blur).
   */
  readonly youngerSkinMean?: number;
  /**
   * Going younger, share (0..1) of the smoothing taken per colour channel instead of in lightness alone: a dark
   * pigmented spot or a red fold fades toward the colour of the skin round it, so a lifted spot does not turn orange.
   * All of it from COLOUR_GAP years younger, linear from none at the source age. Optional (0: lightness only, each
   * pixel's colour cast kept).
   */
  readonly youngerColour?: number;
  /**
   * Going younger, the smoothing fades off round the eyes (lids, lashes, corners), brows, lips and nostrils: it is
   * scaled by 1 minus their zone (feature-zones.ts sharpFeatureZone) with this spread round each of their mesh points,
   * as a share of the face's width. Optional (0: only the brows and eyes' own outlines are left alone).
   */
  readonly youngerFeatures?: number;
  /**
   * Going younger, where the lightness change lifts a pixel darker than the skin round it (a fold, a pigmented spot;
   * its blur by LIFT_BLUR of the face's width), its a*, b* move toward that skin's by this share (0..1) of the way its
   * lightness went (all of it once lifted to the skin's level): a dark fold's or spot's warm chroma, kept at a lighter
   * L*, reads as an orange or red patch. Scaled as youngerColour by the years made younger. Optional (0: each pixel
   * keeps its own a*, b*).
   */
  readonly liftChroma?: number;
  /**
   * Going older from a source of 10 or under (linear to none at 20), levels the broad part of the lightness change (its
   * blur by `childShadeBlur` of the face's width: the old mean face's shading of cheeks, eye sockets, eyelids and mouth)
   * may reach, softly, either way (child-shade.ts); lines and folds above that blur stay. A child's light, even skin
   * takes that shading as a grey or brown cast where it darkens and as pale wax where it lightens. Optional (no limit
   * when absent).
   */
  readonly childShade?: number;
  /** That blur as a share of the face's width. Optional (0.04). */
  readonly childShadeBlur?: number;
  /**
   * Share (0..1) of that limit lifted round the eyes, brows and nose (the feature zone widened by the same blur): the
   * eye sockets and nose sides keep their shading, the cheeks, forehead and mouth lose the cast. Optional (0).
   */
  readonly childShadeFeatures?: number;
}

export const LIGHTNESS_KEYS: readonly (keyof LightnessSettings)[] = [
  'decoderOlder',
  'decoderChild',
  'decoderYounger',
  'broadYounger',
  'broadChild',
  'fineBlur',
  'prototypeChild',
  'prototypeAdult',
  'prototypeYounger',
  'colourChild',
  'linesYounger',
  'linesOlder',
  'linesBlur',
];

/** Settings a sidecar may leave out. */
export const OPTIONAL_KEYS: readonly (keyof LightnessSettings)[] = [
  'fineLimit',
  'prototypeLimit',
  'prototypeLighten',
  'linesBlurYounger',
  'youngerSmooth',
  'youngerEdge',
  'youngerKeep',
  'beardYounger',
  'shapeGap',
  'prototypeGap',
  'lineHold',
  'lineScale',
  'blobSpread',
  'broadSmooth',
  'prototypeHold',
  'shadeChroma',
  'featureShield',
  'featureSpread',
  'toneHold',
  'toneBlur',
  'brightCap',
  'brightLevel',
  'greyBeard',
  'grainCore',
  'sharpMatch',
  'flipAverage',
  'flipAgree',
  'flipMin',
  'latentSamples',
  'latentSpread',
  'hairGrey',
  'darkCap',
  'darkBlur',
  'darkCapLighten',
  'broadFollow',
  'broadFollowLighten',
  'bankOlder',
  'bankChild',
  'bankMatch',
  'toneNoBoost',
  'youngerSkinMean',
  'youngerColour',
  'youngerFeatures',
  'liftChroma',
  'childShade',
  'childShadeBlur',
  'childShadeFeatures',
];

/** The dark cap's neighbourhood (share of the face's width) when a sidecar gives a cap but no blur. */
export const DEFAULT_DARK_BLUR = 0.06;

/** The child shading limit's blur (share of the face's width) when a sidecar gives a limit but no blur. */
export const DEFAULT_CHILD_SHADE_BLUR = 0.04;

/** The feature zone's spread when a sidecar gives a shield but no spread. */
export const DEFAULT_FEATURE_SPREAD = 0.05;

/** Ranges a stored setting must lie in. */
const RANGES: Record<keyof LightnessSettings, [number, number]> = {
  decoderOlder: [0, 5],
  decoderChild: [0, 5],
  decoderYounger: [0, 5],
  broadYounger: [0, 3],
  broadChild: [0, 3],
  fineBlur: [0.001, 0.2],
  prototypeChild: [0, 5],
  prototypeAdult: [0, 5],
  prototypeYounger: [0, 5],
  colourChild: [0, 1],
  linesYounger: [0, 6],
  linesOlder: [0, 3],
  linesBlur: [0.001, 0.2],
  fineLimit: [0, 100],
  prototypeLimit: [0, 100],
  prototypeLighten: [0, 100],
  linesBlurYounger: [0.001, 0.2],
  youngerSmooth: [0, 2],
  youngerEdge: [0, 255],
  youngerKeep: [0, 0.1],
  beardYounger: [0, 1],
  shapeGap: [0, 40],
  prototypeGap: [0, 40],
  lineHold: [0, 1],
  lineScale: [0.005, 0.1],
  blobSpread: [0, 0.3],
  broadSmooth: [0.02, 0.3],
  prototypeHold: [0, 1],
  shadeChroma: [0, 1],
  featureShield: [0, 1],
  featureSpread: [0.01, 0.2],
  toneHold: [0, 1],
  toneBlur: [0.03, 0.5],
  brightCap: [0, 60],
  brightLevel: [0, 60],
  greyBeard: [0, 1],
  grainCore: [0, 8],
  sharpMatch: [0, 3],
  flipAverage: [0, 1],
  flipAgree: [0, 1],
  flipMin: [0, 1],
  latentSamples: [0, 8],
  latentSpread: [0, 3],
  hairGrey: [0, 1],
  darkCap: [0, 60],
  darkBlur: [0.01, 0.3],
  darkCapLighten: [0, 1],
  broadFollow: [0, 60],
  broadFollowLighten: [0, 1],
  bankOlder: [0, 12],
  bankChild: [0, 12],
  bankMatch: [1, 32],
  toneNoBoost: [0, 1],
  youngerSkinMean: [0, 1],
  youngerColour: [0, 1],
  youngerFeatures: [0, 0.2],
  liftChroma: [0, 1],
  childShade: [0, 60],
  childShadeBlur: [0.01, 0.3],
  childShadeFeatures: [0, 1],
};

/** The settings in a sidecar's `aging.lightness`, checked: an error names the file and the bad value. */
export function parseLightness(value: unknown, file: string): LightnessSettings | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'object' || Array.isArray(value)) throw new Error(`${file}: aging.lightness must be an object of numbers`);
  const v = value as Record<string, unknown>;
  const out: Partial<Record<keyof LightnessSettings, number>> = {};
  for (const key of [...LIGHTNESS_KEYS, ...OPTIONAL_KEYS]) {
    if (OPTIONAL_KEYS.includes(key) && v[key] === undefined) continue;
    const x = v[key];
    const [lo, hi] = RANGES[key];
    if (typeof x !== 'number' || !Number.isFinite(x) || x < lo || x > hi) throw new Error(`${file}: aging.lightness.${key} must be a number in ${lo}..${hi}, got ${JSON.stringify(x)}`);
    if ((key === 'latentSamples' || key === 'bankMatch') && !Number.isInteger(x)) throw new Error(`${file}: aging.lightness.${key} must be a whole number, got ${x}`);
    out[key] = x;
  }
  return out as LightnessSettings;
}

export interface LightnessWeights {
  readonly decoder: number;
  readonly broad: number;
  readonly prototype: number;
  readonly colour: number;
  readonly lines: number;
  /** Width of the blur the face's own detail is measured against, as a share of the face's width. */
  readonly linesBlur: number;
  /** Soft limit (levels) on the prototypes' lightening (0: none). */
  readonly lighten: number;
  /** Going younger: the share of the skin's lines smoothed away, its edge (levels, 0: a plain blur) and the fine detail kept (share of the face width). */
  readonly smooth: number;
  readonly edge: number;
  readonly keep: number;
  /** Going younger, share of a man's beard shadow lifted (0 for women and for targets of 20 or over). */
  readonly beard: number;
  /** Share of the decoder change's non-line-like part held back (0: none; going older only). */
  readonly hold?: number;
  /** The same for the prototypes' change. */
  readonly prototypeHold?: number;
  /** Share of the decoder's fine band and the prototypes' change held off the eyes, brows and nose (LightnessInput.features). */
  readonly shield?: number;
  /** Share of the change's broad lightness taken out (going older only). */
  readonly tone?: number;
  /** Going younger, the margins over the skin round a pixel and over the face's bright-skin level that lightening may reach (undefined: no cap). */
  readonly cap?: { readonly local: number; readonly level: number };
  /** Going younger, share of a man's grey facial hair darkened toward his brows' tone (0 for women and targets of 40 or over). */
  readonly greyBeard?: number;
  /** The own detail's coring, in multiples of the photo's noise level (going older only; 0: none). */
  readonly core?: number;
  /** The decoder's fine band is softened by this times LightnessInput.softness (going older only; 0: none). */
  readonly soften?: number;
  /** Share (0..1) of the tone hold's sign turns stopped (holdTone): 1 for an adult source, 0 for a child's. */
  readonly noHalo?: number;
  /** Share (0..1) of the tone hold's strengthening stopped (holdTone): toneNoBoost x noHalo. */
  readonly noBoost?: number;
  /** Going older from a child, the local darkening cap (levels) and the share of it applied (undefined: none). */
  readonly dark?: { readonly cap: number; readonly share: number; readonly lighten: number };
  /** Weight of the detail bank's lines (going older only; 0: none). */
  readonly bank?: number;
  /** Going younger, the share of the smoothing's blur that is the skin's own mean (DetailBand.skinMean), and the share of it faded per colour channel. */
  readonly skinMean?: number;
  readonly colourFade?: number;
  /** Going younger, the share of a lifted dark pixel's a*, b* moved toward the skin's round it (LightnessSettings.liftChroma). */
  readonly liftChroma?: number;
  /** Going older from a child, the soft limit (levels) on the change's broad shading and the share of it applied (undefined: none). */
  readonly shade?: { readonly limit: number; readonly share: number };
}

/** The age from which faces gain lines and folds. */
export const LINES_ONSET = 20;
/**
 * A young skin's own texture (pores, grain, fine shading) in the band the smoothing takes, as years of lines past
 * LINES_ONSET: a face of 40 has as much of lines as of that texture.
 */
export const LINES_BASE = 20;

/**
 * Share of the skin's detail of a face of `sourceAge` that a face of `targetAge` does not have (0 going older), with
 * that detail grown linearly from LINES_BASE at LINES_ONSET: a face of 69 made 20 loses 49 / 69 of it, one of 25 made
 * 10 only 5 / 25 (its detail is mostly the texture a young skin keeps).
 */
export function linesLost(sourceAge: number, targetAge: number): number {
  if (targetAge >= sourceAge || sourceAge <= LINES_ONSET) return 0;
  return (sourceAge - Math.max(targetAge, LINES_ONSET)) / (LINES_BASE + sourceAge - LINES_ONSET);
}

/** Weight of the prototypes' shape change between two ages (see LightnessSettings.shapeGap): 1 whenever a child is involved. */
export function shapeWeight(gapYears: number | undefined, sourceAge: number, targetAge: number): number {
  if (!gapYears) return 1;
  const adult = clamp01((Math.min(sourceAge, targetAge) - 15) / 5);
  const gap = targetAge - sourceAge;
  const shrink = (gap * gap) / (gap * gap + gapYears * gapYears);
  return 1 - adult * (1 - shrink);
}

const clamp01 = (v: number): number => Math.min(1, Math.max(0, v));

/** Years younger over which a face's spots and folds lose all of their colour with their lightness (youngerColour, liftChroma). */
export const COLOUR_GAP = 20;

/** The share of youngerColour and liftChroma that acts from `sourceAge` to `targetAge`: a face made a few years younger keeps its own colouring, one made decades younger loses its spots' colour. */
export function colourGap(sourceAge: number, targetAge: number): number {
  return clamp01((sourceAge - targetAge) / COLOUR_GAP);
}

/** The weights for one source and target age: gentle for children, stronger for adults going older. */
export function lightnessWeights(l: LightnessSettings, sourceAge: number, targetAge: number, male = true): LightnessWeights {
  const older = targetAge >= sourceAge;
  const adult = clamp01((sourceAge - 10) / 10);
  return {
    decoder: (older ? l.decoderChild + (l.decoderOlder - l.decoderChild) * adult : l.decoderYounger) * textureShare(sourceAge, targetAge),
    broad: (older ? l.broadChild * (1 - adult) : l.broadYounger) * textureShare(sourceAge, targetAge),
    prototype: older ? (l.prototypeChild + (l.prototypeAdult - l.prototypeChild) * adult) * shapeWeight(l.prototypeGap, sourceAge, targetAge) : l.prototypeYounger,
    colour: l.colourChild * (1 - adult),
    lines: older ? l.linesOlder : l.linesYounger,
    linesBlur: older ? l.linesBlur : (l.linesBlurYounger ?? l.linesBlur),
    lighten: older ? (l.prototypeLighten ?? 0) : 0,
    smooth: older ? 0 : (l.youngerSmooth ?? 0) * linesLost(sourceAge, targetAge),
    edge: l.youngerEdge ?? 0,
    keep: l.youngerKeep ?? 0,
    beard: older || male === false ? 0 : (l.beardYounger ?? 0) * clamp01((20 - targetAge) / 8) * clamp01((sourceAge - 16) / 4),
    hold: older ? (l.lineHold ?? 0) : 0,
    prototypeHold: older ? (l.prototypeHold ?? 0) : 0,
    shield: targetAge > sourceAge ? (l.featureShield ?? 0) * adult : 0,
    tone: targetAge > sourceAge ? (l.toneHold ?? 0) : 0,
    cap: older || l.brightCap === undefined ? undefined : { local: l.brightCap, level: l.brightLevel ?? l.brightCap },
    greyBeard: older || male === false ? 0 : (l.greyBeard ?? 0) * clamp01((40 - targetAge) / 15) * clamp01((targetAge - 12) / 8),
    core: targetAge > sourceAge ? (l.grainCore ?? 0) : 0,
    soften: targetAge > sourceAge ? (l.sharpMatch ?? 0) : 0,
    noHalo: adult,
    noBoost: (l.toneNoBoost ?? 0) * adult,
    dark: targetAge > sourceAge && l.darkCap !== undefined && adult < 1 ? { cap: l.darkCap, share: 1 - adult, lighten: l.darkCapLighten ?? 0 } : undefined,
    skinMean: older ? 0 : (l.youngerSkinMean ?? 0),
    colourFade: older ? 0 : (l.youngerColour ?? 0) * colourGap(sourceAge, targetAge),
    liftChroma: older ? 0 : (l.liftChroma ?? 0) * colourGap(sourceAge, targetAge),
    shade: targetAge > sourceAge && l.childShade !== undefined && adult < 1 ? { limit: l.childShade, share: 1 - adult } : undefined,
    bank: targetAge > sourceAge ? (l.bankChild ?? l.bankOlder ?? 0) + ((l.bankOlder ?? 0) - (l.bankChild ?? l.bankOlder ?? 0)) * adult : 0,
  };
}

/** Width in px of the mask's widest row (pixels above half). */
export function maskWidth(mask: ArrayLike<number>, size: number): number {
  let widest = 0;
  for (let y = 0; y < size; y++) {
    let n = 0;
    for (let x = 0; x < size; x++) if (mask[y * size + x]! >= 128) n++;
    widest = Math.max(widest, n);
  }
  return widest;
}

/** The plane minus its blur (Gaussian of `sigma` px): its fine band. */
export function fineBand(plane: Float32Array, size: number, sigma: number): Float32Array {
  const fine = blurPlane(plane.slice(), size, sigma);
  for (let i = 0; i < fine.length; i++) fine[i] = plane[i]! - fine[i]!;
  return fine;
}

export interface LightnessInput {
  readonly size: number;
  /** The decodes without their checkerboard (-1..1), the source first; `target` is the index of the target decode. */
  readonly decodes: Float32Array;
  readonly target: number;
  /** Multiplies the decoder's change (the `gain` setting). */
  readonly gain: number;
  /** The prototypes' relative texture change at weight 1 (RGB, 0..255 units, the face's own geometry), or null. */
  readonly prototype: Float32Array | null;
  /** The face's width in crop px. */
  readonly faceWidth: number;
  readonly weights: LightnessWeights;
  /** The eyes, brows and nose (featureZone, 0..1 per pixel): `weights.shield` of the change is held off them. */
  readonly features?: Float32Array | null;
  /** The face's crop (RGB 0..255) and its cropChroma: when given, the lightness change keeps each pixel's own a*, b* (CIELAB). */
  readonly crop?: { readonly rgb: ArrayLike<number>; readonly chroma: Float32Array };
  /** A further lightness change (levels per pixel, e.g. beard-lift.ts's), added before the colour is kept. */
  readonly lift?: Float32Array | null;
  /** Per pixel, how light going younger may take it (bright-cap.ts's brightCeiling, with `weights.cap`'s margins): with `crop`, lightening stops short of it. */
  readonly ceiling?: Float32Array;
  /** How soft the face is (photo-grain.ts faceSoftness, crop px): the decoder's fine band is softened by `weights.soften` of it. */
  readonly softness?: number;
}

/** Per pixel of an RGB crop, its CIELAB a*, b* (a0, b0, a1, b1, ...): what a lightness change keeps. */
export function cropChroma(crop: ArrayLike<number>, pixels: number): Float32Array {
  const out = new Float32Array(pixels * 2);
  for (let i = 0; i < pixels; i++) {
    const [, a, b] = rgbToLab(crop[i * 3]!, crop[i * 3 + 1]!, crop[i * 3 + 2]!);
    out[i * 2] = a;
    out[i * 2 + 1] = b;
  }
  return out;
}

const clamp255 = (v: number): number => (v <= 0 ? 0 : v >= 255 ? 255 : v);

/**
 * The grey change `d` of an RGB pixel as the RGB change that moves its CIELAB lightness alike (to the L* of the pixel
 * plus d) but keeps its a*, b*; written into out[o..o+2]. With `shade` > 0 a darkened pixel's a*, b* fall with its
 * L* + 16 to that power, as in a shadow.
 */
function keepColour(r: number, g: number, b: number, a: number, bb: number, d: number, out: Float32Array, o: number, shade = 0): void {
  if (d === 0) {
    out[o] = out[o + 1] = out[o + 2] = 0;
    return;
  }
  const L = lightnessOf(clamp255(r + d), clamp255(g + d), clamp255(b + d));
  const k = shade > 0 && d < 0 ? shadeFactor(lightnessOf(r, g, b), L, shade) : 1;
  const [R, G, B] = labToRgb(L, a * k, bb * k);
  out[o] = clamp255(R) - r;
  out[o + 1] = clamp255(G) - g;
  out[o + 2] = clamp255(B) - b;
}

/** How much a*, b* fall when L* goes from `before` to `after` (darker), to the power `shade`: 1 is a shadow's. */
export function shadeFactor(before: number, after: number, shade: number): number {
  return Math.min(1, Math.max(0, (after + 16) / (before + 16))) ** shade;
}

/**
 * The decoder change's fine and broad bands with their non-line-like parts held back by `hold` (line-filter.ts): the
 * fine band at the scales lineScale and twice it; the broad band, when it is used and `broadSmooth` is set, keeps its
 * blur by broadSmooth whole and filters the rest at twice and four times lineScale.
 */
function lineFiltered(l: LightnessSettings, fine: Float32Array, broad: Float32Array, hold: number, useBroad: boolean, size: number, faceWidth: number): { fine: Float32Array; broad: Float32Array } {
  if (hold <= 0) return { fine, broad };
  const s = (l.lineScale ?? 0.015) * faceWidth;
  const spread = (l.blobSpread ?? 0) * faceWidth;
  const keptFine = holdBlobs(fine, size, [s, 2 * s], hold, spread);
  if (!useBroad || l.broadSmooth === undefined) return { fine: keptFine, broad };
  return { fine: keptFine, broad: holdBlobsBeyond(broad, size, l.broadSmooth * faceWidth, [2 * s, 4 * s], hold, spread) };
}

/** The prototypes' lightness change with the non-line-like part of what lies beyond its blur by broadSmooth held back by `hold`. */
function prototypeFiltered(l: LightnessSettings, y: Float32Array, hold: number, size: number, faceWidth: number): Float32Array {
  if (hold <= 0) return y;
  const s = (l.lineScale ?? 0.015) * faceWidth;
  return holdBlobsBeyond(y, size, (l.broadSmooth ?? 0.15) * faceWidth, [2 * s, 4 * s], hold, (l.blobSpread ?? 0) * faceWidth);
}

const softLimit = (v: number, limit: number): number => (limit > 0 ? limit * Math.tanh(v / limit) : v);

export function lightnessChange(l: LightnessSettings, input: LightnessInput): Float32Array {
  const { size, decodes, target, gain, prototype, weights: w } = input;
  const n = size * size;
  const delta = new Float32Array(n * 3);
  const shield = w.shield ?? 0;
  const zone = shield > 0 ? input.features : null;
  const keep = (i: number): number => (zone ? 1 - shield * zone[i]! : 1);
  if (w.decoder > 0 || w.broad > 0) {
    const change = new Float32Array(n * 3);
    const off = target * n * 3;
    for (let i = 0; i < n * 3; i++) change[i] = gain * (decodes[off + i]! - decodes[i]!) * 127.5;
    const y = lumaPlane(change, n);
    const limit = l.fineLimit ?? 0;
    const fine = fineBand(y, size, l.fineBlur * input.faceWidth);
    const broad = new Float32Array(n);
    for (let i = 0; i < n; i++) broad[i] = y[i]! - fine[i]!;
    const filtered = lineFiltered(l, fine, broad, w.hold ?? 0, w.broad > 0, size, input.faceWidth);
    const broadKept = w.broad > 0 && l.broadFollow !== undefined && prototype ? followPrototypes(filtered.broad, w.broad, prototype, w.prototype, { margin: l.broadFollow, lighten: l.broadFollowLighten ?? 0 }, size, 4 * (l.lineScale ?? 0.015) * input.faceWidth) : filtered.broad;
    // The fine band drawn no sharper than the face: a soft scan gets soft lines, not crisp mottle.
    const soft = (w.soften ?? 0) * (input.softness ?? 0);
    const kept = soft > 0 ? softened(filtered.fine, size, soft) : filtered.fine;
    for (let i = 0; i < n; i++) {
      const v = keep(i) * softLimit(w.decoder * kept[i]!, limit) + w.broad * broadKept[i]!;
      for (let c = 0; c < 3; c++) delta[i * 3 + c] = v;
    }
  }
  const colour = prototype && w.colour > 0 ? lumaFree(prototype, size) : null;
  if (prototype && w.prototype > 0) {
    const y = prototypeFiltered(l, lumaPlane(prototype, n), w.prototypeHold ?? 0, size, input.faceWidth);
    const limit = l.prototypeLimit ?? 0;
    for (let i = 0; i < n; i++) {
      const p = w.prototype * y[i]!;
      const v = keep(i) * softLimit(p > 0 && w.lighten > 0 ? softLimit(p, w.lighten) : p, limit);
      for (let c = 0; c < 3; c++) delta[i * 3 + c] = delta[i * 3 + c]! + v;
    }
  }
  if ((w.tone ?? 0) > 0) holdTone(delta, size, w.tone!, (l.toneBlur ?? 0.15) * input.faceWidth, w.noHalo ?? 1, w.noBoost ?? 0);
  if (w.dark) capDarkening(delta, size, (l.darkBlur ?? DEFAULT_DARK_BLUR) * input.faceWidth, w.dark.cap, w.dark.share, w.dark.lighten);
  if (w.shade) {
    const sigma = (l.childShadeBlur ?? DEFAULT_CHILD_SHADE_BLUR) * input.faceWidth;
    const kept = input.features && l.childShadeFeatures ? widenedZone(input.features, size, sigma, l.childShadeFeatures) : null;
    limitShading(delta, size, sigma, w.shade.limit, w.shade.share, kept);
  }
  const lift = input.lift;
  if (lift) for (let i = 0; i < n; i++) for (let c = 0; c < 3; c++) delta[i * 3 + c] = delta[i * 3 + c]! + lift[i]!;
  const crop = input.crop;
  if (crop && w.cap !== undefined && input.ceiling !== undefined) capLightening(delta, crop.rgb, size, input.ceiling);
  if (crop) {
    const { rgb } = crop;
    const chroma = (w.liftChroma ?? 0) > 0 ? liftedChroma(crop, delta, size, w.liftChroma!, LIFT_BLUR * input.faceWidth) : crop.chroma;
    const shade = l.shadeChroma ?? 0;
    for (let i = 0; i < n; i++) keepColour(rgb[i * 3]!, rgb[i * 3 + 1]!, rgb[i * 3 + 2]!, chroma[i * 2]!, chroma[i * 2 + 1]!, delta[i * 3]!, delta, i * 3, shade);
  }
  if (colour) for (let i = 0; i < n; i++) for (let c = 0; c < 3; c++) delta[i * 3 + c] = delta[i * 3 + c]! + w.colour * colour[c]![i]!;
  return delta;
}

/** The blur (share of the face's width) that the skin round a lifted pixel is read with (liftChroma): wider than folds and spots. */
export const LIFT_BLUR = 0.06;

/** Levels darker than the skin round it from which a lifted pixel's a*, b* may go all the way to the skin's. */
const LIFT_FULL = 6;

/**
 * The crop's a*, b* with each pixel that the grey change `delta` lifts (> 0) and that is darker than the skin round it
 * (L* blurred by `sigma` px) moved toward that skin's a*, b* by `share` x the part of the gap its lightness closes
 * (scaled down for gaps under LIFT_FULL levels).
 */
export function liftedChroma(crop: { readonly rgb: ArrayLike<number>; readonly chroma: Float32Array }, delta: Float32Array, size: number, share: number, sigma: number): Float32Array {
  const n = size * size;
  const { rgb, chroma } = crop;
  const L = new Float32Array(n);
  const a = new Float32Array(n);
  const b = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    L[i] = lightnessOf(rgb[i * 3]!, rgb[i * 3 + 1]!, rgb[i * 3 + 2]!);
    a[i] = chroma[i * 2]!;
    b[i] = chroma[i * 2 + 1]!;
  }
  const s = Math.max(0.5, sigma);
  const [localL, localA, localB] = [blurPlane(L.slice(), size, s), blurPlane(a.slice(), size, s), blurPlane(b.slice(), size, s)];
  const out = Float32Array.from(chroma);
  for (let i = 0; i < n; i++) {
    const d = delta[i * 3]!;
    const gap = localL[i]! - L[i]!;
    if (d <= 0 || gap <= 0) continue;
    const lifted = lightnessOf(clamp255(rgb[i * 3]! + d), clamp255(rgb[i * 3 + 1]! + d), clamp255(rgb[i * 3 + 2]! + d)) - L[i]!;
    const t = share * Math.min(1, lifted / gap) * Math.min(1, gap / LIFT_FULL);
    out[i * 2] = a[i]! + t * (localA[i]! - a[i]!);
    out[i * 2 + 1] = b[i]! + t * (localB[i]! - b[i]!);
  }
  return out;
}

/**
 * The broad band (weighted by `weight`) with its darkening softly limited, pixel by pixel, to `margin` levels beyond the
 * prototypes' weighted darkening there (their lightness change blurred by `sigma` px), and `lighten` of its lightening
 * likewise beyond their lightening; returned unweighted.
 */
function followPrototypes(broad: Float32Array, weight: number, prototype: Float32Array, protoWeight: number, f: { margin: number; lighten: number }, size: number, sigma: number): Float32Array {
  const n = size * size;
  const p = blurPlane(lumaPlane(prototype, n), size, Math.max(0.5, sigma));
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    const v = weight * broad[i]!;
    const share = v < 0 ? 1 : f.lighten;
    const room = f.margin + Math.max(0, Math.sign(v) * protoWeight * p[i]!);
    const limited = room > 0 ? Math.sign(v) * room * Math.tanh(Math.abs(v) / room) : 0;
    out[i] = (v + share * (limited - v)) / weight;
  }
  return out;
}

/**
 * Takes `hold` of the grey change's blur by `sigma` px (its broad darkening) out of it, in place. For an adult it
 * weakens a pixel's change but never turns it round (`noHalo` of the turn stopped): next to a strong darkening (a
 * hairline, an eye socket) the blur is darker than the skin's own change, and subtracting it would paint a pale halo (a
 * light band across the forehead). `noBoost` of any strengthening is stopped too (the change kept between 0 and itself),
 * which keeps the result continuous where the change crosses zero. A child growing up keeps the turns: the relative
 * lightening of the skin between growing shadows is how an estimator sees the child grow (validation: the children's
 * FaceRes slope fell from 0.45 to 0.18 without it).
 */
export function holdTone(delta: Float32Array, size: number, hold: number, sigma: number, noHalo = 1, noBoost = 0): void {
  const broad = blurredGrey(delta, size, sigma);
  for (let i = 0; i < size * size; i++) {
    const d = delta[i * 3]!;
    const held = d - hold * broad[i]!;
    const kept = d < 0 ? Math.min(0, held) : d > 0 ? Math.max(0, held) : 0;
    const turned = held + noHalo * (kept - held);
    const bounded = d < 0 ? Math.max(d, turned) : Math.min(d, turned);
    const v = turned + noBoost * (bounded - turned);
    for (let c = 0; c < 3; c++) delta[i * 3 + c] = v;
  }
}

/** The broad colour of an RGB change (its difference from its luma, blurred by an eighth of the crop), per channel. */
function lumaFree(rgb: Float32Array, size: number): Float32Array[] {
  const n = size * size;
  const y = lumaPlane(rgb, n);
  return [0, 1, 2].map((c) => {
    const plane = new Float32Array(n);
    for (let i = 0; i < n; i++) plane[i] = rgb[i * 3 + c]! - y[i]!;
    return blurPlane(plane, size, size / 8);
  });
}

/** How far the face's own detail may be scaled down (going younger) or up (going older). */
const LINE_GAIN = { min: -0.9, max: 1.5 } as const;

/**
 * Per crop pixel, the gain on the face's own detail: lines x (ratio - 1), where `ratio` is the prototypes' detail-energy
 * ratio (target / source, the face's geometry), on the skin only (`skin`, 0..1). Going older it only deepens, going
 * younger it only fades: where the table's cells take in hair (a child's fringe over the forehead reads as detail), its
 * ratio points the other way, and a face made younger must not gain texture there. Going younger the gain is at most
 * -`smooth` (the share of the lines the target age lacks, linesLost x youngerSmooth), wherever the table's is weaker.
 */
export function lineGains(ratio: Float32Array, skin: Float32Array, lines: number, older = true, smooth = 0): Float32Array {
  const [lo, hi] = older ? [0, LINE_GAIN.max] : [LINE_GAIN.min, 0];
  const least = older ? hi : Math.max(LINE_GAIN.min, -smooth);
  const out = new Float32Array(ratio.length);
  for (let i = 0; i < ratio.length; i++) out[i] = Math.min(least, hi, Math.max(lo, lines * (ratio[i]! - 1))) * skin[i]!;
  return out;
}

/** Starting values for a model that has no lightness settings of its own, when some are asked for (`--lightness k=v`). */
export const DEFAULT_LIGHTNESS: LightnessSettings = {
  decoderOlder: 2.5,
  decoderChild: 1,
  decoderYounger: 1.5,
  broadYounger: 0.6,
  broadChild: 0.6,
  fineBlur: 0.03,
  prototypeChild: 1,
  prototypeAdult: 4,
  prototypeYounger: 1,
  colourChild: 0.4,
  linesYounger: 2,
  linesOlder: 0.5,
  linesBlur: 0.025,
};

/**
 * `off` (the older blend), or `key=value,...` over `base` (the model's settings, else DEFAULT_LIGHTNESS); the result
 * is checked like a sidecar's.
 */
export function lightnessFromSpec(spec: string, base: LightnessSettings | null): LightnessSettings | null {
  if (spec.trim() === 'off') return null;
  const merged: Record<string, unknown> = { ...(base ?? DEFAULT_LIGHTNESS) };
  for (const part of spec.split(',').map((p) => p.trim()).filter(Boolean)) {
    const [key, value] = part.split('=');
    const keys: readonly string[] = [...LIGHTNESS_KEYS, ...OPTIONAL_KEYS];
    if (!key || value === undefined || !keys.includes(key)) throw new Error(`--lightness: expected off or key=value pairs with keys ${keys.join(', ')}; got "${part}"`);
    merged[key] = Number(value);
  }
  return parseLightness(merged, '--lightness');
}
