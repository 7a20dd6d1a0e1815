import { readFile } from 'node:fs/promises';
import { join } from 'node:path';

export type FeedForwardProj = 'relu' | 'gated-gelu';

/** The T5Config fields the encoder graph depends on (Hugging Face names, so a real export's config.json reads the same way). */
export interface T5Config {
  readonly d_model: number;
  readonly d_kv: number;
  readonly d_ff: number;
  readonly num_layers: number;
  readonly num_heads: number;
  readonly vocab_size: number;
  readonly relative_attention_num_buckets: number;
  readonly relative_attention_max_distance: number;
  readonly feed_forward_proj: FeedForwardProj;
  readonly layer_norm_epsilon: number;
  readonly pad_token_id: number;
  readonly eos_token_id: number;
}

const NUMERIC_FIELDS = [
  'd_model', 'd_kv', 'd_ff', 'num_layers', 'num_heads', 'vocab_size',
  'relative_attention_num_buckets', 'relative_attention_max_distance', 'layer_norm_epsilon',
  'pad_token_id', 'eos_token_id',
] as const;

/** Reads and checks `<dir>/config.json`; real HF configs carry many more fields, which are ignored. */
export async function readT5Config(dir: string): Promise<T5Config> {
  const file = join(dir, 'config.json');
  const raw: unknown = JSON.parse(await readFile(file, 'utf8'));
  if (typeof raw !== 'object' || raw === null) throw new Error(`${file}: not a JSON object`);
  const record = raw as Record<string, unknown>;
  for (const field of NUMERIC_FIELDS) {
    if (typeof record[field] !== 'number' || !Number.isFinite(record[field])) {
      throw new Error(`${file}: "${field}" is missing or not a number`);
    }
  }
  // Real t5-base / t5-large configs say "relu"; t5 v1.1, flan-t5 and sentence-t5 variants say "gated-gelu".
  const proj = record.feed_forward_proj ?? 'relu';
  if (proj !== 'relu' && proj !== 'gated-gelu') throw new Error(`${file}: unsupported feed_forward_proj ${JSON.stringify(proj)}`);
  return { ...(record as unknown as T5Config), feed_forward_proj: proj };
}
