import { api } from './api/client.js';
import { ReviewData } from './managers/review.svelte.js';
import { Router } from './managers/router.svelte.js';
import { SelectionManager } from './managers/selection.svelte.js';
import { UndoManager } from './managers/undo.svelte.js';

/** App-wide state shared by screens (the review queue survives a visit to the alignment editor). */
export const router = new Router(location.hash);
export const review = new ReviewData(api());
export const selection = new SelectionManager();
export const undo = new UndoManager(api());

/** Photos dropped on another screen, handed to the Age screen (a drop anywhere on the window ages the photo). */
export const handoff = $state<{ ageFiles: File[] }>({ ageFiles: [] });
