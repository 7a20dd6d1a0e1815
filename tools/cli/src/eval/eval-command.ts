import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type Command, InvalidArgumentError, Option } from 'commander';
import { FOLD_NAMES } from '@coldstart/goodbooks';
import { numberOption } from '@coldstart/ops';
import { loadConfig } from '../config.js';
import { EVAL_EXPANDERS } from './eval-expanders.js';
import { renderEvalHtml } from './render-eval-html.js';
import { PROTOCOL_NAMES } from './eval-protocol.js';
import { runEval, type EvalOptions } from './run-eval.js';

/** The eval's own options as commander hands them over, plus where to write the outputs. */
type EvalCommandOptions = Pick<EvalOptions, 'fold' | 'data' | 'k' | 'users' | 'expanders' | 'encoders' | 'seed' | 'protocol'> & {
  out?: string;
  dump?: string;
  json?: boolean;
};

const wholeNumber = (min: number) => numberOption(`must be a whole number >= ${min}`, { integer: true, min });
const list = (value: string) => value.split(',').map((v) => v.trim()).filter((v) => v.length > 0);

/** `coldstart eval`: offline accuracy of the production pipeline against baselines on a goodbooks fold or a team's own export. */
export function registerEvalCommand(program: Command): void {
  program
    .command('eval')
    .description('measure the production pipeline (expander → encoder → index → ranking) on a goodbooks fold or your own export against baselines and a warm CF reference')
    .addOption(new Option('--fold <fold>', 'goodbooks fold (c is held out: tune on a and b)').choices(FOLD_NAMES).conflicts('data'))
    .addOption(new Option('--data <dir>', 'your own export instead of a fold: DIR/items.jsonl (item.upserted bodies) and DIR/interactions.csv (userId,itemId,rating,occurredAt in time order)').conflicts('fold'))
    .option('--k <n>', 'list length', wholeNumber(1), 10)
    .option('--users <n>', 'evaluate only the first N test users', wholeNumber(1))
    .option('--expanders <names>', `comma-separated: ${Object.keys(EVAL_EXPANDERS).join(', ')}`, list, ['catalog', 'seed-only'])
    .option('--encoders <ids>', 'comma-separated registry encoder ids', list, ['wink-glove-100d'])
    .option('--seed <n>', 'seed of the user split, random baseline and bootstrap', wholeNumber(0), 42)
    .addOption(
      new Option('--protocol <name>', 'cold-start users (a seed book), brand-new books, signups naming only a category, or the curve from signup to 5 interactions')
        .choices(PROTOCOL_NAMES)
        .default('cold-start'),
    )
    .option('--out <file>', 'write a self-contained HTML report')
    .option('--dump <file>', 'write one JSON line per user and system: {"system","userId","seedItem","items"} (category-only: "category" for "seedItem"; warming: the sent interactions as "seen")')
    .option('--json', 'print the metrics as JSON instead of a table')
    .action(async (options: EvalCommandOptions) => {
      const unknown = options.expanders.filter((name) => !Object.hasOwn(EVAL_EXPANDERS, name));
      if (unknown.length > 0) throw new InvalidArgumentError(`unknown expanders: ${unknown.join(', ')}`);
      if (options.fold === undefined && options.data === undefined) throw new InvalidArgumentError('give a goodbooks fold (--fold) or an export directory (--data)');
      const config = loadConfig();
      const { report, dump, samples } = await runEval({
        ...(options.fold !== undefined ? { fold: options.fold } : {}),
        ...(options.data !== undefined ? { data: options.data } : {}),
        k: options.k,
        ...(options.users !== undefined ? { users: options.users } : {}),
        expanders: options.expanders,
        encoders: options.encoders,
        seed: options.seed,
        protocol: options.protocol,
        modelsDir: join(config.COLDSTART_STATE_DIR, 'models'),
        redisUrl: config.REDIS_URL,
        progress: process.stderr,
      });
      if (options.dump) await writeFile(options.dump, dump.map((line) => JSON.stringify(line)).join('\n') + '\n');
      if (options.out) await writeFile(options.out, renderEvalHtml(report, samples));
      if (options.json) {
        console.log(JSON.stringify(report));
        return;
      }
      console.log(`${report.fold !== undefined ? `fold ${report.fold}` : report.data}, ${report.protocol}, ${report.users} test users, K = ${report.k}`);
      const ci = ([lo, hi]: [number, number]) => `[${lo.toFixed(3)}, ${hi.toFixed(3)}]`;
      const width = Math.max(34, ...report.systems.map((s) => s.name.length));
      for (const s of report.systems) {
        console.log(
          `${s.name.padEnd(width)} ${s.kind.padEnd(9)} NDCG ${s.ndcg.toFixed(3)} ${ci(s.ndcgCi)}  Recall ${s.recall.toFixed(3)} ${ci(s.recallCi)}  Hit ${s.hitRate.toFixed(3)}  cov ${s.coverage.toFixed(3)}  div ${s.diversity.toFixed(3)}  nov ${s.novelty.toFixed(2)}`,
        );
      }
    });
}
