import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type Command, InvalidArgumentError, Option } from 'commander';
import { FOLD_NAMES } from '@coldstart/goodbooks';
import { numberOption } from '@coldstart/ops';
import { loadConfig } from '../config.js';
import { EVAL_EXPANDERS } from './eval-expanders.js';
import { renderEvalHtml } from './render-eval-html.js';
import { runEval, type EvalOptions } from './run-eval.js';

/** The eval's own options as commander hands them over, plus where to write the outputs. */
type EvalCommandOptions = Pick<EvalOptions, 'fold' | 'k' | 'users' | 'expanders' | 'encoders' | 'seed' | 'protocol'> & {
  out?: string;
  dump?: string;
  json?: boolean;
};

const wholeNumber = (min: number) => numberOption(`must be a whole number >= ${min}`, { integer: true, min });
const list = (value: string) => value.split(',').map((v) => v.trim()).filter((v) => v.length > 0);

/** `coldstart eval`: offline accuracy of the production pipeline against baselines on a goodbooks fold. */
export function registerEvalCommand(program: Command): void {
  program
    .command('eval')
    .description('measure the production pipeline (expander → encoder → index → ranking) on a goodbooks fold against baselines and a warm CF reference')
    .addOption(new Option('--fold <fold>', 'goodbooks fold (c is held out: tune on a and b)').choices(FOLD_NAMES).makeOptionMandatory())
    .option('--k <n>', 'list length', wholeNumber(1), 10)
    .option('--users <n>', 'evaluate only the first N test users', wholeNumber(1))
    .option('--expanders <names>', `comma-separated: ${Object.keys(EVAL_EXPANDERS).join(', ')}`, list, ['catalog', 'seed-only'])
    .option('--encoders <ids>', 'comma-separated registry encoder ids', list, ['wink-glove-100d'])
    .option('--seed <n>', 'seed of the user split, random baseline and bootstrap', wholeNumber(0), 42)
    .addOption(new Option('--protocol <name>', 'cold-start users, or brand-new books').choices(['cold-start', 'new-items']).default('cold-start'))
    .option('--out <file>', 'write a self-contained HTML report')
    .option('--dump <file>', 'write one JSON line per user and system: {"system","userId","seedItem","items"}')
    .option('--json', 'print the metrics as JSON instead of a table')
    .action(async (options: EvalCommandOptions) => {
      const unknown = options.expanders.filter((name) => !Object.hasOwn(EVAL_EXPANDERS, name));
      if (unknown.length > 0) throw new InvalidArgumentError(`unknown expanders: ${unknown.join(', ')}`);
      const config = loadConfig();
      const { report, dump, samples } = await runEval({
        fold: options.fold,
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
      console.log(`fold ${report.fold}, ${report.protocol}, ${report.users} test users, K = ${report.k}`);
      const ci = ([lo, hi]: [number, number]) => `[${lo.toFixed(3)}, ${hi.toFixed(3)}]`;
      for (const s of report.systems) {
        console.log(
          `${s.name.padEnd(34)} ${s.kind.padEnd(9)} NDCG ${s.ndcg.toFixed(3)} ${ci(s.ndcgCi)}  Recall ${s.recall.toFixed(3)} ${ci(s.recallCi)}  Hit ${s.hitRate.toFixed(3)}  cov ${s.coverage.toFixed(3)}  div ${s.diversity.toFixed(3)}  nov ${s.novelty.toFixed(2)}`,
        );
      }
    });
}
