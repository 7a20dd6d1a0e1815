import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Tokenizer } from '@huggingface/tokenizers';
import { InferenceSession, Tensor } from 'onnxruntime-node';
import { EmptyTextError, type Encoder } from '../encoder.js';
import { readProjection, type LinearProjection } from './projection.js';
import { downloadModelFromS3, type S3ModelSource, type S3DownloadInfo } from './s3-source.js';
import { readT5Config, type T5Config } from './t5-config.js';

/** ONNX file names accepted in a model directory, in order of preference (optimum names the encoder of a seq2seq export `encoder_model.onnx`). */
const MODEL_FILES = ['encoder_model.onnx', 'model.onnx'];
/** T5 was trained on 512-token inputs; its relative positions allow more, but quality is untested there. */
const DEFAULT_MAX_TOKENS = 512;
/**
 * Most padded tokens (batch × longest) per onnxruntime run. Attention memory grows with
 * batch × heads × seq², so an unbounded batch of long texts could take gigabytes; 8192 keeps
 * t5-base's attention scores under ~200 MB per layer even at 512 tokens.
 */
const DEFAULT_TOKEN_BUDGET = 8192;

/**
 * The part of @huggingface/tokenizers' Tokenizer used here. Its shipped .d.ts files import
 * each other without extensions, which NodeNext resolution cannot follow, so the class is
 * typed `any` here; this interface restores checking at the boundary.
 */
interface TextTokenizer {
  encode(text: string, options?: { add_special_tokens?: boolean }): { ids: number[] };
  token_to_id(token: string): number | undefined;
}

export type T5EncoderSource = { readonly dir: string } | { readonly s3: S3ModelSource };

export interface T5EncoderOptions {
  /** Stored with every vector; must change whenever the model files or this recipe change. */
  readonly id: string;
  readonly source: T5EncoderSource;
  /** Tokens per text including the final `</s>`; longer texts are truncated. Default 512. */
  readonly maxTokens?: number;
  readonly pooling?: 'mean';
  /**
   * `'auto'` (default) applies the directory's projection.json if there is one; `'required'`
   * fails without it; `'none'` ignores it; or pass the matrix itself.
   */
  readonly projection?: 'auto' | 'required' | 'none' | LinearProjection;
  /** onnxruntime intra-op threads; default: onnxruntime's choice (one per core). */
  readonly intraOpThreads?: number;
  readonly graphOptimizationLevel?: 'disabled' | 'basic' | 'extended' | 'all';
  /** Upper bound on batch × longest sequence per run; larger batches are split. Default 8192. */
  readonly tokenBudget?: number;
}

export interface T5Encoder extends Encoder {
  readonly maxTokens: number;
  readonly tokenBudget: number;
  /** The model directory actually loaded (the S3 cache directory for S3 sources). */
  readonly dir: string;
  readonly config: T5Config;
  /** Set when the source was S3: which files were downloaded and which reused from the cache. */
  readonly s3?: S3DownloadInfo;
  /** The ids fed to the model for one text: truncated to maxTokens, `</s>` last. */
  tokenize(text: string): number[];
  /** Frees the onnxruntime session. */
  close(): Promise<void>;
}

export async function loadT5Encoder(options: T5EncoderOptions): Promise<T5Encoder> {
  const maxTokens = options.maxTokens ?? DEFAULT_MAX_TOKENS;
  const tokenBudget = options.tokenBudget ?? DEFAULT_TOKEN_BUDGET;
  if (!Number.isInteger(maxTokens) || maxTokens < 2) throw new RangeError('maxTokens must be an integer >= 2');
  if (!Number.isInteger(tokenBudget) || tokenBudget < 1) throw new RangeError('tokenBudget must be a positive integer');
  if ((options.pooling ?? 'mean') !== 'mean') throw new Error(`unsupported pooling ${String(options.pooling)}`);

  let dir: string;
  let s3: S3DownloadInfo | undefined;
  if ('dir' in options.source) {
    dir = options.source.dir;
  } else {
    s3 = await downloadModelFromS3(options.id, options.source.s3);
    dir = s3.dir;
  }

  const config = await readT5Config(dir);
  const modelPath = await findModelFile(dir);
  const [tokenizerJson, tokenizerConfig] = await Promise.all([
    readJson(join(dir, 'tokenizer.json')),
    readJson(join(dir, 'tokenizer_config.json')).catch(() => ({})),
  ]);
  const tokenizer: TextTokenizer = new Tokenizer(tokenizerJson, tokenizerConfig);
  const eos = tokenizer.token_to_id('</s>');
  if (eos !== config.eos_token_id) {
    throw new Error(`${dir}: tokenizer's </s> id ${String(eos)} differs from config.json eos_token_id ${config.eos_token_id}`);
  }

  let projection: LinearProjection | null = null;
  const wanted = options.projection ?? 'auto';
  if (typeof wanted === 'object') projection = wanted;
  else if (wanted !== 'none') projection = await readProjection(dir);
  if (wanted === 'required' && projection === null) throw new Error(`${dir}: encoder ${options.id} needs projection.json, which is missing`);
  if (projection !== null && projection.inputDimension !== config.d_model) {
    throw new Error(`projection expects ${projection.inputDimension} inputs but the model's d_model is ${config.d_model}`);
  }

  const session = await InferenceSession.create(modelPath, {
    executionProviders: ['cpu'],
    graphOptimizationLevel: options.graphOptimizationLevel ?? 'all',
    ...(options.intraOpThreads === undefined ? {} : { intraOpNumThreads: options.intraOpThreads }),
    // Parallelism comes from intra-op threads; one graph branch at a time.
    interOpNumThreads: 1,
    executionMode: 'sequential',
    logSeverityLevel: 3,
  });
  for (const name of ['input_ids', 'attention_mask']) {
    if (!session.inputNames.includes(name)) throw new Error(`${modelPath}: model has no input ${name} (inputs: ${session.inputNames.join(', ')})`);
  }
  if (!session.outputNames.includes('last_hidden_state')) throw new Error(`${modelPath}: model has no output last_hidden_state`);

  return new OnnxT5Encoder(options.id, dir, config, tokenizer, session, projection, maxTokens, tokenBudget, s3);
}

