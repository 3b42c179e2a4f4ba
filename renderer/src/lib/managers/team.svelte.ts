import type { Box, ChronofaceApi, DetectedFace, FaceNote, KnownGender, TeamAgeResult, TeamFaceChoice, TeamFaceResult } from '../../../../contract/api.js';
import type { AgeOptions } from './age.svelte.js';

/** Below this probability the estimated gender is called uncertain and the card asks the user to set it. */
export const UNCERTAIN_GENDER = 0.7;

/** One face of the team on its card: found (face = its index) or drawn (face = null). */
export class TeamCard {
  ticked = $state(true);
  /** '' = estimate. */
  sourceAge = $state('');
  gender = $state<'' | KnownGender>('');
  result = $state<TeamFaceResult | null>(null);

  constructor(
    readonly key: string,
    readonly face: number | null,
    readonly box: Box,
    readonly warnings: FaceNote[],
  ) {}

  get drawn(): boolean {
    return this.face === null;
  }

  /** The estimate was unsure of the gender and the user has not set it. */
  get genderUncertain(): boolean {
    const p = this.result?.genderProbability;
    return this.gender === '' && p !== null && p !== undefined && p < UNCERTAIN_GENDER;
  }

  choice(): TeamFaceChoice {
    const age = this.sourceAge.trim() === '' ? undefined : Number(this.sourceAge);
    return {
      ...(this.face === null ? { box: this.box } : { face: this.face }),
      ...(age !== undefined && Number.isFinite(age) ? { sourceAge: age } : {}),
      ...(this.gender ? { gender: this.gender } : {}),
    };
  }
}

/** The faces of a team photo, which of them age, and the group GIF. */
export class TeamPlan {
  cards = $state<TeamCard[]>([]);
  /** The user is drawing a box around a missed face. */
  drawing = $state(false);
  adding = $state(false);
  running = $state(false);
  result = $state<TeamAgeResult | null>(null);
  error = $state<string | null>(null);
  progress = $state<{ stage: string; face: number | null; facesDone: number; faces: number } | null>(null);
  private drawnCount = 0;

  constructor(
    readonly photoId: string,
    faces: readonly DetectedFace[],
  ) {
    this.cards = faces.map((f) => new TeamCard(`found-${f.index}`, f.index, f.box, f.warnings ?? []));
    // No face found: drawing is the way on.
    this.drawing = faces.length === 0;
  }

  get chosen(): TeamCard[] {
    return this.cards.filter((c) => c.ticked);
  }

  /** Face numbers as ageTeam gives them: found faces by index, then the drawn ones in the order they are sent. */
  numberOf(card: TeamCard): number {
    if (card.face !== null) return card.face;
    const found = this.cards.filter((c) => c.face !== null).length;
    return found + this.chosen.filter((c) => c.drawn).indexOf(card);
  }

  /** A face the detector missed: the service looks for it in the box's surroundings. */
  async addBox(api: ChronofaceApi, box: Box): Promise<void> {
    this.adding = true;
    this.error = null;
    try {
      const drawn = await api.ageDrawFace({ photoId: this.photoId, box });
      this.cards = [...this.cards, new TeamCard(`drawn-${++this.drawnCount}`, null, drawn.box, drawn.warnings)];
      this.drawing = false;
    } catch (err) {
      this.error = err instanceof Error ? err.message : String(err);
    } finally {
      this.adding = false;
    }
  }

  remove(card: TeamCard): void {
    this.cards = this.cards.filter((c) => c !== card);
  }

  /** Ages the ticked faces together into one GIF. */
  async run(api: ChronofaceApi, options: AgeOptions): Promise<void> {
    const chosen = this.chosen;
    if (chosen.length === 0) {
      this.error = 'Tick at least one face, or draw a box around one.';
      return;
    }
    this.running = true;
    this.error = null;
    this.progress = null;
    try {
      const res = await api.ageTeam({
        photoId: this.photoId,
        ages: options.ages,
        faces: chosen.map((c) => c.choice()),
        modelId: options.modelId,
        ...(options.fps === undefined ? {} : { fps: options.fps }),
        ...(options.shape === undefined ? {} : { shape: options.shape }),
        ...(options.texture === undefined ? {} : { texture: options.texture }),
      });
      chosen.forEach((c, i) => (c.result = res.faces[i] ?? null));
      this.result = res;
    } catch (err) {
      this.error = err instanceof Error ? err.message : String(err);
    } finally {
      this.running = false;
    }
  }
}
