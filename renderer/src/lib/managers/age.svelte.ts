import type { AgeResult, ChronofaceApi, DetectedFace, FaceNote, FileUrl, KnownGender } from '../../../../contract/api.js';
import { largestFace } from './ages.js';
import { FaceGender } from './face-gender.svelte.js';
import { TeamPlan } from './team.svelte.js';

/** 'team': a photo alone with several faces or none; its faces are outlined to tick, draw and age together. */
export type AgeStage = 'adding' | 'detecting' | 'choose-face' | 'team' | 'aging' | 'done' | 'error';

export interface AgeOptions {
  ages: number[];
  modelId: number | null;
  sourceAge?: number;
  gender?: KnownGender;
  fps?: number;
  shape?: boolean;
  texture?: boolean;
}

/** One dropped photo on its way to an aging GIF. */
export class AgeJob {
  stage = $state<AgeStage>('adding');
  photoId = $state<string | null>(null);
  url = $state<FileUrl | null>(null);
  width = $state(0);
  height = $state(0);
  faces = $state<DetectedFace[]>([]);
  /** The face to age; `genders` holds each found face's estimate and what the user set. */
  face = $state<number | null>(null);
  genders = $state<FaceGender[]>([]);
  result = $state<AgeResult | null>(null);
  error = $state<string | null>(null);
  progress = $state<{ stage: string; done: number; total: number } | null>(null);
  team = $state<TeamPlan | null>(null);

  constructor(
    readonly key: string,
    readonly name: string,
  ) {}

  /** The chosen face's gender card, once the faces are found. */
  get gender(): FaceGender | null {
    return this.face === null ? null : (this.genders[this.face] ?? null);
  }

  /** The chosen face's warnings (tiny, profile, partly outside): its aging's once aged, else detection's; the gender is flagged apart. */
  get notes(): FaceNote[] {
    const warnings = this.result ? this.result.faceWarnings : (this.faces.find((x) => x.index === this.face)?.warnings ?? []);
    return warnings.filter((w) => w.kind !== 'gender');
  }

  /** Adds the photo, finds its faces and, unless it must ask which face, ages it. */
  async start(api: ChronofaceApi, source: { path: string } | { name: string; dataBase64: string }, options: AgeOptions, askWhenSeveral: boolean): Promise<void> {
    try {
      const added = await api.agePhotoAdd(source);
      this.photoId = added.photoId;
      this.url = added.url;
      this.width = added.width;
      this.height = added.height;
      this.stage = 'detecting';
      const det = await api.ageDetect({ photoId: added.photoId, modelId: options.modelId });
      this.faces = det.faces;
      this.genders = det.faces.map((f) => new FaceGender(f.estimate ?? null));
      // A photo alone with several faces (or none) is a team photo: outline its faces, let the user tick and draw.
      if (askWhenSeveral && det.faces.length !== 1) {
        this.team = new TeamPlan(added.photoId, det.faces, this.genders);
        this.face = largestFace(det.faces);
        this.stage = 'team';
        return;
      }
      if (det.faces.length === 0) throw new Error(`No face was found in ${this.name}. Try a photo where the face is larger and seen from the front.`);
      this.face = largestFace(det.faces);
      await this.run(api, options);
    } catch (err) {
      this.fail(err);
    }
  }

  async run(api: ChronofaceApi, options: AgeOptions): Promise<void> {
    if (!this.photoId) return;
    this.stage = 'aging';
    this.error = null;
    this.progress = null;
    // The gender set on the face's card wins over the screen's.
    const gender = this.gender?.chosen ?? options.gender;
    try {
      const res = await api.ageRun({
        photoId: this.photoId,
        ...(this.face === null ? {} : { face: this.face }),
        ages: options.ages,
        modelId: options.modelId,
        ...(options.sourceAge === undefined ? {} : { sourceAge: options.sourceAge }),
        ...(gender === undefined ? {} : { gender }),
        ...(options.fps === undefined ? {} : { fps: options.fps }),
        ...(options.shape === undefined ? {} : { shape: options.shape }),
        ...(options.texture === undefined ? {} : { texture: options.texture }),
      });
      this.result = res;
      this.stage = 'done';
    } catch (err) {
      this.fail(err);
    }
  }

  private fail(err: unknown): void {
    this.error = err instanceof Error ? err.message : String(err);
    this.stage = 'error';
  }
}

export async function fileToBase64(file: Blob): Promise<string> {
  const buf = new Uint8Array(await file.arrayBuffer());
  let s = '';
  const chunk = 0x8000;
  for (let i = 0; i < buf.length; i += chunk) s += String.fromCharCode(...buf.subarray(i, i + chunk));
  return btoa(s);
}
