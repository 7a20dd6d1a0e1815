import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { MANIFEST_FILE, sha256Hex, type EncoderManifest, type FeedForwardProj, type T5Config, type T5FixtureSize } from '@coldstart/embeddings';
import { mulberry32 } from '@coldstart/runtime';
import { buildUnigramTokenizer, EOS_ID, PAD_ID } from './build-tokenizer.js';
import { DataType, encodeModel, GraphBuilder } from './onnx-graph-builder.js';

export interface GenerateT5FixtureOptions {
  readonly size: T5FixtureSize;
  readonly outDir: string;
  /** Catalog texts (titles, authors, genres...) the tokenizer vocabulary is built from. */
  readonly vocabularyTexts: Iterable<string>;
  readonly seed?: number;
  /** Tiny only; base is always ReLU, like t5-base. */
  readonly feedForward?: FeedForwardProj;
  /** Manifest id; defaults to `t5-<size>-fixture` (`t5-tiny-gated-fixture` for gated-GELU). */
  readonly id?: string;
  /** Also write a sentence-T5-style projection (`projection.json` + `projection.f32`) to this many dimensions. */
  readonly projectionDimension?: number;
  /** Most whole-word pieces kept in the vocabulary (single characters always come on top). */
  readonly maxPieces?: number;
}

export interface GeneratedT5Fixture {
  readonly dir: string;
  readonly config: T5Config;
  readonly manifest: EncoderManifest;
}

export const ONNX_MODEL_FILE = 'encoder_model.onnx';
export const PROJECTION_FILE = 'projection.json';
const DEFAULT_SEED = 20_260_127;
/** ONNX opset: 17 keeps ReduceMean's axes an attribute and is implemented by every onnxruntime in use. */
const OPSET = 17;
/**
 * Added to the scores of padding keys. Hugging Face uses finfo(float32).min; any value this
 * large makes exp() exactly 0 in float32, and a finite one cannot produce inf - inf = NaN.
 */
const MASK_BIAS = -1e9;

const SHAPES: Record<T5FixtureSize, Pick<T5Config, 'd_model' | 'd_kv' | 'd_ff' | 'num_layers' | 'num_heads'>> = {
  tiny: { d_model: 32, d_kv: 8, d_ff: 64, num_layers: 2, num_heads: 4 },
  // t5-base's encoder.
  base: { d_model: 768, d_kv: 64, d_ff: 3072, num_layers: 12, num_heads: 12 },
};

/**
 * Writes a Hugging Face optimum-style export of a T5 encoder with fixed pseudo-random weights:
 * `encoder_model.onnx`, `config.json`, `tokenizer.json`, `tokenizer_config.json` and the
 * `coldstart-encoder.json` manifest. Same options → byte-identical files. Writes straight into
 * `outDir`; callers that race other processes write to a temporary directory and rename it.
 */
