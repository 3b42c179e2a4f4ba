/**
 * The research data in ../shared (or CHRONOFACE_SHARED_DIR) that tests read: never copied into the repo. A test file
 * that imports this module fails at once, with the missing folders named, when the data is not there.
 */
import { missingSharedData } from './shared-paths.js';

export { FGNET_DIR, MODELS_DIR, SHARED_DIR, UTKFACE_DIR } from './shared-paths.js';

const missing = missingSharedData();
if (missing) throw new Error(missing);
