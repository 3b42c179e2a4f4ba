import fs from 'node:fs';
import type { TestProject } from 'vitest/node';
import { buildStudioFixture } from '../helpers/studio-fixture.js';
import { missingSharedData } from '../helpers/shared-paths.js';

/** Builds the suite's import → prepare → train fixture once; a test that needs it and finds it missing fails with why. */
export default async function setup(project: TestProject): Promise<() => void> {
  const missing = missingSharedData();
  if (missing) {
    project.provide('studioFixture', { error: missing });
    return () => undefined;
  }
  try {
    const fx = await buildStudioFixture();
    project.provide('studioFixture', fx);
    return () => fs.rmSync(fx.root, { recursive: true, force: true });
  } catch (err) {
    project.provide('studioFixture', { error: err instanceof Error ? err.message : String(err) });
    return () => undefined;
  }
}
