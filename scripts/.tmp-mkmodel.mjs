import { initBackend } from '../dist/node/ml/tf/backend.js';
import { createCvae } from '../dist/node/ml/cvae/model.js';
import { makeCvaeConfig } from '../dist/node/ml/cvae/config.js';
import { saveCvae } from '../dist/node/ml/cvae/io.js';
await initBackend();
const m = createCvae(makeCvaeConfig({ imageSize: 64 }), 3);
m.sidecar = { ...m.sidecar, prep: { size: 64 }, ageRange: { min: 10, max: 70 } };
await saveCvae(m, process.argv[2]);
console.log('ok');
