import fs from 'node:fs';
import path from 'node:path';
import type * as tf from '@tensorflow/tfjs';
import { ModelFileError, readJsonFile } from '../io/model-file.js';
import { writeFileAtomic } from '../io/write-file-atomic.js';

export const MODEL_JSON = 'model.json';
export const WEIGHTS_BIN = 'weights.bin';

function toBuffer(data: ArrayBuffer | ArrayBuffer[]): Buffer {
  return Array.isArray(data) ? Buffer.concat(data.map((d) => Buffer.from(d))) : Buffer.from(data);
}

/**
 * A tf.io.IOHandler for a folder on disk (tfjs-node's file:// handler is not available here): model.json holds the
 * topology and weights manifest, weights.bin the weights. Each file is written atomically.
 */
export type FileSystemIO = tf.io.IOHandler & {
  save(artifacts: tf.io.ModelArtifacts): Promise<tf.io.SaveResult>;
  load(): Promise<tf.io.ModelArtifacts>;
};

export function fileSystemIO(dir: string): FileSystemIO {
  return {
    async save(artifacts: tf.io.ModelArtifacts): Promise<tf.io.SaveResult> {
      fs.mkdirSync(dir, { recursive: true });
      const weights = artifacts.weightData ? toBuffer(artifacts.weightData as ArrayBuffer | ArrayBuffer[]) : Buffer.alloc(0);
      const json = {
        format: artifacts.format,
        generatedBy: artifacts.generatedBy,
        convertedBy: artifacts.convertedBy ?? null,
        modelTopology: artifacts.modelTopology,
        weightsManifest: [{ paths: [WEIGHTS_BIN], weights: artifacts.weightSpecs ?? [] }],
        ...(artifacts.userDefinedMetadata ? { userDefinedMetadata: artifacts.userDefinedMetadata } : {}),
      };
      await writeFileAtomic(path.join(dir, WEIGHTS_BIN), weights);
      const text = JSON.stringify(json);
      await writeFileAtomic(path.join(dir, MODEL_JSON), text);
      return {
        modelArtifactsInfo: {
          dateSaved: new Date(),
          modelTopologyType: 'JSON',
          modelTopologyBytes: text.length,
          weightSpecsBytes: JSON.stringify(json.weightsManifest).length,
          weightDataBytes: weights.length,
        },
      };
    },
    async load(): Promise<tf.io.ModelArtifacts> {
      const file = path.join(dir, MODEL_JSON);
      if (!fs.existsSync(file)) throw new Error(`no model at ${dir} (missing ${MODEL_JSON})`);
      const json = readJsonFile(file) as {
        format?: string;
        generatedBy?: string;
        convertedBy?: string | null;
        modelTopology?: object;
        weightsManifest: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[];
        userDefinedMetadata?: Record<string, unknown>;
      };
      const specs: tf.io.WeightsManifestEntry[] = [];
      const buffers: Buffer[] = [];
      if (!Array.isArray(json.weightsManifest)) throw new ModelFileError(file, 'no weightsManifest');
      for (const group of json.weightsManifest) {
        specs.push(...group.weights);
        for (const p of group.paths) {
          if (path.basename(p) !== p) throw new ModelFileError(file, `weights path ${JSON.stringify(p)} is not a file name beside it`);
          const bin = path.join(dir, p);
          if (!fs.existsSync(bin)) throw new ModelFileError(file, `its weights file ${p} is missing`);
          buffers.push(fs.readFileSync(bin));
        }
      }
      const all = Buffer.concat(buffers);
      const artifacts: tf.io.ModelArtifacts = {
        modelTopology: json.modelTopology ?? {},
        weightSpecs: specs,
        weightData: all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength),
      };
      if (json.format !== undefined) artifacts.format = json.format;
      if (json.generatedBy !== undefined) artifacts.generatedBy = json.generatedBy;
      if (json.convertedBy !== undefined && json.convertedBy !== null) artifacts.convertedBy = json.convertedBy;
      if (json.userDefinedMetadata) artifacts.userDefinedMetadata = json.userDefinedMetadata as Record<string, never>;
      return artifacts;
    },
  };
}
