import { makeTrainFixture } from './_tmp-fixture.mjs';
const fx = await makeTrainFixture({ count: Number(process.argv[2] ?? 300), size: Number(process.argv[3] ?? 64) });
console.log(JSON.stringify(fx));
