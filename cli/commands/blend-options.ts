import type { CommandContext } from '../command.js';
import { numberOpt } from '../command.js';
import { UsageError, type OptionSpec } from '../args.js';

/** --shift, --gain and --detail, shared by `age` and `eval`: how the decoder's change is carried onto the photo. */
export const BLEND_OPTIONS: Record<'gain' | 'detail' | 'shift', OptionSpec> = {
  shift: { kind: 'number', value: 'K', help: "multiply the latent age-shift vectors (default: the model's tuned value, else 1)" },
  gain: { kind: 'number', value: 'G', help: "multiply the change decode(target) - decode(source) (default: the model's tuned value, else 1)" },
  detail: { kind: 'number', value: 'D', help: "share of the face's own detail kept inside the mask, 0..1: 1 carries only the change onto the photo, 0 shows the decoded face (default: the model's tuned value, else 1)" },
};

export function blendOptions(ctx: CommandContext): { gain?: number; detail?: number; shift?: number } {
  const gain = numberOpt(ctx, 'gain');
  if (gain !== undefined && !(gain > 0 && gain <= 5)) throw new UsageError(`--gain must be in (0, 5], got ${gain}`);
  const detail = numberOpt(ctx, 'detail');
  if (detail !== undefined && !(detail >= 0 && detail <= 1)) throw new UsageError(`--detail must be from 0 to 1, got ${detail}`);
  const shift = numberOpt(ctx, 'shift');
  if (shift !== undefined && !(shift >= 0 && shift <= 5)) throw new UsageError(`--shift must be from 0 to 5, got ${shift}`);
  return { ...(shift !== undefined ? { shift } : {}), ...(gain !== undefined ? { gain } : {}), ...(detail !== undefined ? { detail } : {}) };
}
