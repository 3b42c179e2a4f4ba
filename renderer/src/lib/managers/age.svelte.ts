import type { AgeResult, ChronofaceApi, DetectedFace, FileUrl, KnownGender } from '../../../../contract/api.js';
import { largestFace } from './ages.js';
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
  face = $state<number | null>(null);
  result = $state<AgeResult | null>(null);
  error = $state<string | null>(null);
  progress = $state<{ stage: string; done: number; total: number } | null>(null);
  team = $state<TeamPlan | null>(null);

  constructor(
    readonly key: string,
    readonly name: string,
  ) {}

  /** Adds the photo, finds its faces and, unless it must ask which face, ages it. */
  async start(api: ChronofaceApi, source: { path: string } | { name: string; dataBase64: string }, options: AgeOptions, askWhenSeveral: boolean): Promise<void> {
    try {
      const added = await api.agePhotoAdd(source);
      this.photoId = added.photoId;
      this.url = added.url;
      this.width = added.width;
      this.height = added.height;
      this.stage = 'detecting';
      const det = await api.ageDetect({ photoId: added.photoId });
      this.faces = det.faces;
      // A photo alone with several faces (or none) is a team photo: outline its faces, let the user tick and draw.
      if (askWhenSeveral && det.faces.length !== 1) {
        this.team = new TeamPlan(added.photoId, det.faces);
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
    try {
      const res = await api.ageRun({
        photoId: this.photoId,
        ...(this.face === null ? {} : { face: this.face }),
        ages: options.ages,
        modelId: options.modelId,
        ...(options.sourceAge === undefined ? {} : { sourceAge: options.sourceAge }),
        ...(options.gender === undefined ? {} : { gender: options.gender }),
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
