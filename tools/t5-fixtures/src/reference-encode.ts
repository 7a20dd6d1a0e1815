import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import onnxProto from 'onnx-proto';
import { readT5Config, type T5Config } from '@coldstart/embeddings';

const { onnx } = onnxProto;
const FLOAT = 1;

/**
 * Recomputes a T5 encoder's `last_hidden_state` with plain float64 loops, reading the weights
 * from the ONNX file's initializers (by their Hugging Face names; MatMul weights are [in, out]).
 * Written straight from the T5 paper / transformers' modeling_t5.py and sharing no code with
 * the graph builder, so the two agreeing is evidence the graph is right. Slow (no BLAS):
 * meant for tiny fixtures in tests. Padding keys are left out of the softmax entirely rather
 * than biased, which is what a large negative bias approximates.
 *
 * Returns `[batch][position]` vectors of `d_model` values, padding positions included.
 */
export async function referenceT5Encode(
  modelDir: string,
  inputIds: readonly (readonly number[])[],
  attentionMask: readonly (readonly number[])[],
): Promise<Float64Array[][]> {
  const config = await readT5Config(modelDir);
  const weights = readFloatInitializers(await readFile(join(modelDir, 'encoder_model.onnx')));
  return inputIds.map((ids, b) => encodeSequence(config, weights, ids, attentionMask[b] ?? []));
}

type Weights = Map<string, { dims: number[]; data: Float64Array }>;

function readFloatInitializers(bytes: Uint8Array): Weights {
  const model = onnx.ModelProto.decode(bytes);
  const out: Weights = new Map();
  for (const tensor of model.graph?.initializer ?? []) {
    const raw = tensor.rawData;
    if (tensor.dataType !== FLOAT || !tensor.name || !raw) continue;
    const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
    const data = new Float64Array(raw.byteLength / 4);
    for (let i = 0; i < data.length; i++) data[i] = view.getFloat32(i * 4, true);
    out.set(tensor.name, { dims: (tensor.dims ?? []).map(Number), data });
  }
  return out;
}

function get(weights: Weights, name: string): Float64Array {
  const w = weights.get(name);
  if (w === undefined) throw new Error(`initializer ${name} not found`);
  return w.data;
}

/** `_relative_position_bucket(relative, bidirectional=True)` as written in modeling_t5.py. */
export function relativePositionBucket(relative: number, numBuckets: number, maxDistance: number): number {
  let buckets = Math.floor(numBuckets / 2);
  let result = 0;
  if (relative > 0) result += buckets;
  const n = Math.abs(relative);
  const maxExact = Math.floor(buckets / 2);
  if (n < maxExact) return result + n;
  let large = maxExact + Math.trunc((Math.log(n / maxExact) / Math.log(maxDistance / maxExact)) * (buckets - maxExact));
  buckets -= 1;
  large = Math.min(large, buckets);
  return result + large;
}

function rmsNorm(x: Float64Array, w: Float64Array, eps: number): Float64Array {
  let sum = 0;
  for (const v of x) sum += v * v;
  const scale = 1 / Math.sqrt(sum / x.length + eps);
  return x.map((v, i) => v * scale * w[i]!);
}

/** y = x · W with W stored row-major [in, out]. */
function linear(x: Float64Array, w: Float64Array, outDim: number): Float64Array {
  const y = new Float64Array(outDim);
  for (let i = 0; i < x.length; i++) {
    const xi = x[i]!;
    const row = i * outDim;
    for (let j = 0; j < outDim; j++) y[j]! += xi * w[row + j]!;
  }
  return y;
}

function newGelu(v: number): number {
  return 0.5 * v * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (v + 0.044715 * v ** 3)));
}

function encodeSequence(config: T5Config, weights: Weights, ids: readonly number[], mask: readonly number[]): Float64Array[] {
  const { d_model: d, d_kv: dKv, num_heads: heads, d_ff: dFf, layer_norm_epsilon: eps } = config;
  const inner = heads * dKv;
  const n = ids.length;
  const embedding = get(weights, 'shared.weight');
  let hidden = ids.map((id) => embedding.slice(id * d, (id + 1) * d));

  const relBias = get(weights, 'encoder.block.0.layer.0.SelfAttention.relative_attention_bias.weight');
  const bias = (query: number, key: number, head: number): number =>
    relBias[relativePositionBucket(key - query, config.relative_attention_num_buckets, config.relative_attention_max_distance) * heads + head]!;
  const realKeys = [...Array(n).keys()].filter((k) => mask[k] === 1);

  for (let layer = 0; layer < config.num_layers; layer++) {
    const p = `encoder.block.${layer}.layer`;
    const normed = hidden.map((x) => rmsNorm(x, get(weights, `${p}.0.layer_norm.weight`), eps));
    const q = normed.map((x) => linear(x, get(weights, `${p}.0.SelfAttention.q.weight`), inner));
    const k = normed.map((x) => linear(x, get(weights, `${p}.0.SelfAttention.k.weight`), inner));
    const v = normed.map((x) => linear(x, get(weights, `${p}.0.SelfAttention.v.weight`), inner));
    const wo = get(weights, `${p}.0.SelfAttention.o.weight`);
    hidden = hidden.map((x, i) => {
      const context = new Float64Array(inner);
      for (let h = 0; h < heads; h++) {
        const logits = realKeys.map((j) => {
          let dot = 0;
          for (let c = 0; c < dKv; c++) dot += q[i]![h * dKv + c]! * k[j]![h * dKv + c]!;
          return dot + bias(i, j, h);
        });
        const top = Math.max(...logits);
        const exps = logits.map((l) => Math.exp(l - top));
        const total = exps.reduce((a, b) => a + b, 0);
        realKeys.forEach((j, t) => {
          for (let c = 0; c < dKv; c++) context[h * dKv + c]! += (exps[t]! / total) * v[j]![h * dKv + c]!;
        });
      }
      const attended = linear(context, wo, d);
      return x.map((value, c) => value + attended[c]!);
    });

    hidden = hidden.map((x) => {
      const h = rmsNorm(x, get(weights, `${p}.1.layer_norm.weight`), eps);
      let act: Float64Array;
      if (config.feed_forward_proj === 'relu') {
        act = linear(h, get(weights, `${p}.1.DenseReluDense.wi.weight`), dFf).map((z) => Math.max(z, 0));
      } else {
        const gate = linear(h, get(weights, `${p}.1.DenseReluDense.wi_0.weight`), dFf);
        const lin = linear(h, get(weights, `${p}.1.DenseReluDense.wi_1.weight`), dFf);
        act = gate.map((z, c) => newGelu(z) * lin[c]!);
      }
      const out = linear(act, get(weights, `${p}.1.DenseReluDense.wo.weight`), d);
      return x.map((value, c) => value + out[c]!);
    });
  }
  const final = get(weights, 'encoder.final_layer_norm.weight');
  return hidden.map((x) => rmsNorm(x, final, eps));
}
