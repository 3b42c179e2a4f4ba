import fs from 'node:fs';
import path from 'node:path';

export interface Head {
  /** Output width; the head is mean(RGB input) x w + b, then softmax when `softmax`, or a sigmoid for width 1. */
  width: number;
  w: number[][];
  b: number[];
  act: 'softmax' | 'sigmoid' | 'none';
}

/**
 * Writes a TensorFlow.js graph model (GraphDef JSON + weights, the converter's layout) whose input is
 * [-1, size, size, 3] and whose outputs are small dense heads over the mean colour, as `<file>` in `dir`.
 */
export function writeTinyGraphModel(dir: string, file: string, size: number, heads: Head[]): void {
  const f32 = { type: 'DT_FLOAT' };
  const nodes: object[] = [
    { name: 'input_1', op: 'Placeholder', attr: { dtype: f32, shape: { shape: { dim: [{ size: '-1' }, { size: String(size) }, { size: String(size) }, { size: '3' }] } } } },
    { name: 'axes', op: 'Const', attr: { dtype: { type: 'DT_INT32' }, value: { tensor: { dtype: 'DT_INT32', tensorShape: { dim: [{ size: '2' }] } } } } },
    { name: 'mean', op: 'Mean', input: ['input_1', 'axes'], attr: { T: f32, Tidx: { type: 'DT_INT32' }, keep_dims: { b: false } } },
  ];
  const weights: { name: string; shape: number[]; dtype: 'float32' | 'int32' }[] = [{ name: 'axes', shape: [2], dtype: 'int32' }];
  const data: Buffer[] = [Buffer.from(new Int32Array([1, 2]).buffer)];
  const constant = (name: string, shape: number[], values: number[]): void => {
    nodes.push({ name, op: 'Const', attr: { dtype: f32, value: { tensor: { dtype: 'DT_FLOAT', tensorShape: { dim: shape.map((s) => ({ size: String(s) })) } } } } });
    weights.push({ name, shape, dtype: 'float32' });
    data.push(Buffer.from(new Float32Array(values).buffer));
  };
  heads.forEach((h, k) => {
    constant(`w${k}`, [3, h.width], h.w.flat());
    constant(`b${k}`, [h.width], h.b);
    nodes.push({ name: `mm${k}`, op: 'MatMul', input: ['mean', `w${k}`], attr: { T: f32, transpose_a: { b: false }, transpose_b: { b: false } } });
    nodes.push({ name: `logits${k}`, op: 'BiasAdd', input: [`mm${k}`, `b${k}`], attr: { T: f32 } });
    const act = h.act === 'softmax' ? 'Softmax' : h.act === 'sigmoid' ? 'Sigmoid' : 'Identity';
    nodes.push({ name: `out${k}`, op: act, input: [`logits${k}`], attr: { T: f32 } });
  });
  const bin = file.replace(/\.json$/, '.bin');
  const json = { format: 'graph-model', modelTopology: { node: nodes, library: {}, versions: {} }, weightsManifest: [{ paths: [bin], weights }] };
  fs.writeFileSync(path.join(dir, file), JSON.stringify(json));
  fs.writeFileSync(path.join(dir, bin), Buffer.concat(data));
}
