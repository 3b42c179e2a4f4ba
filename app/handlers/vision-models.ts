import fs from 'node:fs';
import path from 'node:path';
import type { VisionModelStatus } from '../../contract/types.js';
import { dataDirModelsFolder, resolveModelFile, VISION_MODEL_NAMES, VISION_MODELS } from '../../ml/vision/models.js';
import type { ServiceContext } from '../context.js';
import { exclusiveJob } from '../jobs.js';
import { throttle } from '../events.js';
import type { HandlerGroup } from './types.js';

/** Where each MediaPipe model is found now, in resolveModelFile's order, without downloading. */
export function visionModelStatus(dataDir: string, env: NodeJS.ProcessEnv = process.env): VisionModelStatus[] {
  return VISION_MODEL_NAMES.map((name) => {
    const spec = VISION_MODELS[name];
    const places: [VisionModelStatus['source'], string][] = [];
    if (env.CHRONOFACE_MODELS_DIR) places.push(['env', path.join(env.CHRONOFACE_MODELS_DIR, name)]);
    places.push(['data-dir', path.join(dataDirModelsFolder(dataDir), name)]);
    for (const [source, file] of places) {
      if (fs.existsSync(file) && fs.statSync(file).size === spec.bytes) return { name, file, present: true, source, bytes: spec.bytes };
    }
    return { name, file: path.join(dataDirModelsFolder(dataDir), name), present: false, source: 'missing', bytes: spec.bytes };
  });
}

export function visionModelHandlers(ctx: ServiceContext): HandlerGroup<'visionModelsStatus' | 'visionModelsDownload'> {
  return {
    async visionModelsStatus() {
      const models = visionModelStatus(ctx.dataDir);
      return { models, ready: models.every((m) => m.present) };
    },
    async visionModelsDownload() {
      return exclusiveJob(ctx, 'model download', async () => {
        for (const name of VISION_MODEL_NAMES) {
          const progress = throttle((received: number, total: number) => ctx.bus.emit({ type: 'models.download', name, received, total, done: false }), 100);
          await resolveModelFile(name, { dataDir: ctx.dataDir, onProgress: (p) => progress(p.received, p.total) });
          ctx.bus.emit({ type: 'models.download', name, received: VISION_MODELS[name].bytes, total: VISION_MODELS[name].bytes, done: true });
        }
        const models = visionModelStatus(ctx.dataDir);
        return { models, ready: models.every((m) => m.present) };
      });
    },
  };
}
