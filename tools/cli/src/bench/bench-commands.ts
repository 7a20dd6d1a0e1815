import type { Command } from 'commander';
import { positiveIntListOption, positiveIntOption } from '@coldstart/ops';
import type { CliConfig } from '../config.js';
import { registerBenchLlmCommand } from '../sizing/sizing-commands.js';
import { registerBenchImportCommand } from './bench-import.js';
import { registerBenchIndexCommand } from './bench-index.js';
import { registerBenchPipelineCommand } from './bench-pipeline.js';
import { registerBenchPlacementCommand } from './bench-placement.js';
import { registerBenchServedCommand } from './bench-served.js';
import { runBenchEmbed } from './run-bench-embed.js';

function registerBenchEmbedCommand(bench: Command, loadConfig: () => CliConfig): void {
  bench
    .command('embed')
    .description('encoder throughput and latency per micro-batch size on the catalog\'s item texts')
    .requiredOption('--encoder <id>', 'a registry encoder id, e.g. t5-base-fixture or wink-glove-100d')
    .option('--batch <sizes>', 'comma-separated batch sizes', positiveIntListOption, [1, 8, 32])
    .option('--texts <n>', 'texts per batch size', positiveIntOption, 256)
    .option('--threads <n>', 'onnxruntime intra-op threads (default: one per core)', positiveIntOption)
    .option('--json', 'print {"encoder", "results": [{"batch", "textsPerSec", "p50Ms", "p99Ms"}]}')
    .action(async (options: { encoder: string; batch: number[]; texts: number; threads?: number; json?: boolean }) => {
      const report = await runBenchEmbed(loadConfig(), { encoder: options.encoder, batches: options.batch, texts: options.texts, ...(options.threads ? { threads: options.threads } : {}) });
      if (options.json) {
        console.log(JSON.stringify(report));
        return;
      }
      const base = report.results[0]?.textsPerSec ?? 0;
      console.log(`${report.encoder}: ${report.texts} catalog texts per batch size`);
      for (const r of report.results) {
        console.log(`  batch ${String(r.batch).padStart(4)}  ${r.textsPerSec.toFixed(1).padStart(8)} texts/s (${(r.textsPerSec / base).toFixed(2)}× batch ${report.results[0]?.batch})  p50 ${r.p50Ms} ms  p99 ${r.p99Ms} ms`);
      }
    });
}

/** `coldstart bench embed|llm|index|pipeline|import`: figures measured in one run. */
export function registerBenchCommands(program: Command, loadConfig: () => CliConfig): void {
  const bench = program.command('bench').description('benchmarks that print figures measured in one run');
  registerBenchEmbedCommand(bench, loadConfig);
  // Sizing the LLM deployment (sizing/): bench llm against an OpenAI-compatible server, then `plan`.
  registerBenchLlmCommand(bench);
  // FAISS index: our wrapper against raw faiss-node on the same index and queries.
  registerBenchIndexCommand(bench, loadConfig);
  // The pipeline against a sequential baseline, with the expansion cache defeated.
  registerBenchPipelineCommand(bench, loadConfig);
  // `interactions import` into the index pool, and again (nothing changes).
  registerBenchImportCommand(bench, loadConfig);
  registerBenchServedCommand(bench, loadConfig);
  // Content → behaviour placement: fit time and memory, and placing new items, as the catalog grows.
  registerBenchPlacementCommand(bench);
}
