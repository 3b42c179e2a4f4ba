import type { CommandContext } from '../command.js';
import { numberOpt, stringOpt } from '../command.js';
import { UsageError, type OptionSpec } from '../args.js';
import { modelLightness } from '../../ml/aging/age-face.js';
import { lightnessFromSpec, type LightnessSettings } from '../../ml/aging/detail-change.js';
import type { AgingModel } from '../../ml/aging/model.js';

/** --shift, --gain, --detail, --chroma, --tone and --mask-grow, shared by `age` and `eval`: how the decoder's change is carried onto the photo. */
export const BLEND_OPTIONS: Record<'gain' | 'detail' | 'shift' | 'mask-grow' | 'chroma' | 'tone' | 'prototype' | 'shape' | 'texture', OptionSpec> = {
  shift: { kind: 'number', value: 'K', help: "multiply the latent age-shift vectors (default: the model's tuned value, else 1)" },
  gain: { kind: 'number', value: 'G', help: "multiply the change decode(target) - decode(source) (default: the model's tuned value, else 1)" },
  detail: { kind: 'number', value: 'D', help: "share of the face's own detail kept inside the mask, 0..1: 1 carries only the change onto the photo, 0 shows the decoded face (default: the model's tuned value, else 1)" },
  chroma: { kind: 'number', value: 'C', help: "share of the change's colour kept, 0..1: 0 carries only its lightness (default: the model's tuned value, else 1)" },
  tone: { kind: 'number', value: 'T', help: "share of the change's broad shading kept (an overall darkening or colour cast of the skin), 0..1; lines and folds always stay (default: the model's tuned value, else 1)" },
  'mask-grow': { kind: 'number', value: 'R', help: "grow the face mask by R crop sides before paste-back, so the hairline and temples age too, 0..0.3 (default: the model's tuned value, else 0)" },
  prototype: { kind: 'number', value: 'W', help: "weight of the age prototypes' texture difference (mean face at the target age minus at the source age), 0..3 (default: the model's tuned value, else 1)" },
  shape: { kind: 'boolean', help: "warp the face from its age's prototype shape to the target age's (--no-shape: keep the photo's geometry; a damaged prototypes file then only drops their texture term, with a warning)", default: true },
  texture: { kind: 'boolean', help: 'add the texture change, the decoder\'s and the prototypes\' (--no-texture: shape only)', default: true },
};

/** --shape / --texture: each on unless turned off. */
export function changeOptions(ctx: CommandContext): { shape: boolean; texture: boolean } {
  return { shape: ctx.options.shape !== false, texture: ctx.options.texture !== false };
}

export function blendOptions(ctx: CommandContext): { gain?: number; detail?: number; shift?: number; maskGrow?: number; chroma?: number; tone?: number; prototype?: number } {
  const gain = numberOpt(ctx, 'gain');
  if (gain !== undefined && !(gain > 0 && gain <= 5)) throw new UsageError(`--gain must be in (0, 5], got ${gain}`);
  const detail = numberOpt(ctx, 'detail');
  if (detail !== undefined && !(detail >= 0 && detail <= 1)) throw new UsageError(`--detail must be from 0 to 1, got ${detail}`);
  const shift = numberOpt(ctx, 'shift');
  if (shift !== undefined && !(shift >= 0 && shift <= 5)) throw new UsageError(`--shift must be from 0 to 5, got ${shift}`);
  const maskGrow = numberOpt(ctx, 'mask-grow');
  if (maskGrow !== undefined && !(maskGrow >= 0 && maskGrow <= 0.3)) throw new UsageError(`--mask-grow must be from 0 to 0.3, got ${maskGrow}`);
  const chroma = numberOpt(ctx, 'chroma');
  if (chroma !== undefined && !(chroma >= 0 && chroma <= 1)) throw new UsageError(`--chroma must be from 0 to 1, got ${chroma}`);
  const tone = numberOpt(ctx, 'tone');
  if (tone !== undefined && !(tone >= 0 && tone <= 1)) throw new UsageError(`--tone must be from 0 to 1, got ${tone}`);
  const prototype = numberOpt(ctx, 'prototype');
  if (prototype !== undefined && !(prototype >= 0 && prototype <= 3)) throw new UsageError(`--prototype must be from 0 to 3, got ${prototype}`);
  return { ...(prototype !== undefined ? { prototype } : {}), ...(tone !== undefined ? { tone } : {}), ...(chroma !== undefined ? { chroma } : {}), ...(maskGrow !== undefined ? { maskGrow } : {}), ...(shift !== undefined ? { shift } : {}), ...(gain !== undefined ? { gain } : {}), ...(detail !== undefined ? { detail } : {}) };
}

/** --lightness, shared by `age` and `eval`: the settings of aging in lightness and detail, over the model's. */
export const LIGHTNESS_OPTION: OptionSpec = { kind: 'string', value: 'off|K=V,...', help: "age in lightness and detail with these settings over the model's (docs/aging-detail.md), or off for the older blend" };

/** The --lightness settings over `model`'s, or nothing when the option is absent; a bad key or value is an error naming it. */
export function lightnessOption(ctx: CommandContext, model: AgingModel): { lightness?: LightnessSettings | null } {
  const spec = stringOpt(ctx, 'lightness');
  return spec !== undefined ? { lightness: lightnessFromSpec(spec, modelLightness(model)) } : {};
}