async function findModelFile(dir: string): Promise<string> {
  for (const name of MODEL_FILES) {
    const path = join(dir, name);
    if (await stat(path).then((s) => s.isFile(), () => false)) return path;
  }
  throw new Error(`${dir}: no ${MODEL_FILES.join(' or ')}`);
}

async function readJson(path: string): Promise<object> {
  return JSON.parse(await readFile(path, 'utf8')) as object;
}

class OnnxT5Encoder implements T5Encoder {
  readonly dimension: number;

  constructor(
    readonly id: string,
    readonly dir: string,
    readonly config: T5Config,
    private readonly tokenizer: TextTokenizer,
    private readonly session: InferenceSession,
    private readonly projection: LinearProjection | null,
    readonly maxTokens: number,
    readonly tokenBudget: number,
    readonly s3: S3DownloadInfo | undefined,
  ) {
    this.dimension = projection?.outputDimension ?? config.d_model;
  }

  tokenize(text: string): number[] {
    if (typeof text !== 'string') throw new TypeError(`encode expects strings, got ${typeof text}`);
    if (text.trim() === '') throw new EmptyTextError(text);
    // Special tokens are added here rather than by the template so truncation can keep </s> last.
    const { ids } = this.tokenizer.encode(text, { add_special_tokens: false });
    if (ids.length === 0) throw new EmptyTextError(text);
    return [...ids.slice(0, this.maxTokens - 1), this.config.eos_token_id];
  }

  async encode(texts: readonly string[], signal?: AbortSignal): Promise<Float32Array[]> {
    signal?.throwIfAborted();
    if (!Array.isArray(texts)) throw new TypeError('encode expects an array of strings');
    const sequences = texts.map((text) => this.tokenize(text));
    const out = new Array<Float32Array>(texts.length);
    // Runs group texts of similar length (shortest first) so padding stays small; each run is
    // padded only to its own longest text.
    const order = [...sequences.keys()].sort((a, b) => sequences[a]!.length - sequences[b]!.length || a - b);
    let start = 0;
    while (start < order.length) {
      let end = start + 1;
      // Lengths ascend, so the candidate's length is the run's longest.
      while (end < order.length && (end - start + 1) * sequences[order[end]!]!.length <= this.tokenBudget) end++;
      const run = order.slice(start, end);
      const vectors = await this.runBatch(run.map((i) => sequences[i]!));
      run.forEach((i, k) => (out[i] = vectors[k]!));
      start = end;
      signal?.throwIfAborted();
    }
    return out;
  }

  private async runBatch(batch: readonly number[][]): Promise<Float32Array[]> {
    const longest = Math.max(...batch.map((ids) => ids.length));
    const ids = new BigInt64Array(batch.length * longest); // zeros = <pad>
    const mask = new BigInt64Array(batch.length * longest);
    batch.forEach((sequence, b) => {
      sequence.forEach((id, s) => {
        ids[b * longest + s] = BigInt(id);
        mask[b * longest + s] = 1n;
      });
    });
    const dims = [batch.length, longest];
    const result = await this.session.run({ input_ids: new Tensor('int64', ids, dims), attention_mask: new Tensor('int64', mask, dims) });
    const hiddenTensor = result.last_hidden_state;
    if (hiddenTensor === undefined) throw new Error('onnxruntime returned no last_hidden_state');
    const hidden = hiddenTensor.data as Float32Array;
    const d = this.config.d_model;
    try {
      return batch.map((sequence, b) => {
        // Mean over real tokens only (</s> included, as sentence-transformers' mean pooling does).
        const pooled = new Float64Array(d);
        for (let s = 0; s < sequence.length; s++) {
          const base = (b * longest + s) * d;
          for (let c = 0; c < d; c++) pooled[c]! += hidden[base + c]!;
        }
        for (let c = 0; c < d; c++) pooled[c]! /= sequence.length;
        return normalize(this.project(pooled));
      });
    } finally {
      hiddenTensor.dispose();
    }
  }

  private project(pooled: Float64Array): Float64Array {
    const p = this.projection;
    if (p === null) return pooled;
    const y = new Float64Array(p.outputDimension);
    for (let o = 0; o < p.outputDimension; o++) {
      let sum = 0;
      const row = o * p.inputDimension;
      for (let i = 0; i < p.inputDimension; i++) sum += p.weights[row + i]! * pooled[i]!;
      y[o] = sum;
    }
    return y;
  }

  async close(): Promise<void> {
    await this.session.release();
  }
}

function normalize(v: Float64Array): Float32Array {
  let squared = 0;
  for (const x of v) squared += x * x;
  if (!(squared > 0) || !Number.isFinite(squared)) throw new Error('encoder produced a zero or non-finite vector');
  const scale = 1 / Math.sqrt(squared);
  return Float32Array.from(v, (x) => x * scale);
}
