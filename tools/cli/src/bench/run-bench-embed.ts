import { catalogTexts, loadEncoderWithFixtures } from '@coldstart/t5-fixtures';
import { modelsDir, type CliConfig } from '../config.js';
import { benchEmbed, type EmbedBenchReport } from './bench-embed.js';

export interface BenchEmbedOptions {
  encoder: string;
  batches: number[];
  texts: number;
  threads?: number;
}

/**
 * `coldstart bench embed`: the registry encoder on the shipped catalog's item texts (the same
 * texts the demo embeds), each batch size in turn, in one process.
 */
export async function runBenchEmbed(config: CliConfig, options: BenchEmbedOptions): Promise<EmbedBenchReport> {
  const encoder = await loadEncoderWithFixtures(options.encoder, {
    modelsDir: modelsDir(config),
    ...(options.threads ? { t5: { intraOpThreads: options.threads } } : {}),
  });
  const pool = [...(await catalogTexts())];
  const texts = Array.from({ length: options.texts }, (_, i) => pool[i % pool.length] as string);
  return benchEmbed(encoder, texts, options.batches);
}