export async function generateT5Fixture(options: GenerateT5FixtureOptions): Promise<GeneratedT5Fixture> {
  const { size, outDir } = options;
  const shape = SHAPES[size];
  if (shape === undefined) throw new Error(`unknown fixture size ${JSON.stringify(size)}`);
  const feedForward = options.feedForward ?? 'relu';
  if (size === 'base' && feedForward !== 'relu') throw new Error('the base fixture is ReLU, as t5-base');
  const id = options.id ?? (feedForward === 'relu' ? `t5-${size}-fixture` : `t5-${size}-gated-fixture`);

  const tokenizer = buildUnigramTokenizer(options.vocabularyTexts, options.maxPieces);
  const config: T5Config = {
    ...shape,
    vocab_size: tokenizer.vocabSize,
    relative_attention_num_buckets: 32,
    relative_attention_max_distance: 128,
    feed_forward_proj: feedForward,
    layer_norm_epsilon: 1e-6,
    pad_token_id: PAD_ID,
    eos_token_id: EOS_ID,
  };

  const files = new Map<string, Uint8Array | string>();
  files.set(ONNX_MODEL_FILE, buildT5EncoderOnnx(config, options.seed ?? DEFAULT_SEED));
  const configJson = {
    architectures: ['T5EncoderModel'],
    model_type: 't5',
    ...config,
    is_gated_act: feedForward === 'gated-gelu',
    dense_act_fn: feedForward === 'relu' ? 'relu' : 'gelu_new',
    coldstart_fixture: { size, seed: options.seed ?? DEFAULT_SEED },
  };
  files.set('config.json', `${JSON.stringify(configJson, null, 2)}\n`);
  files.set('tokenizer.json', JSON.stringify(tokenizer.tokenizerJson));
  files.set('tokenizer_config.json', `${JSON.stringify(tokenizer.tokenizerConfig, null, 2)}\n`);

  let dimension = config.d_model;
  if (options.projectionDimension !== undefined) {
    dimension = options.projectionDimension;
    // A separate stream, so adding a projection does not change the encoder's weights.
    const random = mulberry32((options.seed ?? DEFAULT_SEED) ^ 0x5eed);
    const weights = fillUniform(new Float32Array(dimension * config.d_model), random, 1 / Math.sqrt(config.d_model));
    files.set('projection.f32', new Uint8Array(weights.buffer));
    files.set(
      PROJECTION_FILE,
      `${JSON.stringify({ inputDimension: config.d_model, outputDimension: dimension, weights: 'projection.f32' }, null, 2)}\n`,
    );
  }

  await mkdir(outDir, { recursive: true });
  const digests: Record<string, string> = {};
  for (const [name, contents] of [...files].sort(([a], [b]) => (a < b ? -1 : 1))) {
    digests[name] = sha256Hex(contents);
    await writeFile(join(outDir, name), contents);
  }
  const manifest: EncoderManifest = { id, dimension, files: digests };
  await writeFile(join(outDir, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
  return { dir: outDir, config, manifest };
}

/**
 * Hugging Face's `_relative_position_bucket(bidirectional=True)`, evaluated the way PyTorch
 * does (float32 log and division, truncation toward zero), for one relative position
 * `memory - query`. Only used to fill the lookup table below.
 */
function huggingFaceBucket(relative: number, numBuckets: number, maxDistance: number): number {
  const half = numBuckets / 2;
  let bucket = relative > 0 ? half : 0;
  const distance = Math.abs(relative);
  const maxExact = half / 2;
  if (distance < maxExact) return bucket + distance;
  const f = Math.fround;
  const ratio = f(f(Math.log(f(distance / maxExact))) / f(Math.log(maxDistance / maxExact)));
  const large = maxExact + Math.trunc(f(ratio * (half - maxExact)));
  bucket += Math.min(large, half - 1);
  return bucket;
}

function buildT5EncoderOnnx(config: T5Config, seed: number): Uint8Array {
  const { d_model: dModel, d_kv: dKv, d_ff: dFf, num_heads: heads, num_layers: layers, vocab_size: vocab } = config;
  const inner = heads * dKv;
  const maxDistance = config.relative_attention_max_distance;
  const g = new GraphBuilder();
  const random = mulberry32(seed);
  // Standard deviations follow T5's own initialisation (T5PreTrainedModel._init_weights), which
  // is what keeps unscaled attention logits near unit size; the relative-position bias is made
  // larger than T5's init so the equivalence tests notice a wrong bucket.
  const weight = (name: string, dims: number[], std: number, mean = 0): string =>
    g.floatTensor(name, dims, fillUniform(new Float32Array(dims.reduce((a, b) => a * b, 1)), random, std, mean));
  const norm = (name: string): string => weight(name, [dModel], 0.1, 1);

  const shared = weight('shared.weight', [vocab, dModel], 1);
  const relBias = weight('encoder.block.0.layer.0.SelfAttention.relative_attention_bias.weight', [config.relative_attention_num_buckets, heads], 0.5);

  const f32 = (value: number): string => g.scalarFloat(`const.f${g.initializers.length}`, value);
  const i64 = (value: number): string => g.scalarInt64(`const.i${g.initializers.length}`, value);
  const ints = (values: number[]): string => g.int64Tensor(`const.ints${g.initializers.length}`, [values.length], values);

  // Position bias [1, heads, seq, seq], computed once and shared by every layer, as in T5.
  // Buckets depend only on the relative position, and every |relative| >= max_distance falls in
  // the last bucket, so a lookup table over relative positions clipped to ±max_distance is
  // exact for any sequence length.
  const table: number[] = [];
  for (let r = -maxDistance; r <= maxDistance; r++) {
    table.push(huggingFaceBucket(r, config.relative_attention_num_buckets, maxDistance));
  }
  const bucketTable = g.int64Tensor('const.relative_position_bucket_table', [table.length], table);
  const seqLen = g.op('Gather', [g.op('Shape', ['input_ids']), i64(1)], { axis: 0 });
  const positions = g.op('Range', [i64(0), seqLen, i64(1)]);
  const relative = g.op('Sub', [g.op('Unsqueeze', [positions, ints([0])]), g.op('Unsqueeze', [positions, ints([1])])]);
  const clipped = g.op('Max', [g.op('Min', [relative, i64(maxDistance)]), i64(-maxDistance)]);
  const buckets = g.op('Gather', [bucketTable, g.op('Add', [clipped, i64(maxDistance)])], { axis: 0 });
  const biasSSH = g.op('Gather', [relBias, buckets], { axis: 0 });
  const positionBias = g.op('Unsqueeze', [g.op('Transpose', [biasSSH], { perm: [2, 0, 1] }), ints([0])]);
  // Padding keys: [batch, 1, 1, seq] of 0 (real) or MASK_BIAS (padding).
  const maskFloat = g.op('Cast', ['attention_mask'], { to: DataType.FLOAT });
  const maskBias = g.op('Unsqueeze', [g.op('Mul', [g.op('Sub', [f32(1), maskFloat]), f32(MASK_BIAS)]), ints([1, 2])]);
  const attentionBias = g.op('Add', [positionBias, maskBias]);

  const eps = f32(config.layer_norm_epsilon);
  const rmsNorm = (x: string, w: string, name?: string): string => {
    const meanSquare = g.op('ReduceMean', [g.op('Mul', [x, x])], { axes: [-1], keepdims: 1 });
    return g.op('Mul', [g.op('Div', [x, g.op('Sqrt', [g.op('Add', [meanSquare, eps])])]), w], {}, name);
  };
  const headsShape = ints([0, 0, heads, dKv]);
  const mergedShape = ints([0, 0, inner]);
  // Created on first use so a ReLU graph carries no unused initializers (onnxruntime warns).
  let geluConstants: { half: string; one: string; geluCoeff: string; sqrt2OverPi: string } | undefined;
  // NewGELU (HF "gelu_new"): 0.5 x (1 + tanh(√(2/π) (x + 0.044715 x³))).
  const gelu = (x: string): string => {
    geluConstants ??= { half: f32(0.5), one: f32(1), geluCoeff: f32(0.044715), sqrt2OverPi: f32(Math.sqrt(2 / Math.PI)) };
    const { half, one, geluCoeff, sqrt2OverPi } = geluConstants;
    const cube = g.op('Mul', [g.op('Mul', [x, x]), x]);
    const inner_ = g.op('Mul', [g.op('Add', [x, g.op('Mul', [cube, geluCoeff])]), sqrt2OverPi]);
    return g.op('Mul', [g.op('Mul', [x, half]), g.op('Add', [g.op('Tanh', [inner_]), one])]);
  };

  let x = g.op('Gather', [shared, 'input_ids'], { axis: 0 });
  for (let layer = 0; layer < layers; layer++) {
    const p = `encoder.block.${layer}.layer`;
    // MatMul weights are stored [in, out], i.e. transposed from PyTorch's nn.Linear layout.
    const wq = weight(`${p}.0.SelfAttention.q.weight`, [dModel, inner], 1 / Math.sqrt(dModel * dKv));
    const wk = weight(`${p}.0.SelfAttention.k.weight`, [dModel, inner], 1 / Math.sqrt(dModel));
    const wv = weight(`${p}.0.SelfAttention.v.weight`, [dModel, inner], 1 / Math.sqrt(dModel));
    const wo = weight(`${p}.0.SelfAttention.o.weight`, [inner, dModel], 1 / Math.sqrt(inner));
    const h = rmsNorm(x, norm(`${p}.0.layer_norm.weight`));
    const split = (w: string, perm: number[]): string =>
      g.op('Transpose', [g.op('Reshape', [g.op('MatMul', [h, w]), headsShape])], { perm });
    const q = split(wq, [0, 2, 1, 3]); // [b, heads, seq, d_kv]
    const kT = split(wk, [0, 2, 3, 1]); // [b, heads, d_kv, seq]
    const v = split(wv, [0, 2, 1, 3]);
    // No 1/sqrt(d_kv): T5 folds that scale into the initialisation of q.
    const scores = g.op('Add', [g.op('MatMul', [q, kT]), attentionBias]);
    const probs = g.op('Softmax', [scores], { axis: -1 });
    const context = g.op('Reshape', [g.op('Transpose', [g.op('MatMul', [probs, v])], { perm: [0, 2, 1, 3] }), mergedShape]);
    x = g.op('Add', [x, g.op('MatMul', [context, wo])]);

    const h2 = rmsNorm(x, norm(`${p}.1.layer_norm.weight`));
    let hidden: string;
    if (config.feed_forward_proj === 'relu') {
      const wi = weight(`${p}.1.DenseReluDense.wi.weight`, [dModel, dFf], 1 / Math.sqrt(dModel));
      hidden = g.op('Relu', [g.op('MatMul', [h2, wi])]);
    } else {
      const wi0 = weight(`${p}.1.DenseReluDense.wi_0.weight`, [dModel, dFf], 1 / Math.sqrt(dModel));
      const wi1 = weight(`${p}.1.DenseReluDense.wi_1.weight`, [dModel, dFf], 1 / Math.sqrt(dModel));
      hidden = g.op('Mul', [gelu(g.op('MatMul', [h2, wi0])), g.op('MatMul', [h2, wi1])]);
    }
    const wff = weight(`${p}.1.DenseReluDense.wo.weight`, [dFf, dModel], 1 / Math.sqrt(dFf));
    x = g.op('Add', [x, g.op('MatMul', [hidden, wff])]);
  }
  rmsNorm(x, norm('encoder.final_layer_norm.weight'), 'last_hidden_state');

  return encodeModel(
    g,
    'T5EncoderModel',
    [
      { name: 'input_ids', elemType: DataType.INT64, dims: ['batch_size', 'encoder_sequence_length'] },
      { name: 'attention_mask', elemType: DataType.INT64, dims: ['batch_size', 'encoder_sequence_length'] },
    ],
    [{ name: 'last_hidden_state', elemType: DataType.FLOAT, dims: ['batch_size', 'encoder_sequence_length', dModel] }],
    OPSET,
  );
}

/**
 * Fills `out` with uniform values of mean `mean` and standard deviation `std`
 * (uniform on [-a, a] has std a/√3). The weights come from mulberry32: tens of millions of
 * draws per second keep the ~85M-parameter base fixture to about a second, and two processes
 * generating the same fixture write identical bytes.
 */
function fillUniform(out: Float32Array, random: () => number, std: number, mean = 0): Float32Array {
  const a = std * Math.sqrt(3);
  for (let i = 0; i < out.length; i++) out[i] = mean + (random() * 2 - 1) * a;
  return out;
}
