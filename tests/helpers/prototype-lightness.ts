import { DEFAULT_LIGHTNESS, lightnessChange, lightnessFromSpec, lightnessWeights, type LightnessWeights } from '../../ml/aging/detail-change.js';

export interface PrototypeOnly {
  readonly size: number;
  readonly faceWidth: number;
  readonly source: number;
  readonly target: number;
  /** Weights set over the ages' own (after the decoder, its broad band, the lightening limit and colour are switched off). */
  readonly weights?: Partial<LightnessWeights>;
  readonly features?: Float32Array | null;
}

/** The lightness change of the prototypes' grey change `prototype` alone, with the settings `spec` over DEFAULT_LIGHTNESS. */
export function prototypeOnlyChange(spec: string, prototype: Float32Array, o: PrototypeOnly): Float32Array {
  const l = lightnessFromSpec(spec, DEFAULT_LIGHTNESS)!;
  const weights = { ...lightnessWeights(l, o.source, o.target), decoder: 0, broad: 0, prototype: 1, lighten: 0, colour: 0, ...o.weights };
  const decodes = new Float32Array(o.size * o.size * 3 * 2);
  return lightnessChange(l, { size: o.size, decodes, target: 1, gain: 1, prototype, faceWidth: o.faceWidth, weights, features: o.features ?? null });
}
