#!/usr/bin/env node
// The FG-NET longitudinal check alone (what `chronoface eval` runs after its faces), in a minute or two, per person:
// a young photo aged to a later photo's age should come nearer that later face (face-api descriptor) than the input is.
// --persons keeps some subjects only (e.g. the train and val people, to choose settings without the test split's).
// Usage: node scripts/longitudinal-check.js --data-dir DIR [--model DIR] [--lightness off|K=V,...] [--persons 005,024]
import { loadEvalModel } from '../dist/node/workflows/eval.js';
import { openCatalogue } from '../dist/node/db/catalogue.js';
import { loadFollowedFaces } from '../dist/node/ml/eval/dataset.js';
import { longitudinalCheck } from '../dist/node/ml/eval/longitudinal.js';
import { blendSettings, modelLightness } from '../dist/node/ml/aging/age-face.js';
import { lightnessFromSpec } from '../dist/node/ml/aging/detail-change.js';
import { option as opt, requiredOptions } from './script-args.js';

const [dataDir] = requiredOptions('node scripts/longitudinal-check.js --data-dir DIR [--model DIR] [--lightness off|K=V,...] [--persons 005,024]', 'data-dir');
const model = await loadEvalModel(dataDir, opt('model'));
const spec = opt('lightness');
const blend = blendSettings(model, spec !== undefined ? { lightness: lightnessFromSpec(spec, modelLightness(model)) } : {});
const persons = opt('persons')?.split(',');
const subject = (f) => f.person.split(':').pop();
const faces = loadFollowedFaces(openCatalogue(dataDir), dataDir).filter((f) => !persons || persons.includes(subject(f)));
const r = await longitudinalCheck(model, faces, { ...blend, ageShift: true });
if (!r) throw new Error('no FG-NET pairs (people photographed 10 or more years apart) in this catalogue');
const byPerson = {};
for (const p of r.pairs) {
  const k = p.person.split(':').pop();
  byPerson[k] ??= { pairs: 0, nearer: 0 };
  byPerson[k].pairs++;
  if (p.agedDistance < p.inputDistance) byPerson[k].nearer++;
}
const round = (v) => Math.round(v * 10000) / 10000;
console.log(JSON.stringify({
  pairs: r.pairs.length,
  meanInputDistance: round(r.meanInputDistance),
  meanAgedDistance: round(r.meanAgedDistance),
  nearerShare: round(r.nearerShare),
  heldOut: r.heldOut,
  byPerson,
  list: r.pairs.map((p) => ({ person: subject(p), fromAge: p.fromAge, toAge: p.toAge, input: round(p.inputDistance), aged: round(p.agedDistance) })),
  skipped: r.skipped,
}, null, 1));
