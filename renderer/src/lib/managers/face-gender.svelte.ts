import type { FaceEstimate, KnownGender } from '../../../../contract/api.js';

/** Below this probability the estimated gender is called uncertain and the face card asks the user to set it. */
export const UNCERTAIN_GENDER = 0.7;

/** A face's gender on its card: the estimate made when the face was found, and what the user set ('' = the estimate). */
export class FaceGender {
  set = $state<'' | KnownGender>('');

  constructor(readonly estimate: FaceEstimate | null) {}

  /** The estimate is unsure and the user has not set the gender. */
  get uncertain(): boolean {
    return this.set === '' && this.estimate !== null && this.estimate.genderProbability < UNCERTAIN_GENDER;
  }

  /** What the card says: "female (p = 0.62)", or the user's choice. */
  get label(): string {
    if (this.set) return `${this.set} (set)`;
    return this.estimate ? `${this.estimate.gender} (p = ${this.estimate.genderProbability.toFixed(2)})` : 'not estimated';
  }

  /** The gender to age with when the user set one; else undefined, and the service uses the same estimate. */
  get chosen(): KnownGender | undefined {
    return this.set || undefined;
  }
}
