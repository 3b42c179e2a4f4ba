import type { Box, ChronofaceApi, DetectedFace, FaceNote, TeamAgeResult, TeamFaceChoice, TeamFaceResult } from '../../../../contract/api.js';
import type { AgeOptions } from './age.svelte.js';
import { FaceGender } from './face-gender.svelte.js';

/** One face of the team on its card: found (face = its index) or drawn (face = null). */
export class TeamCard {
  ticked = $state(true);
  /** '' = estimate. */
  sourceAge = $state('');
  result = $state<TeamFaceResult | null>(null);

  constructor(
    readonly key: string,
    readonly face: number | null,
    readonly box: Box,
    readonly warnings: FaceNote[],
    /** Its gender card: the estimate made when it was found, and what the user set (shared with the face aged alone). */
    readonly gender: FaceGender = new FaceGender(null),
  ) {}

  /** The warnings the card lists; an uncertain gender is flagged beside the gender instead, until the user sets it. */
  get notes(): FaceNote[] {
    return this.warnings.filter((w) => w.kind !== 'gender');
  }

  get drawn(): boolean {
    return this.face === null;
  }

  /** The estimate was unsure of the gender and the user has not set it. */
  get genderUncertain(): boolean {
    return this.gender.uncertain;
  }

  choice(): TeamFaceChoice {
    const age = this.sourceAge.trim() === '' ? undefined : Number(this.sourceAge);
    return {
      ...(this.face === null ? { box: this.box } : { face: this.face }),
      ...(age !== undefined && Number.isFinite(age) ? { sourceAge: age } : {}),
      ...(this.gender.chosen ? { gender: this.gender.chosen } : {}),
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

  /** `genders`: the faces' gender cards when the photo's job keeps them too (else made from the estimates). */
  constructor(
    readonly photoId: string,
    faces: readonly DetectedFace[],
    genders: readonly FaceGender[] = faces.map((f) => new FaceGender(f.estimate ?? null)),
  ) {
    this.cards = faces.map((f, i) => new TeamCard(`found-${f.index}`, f.index, f.box, f.warnings ?? [], genders[i]));
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
  async addBox(api: ChronofaceApi, box: Box, modelId: number | null = null): Promise<void> {
    this.adding = true;
    this.error = null;
    try {
      const drawn = await api.ageDrawFace({ photoId: this.photoId, box, modelId });
      this.cards = [...this.cards, new TeamCard(`drawn-${++this.drawnCount}`, null, drawn.box, drawn.warnings, new FaceGender(drawn.estimate))];
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
