import { randomBytes } from 'node:crypto';
import { rename, rm, stat } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { loadEncoder, MANIFEST_FILE, resolveEncoderSpec, type Encoder, type LoadEncoderOptions, type T5FixtureSize } from '@coldstart/embeddings';
import { catalogTexts } from './catalog-texts.js';
import { generateT5Fixture } from './generate-fixture.js';

/** The texts a fixture's tokenizer vocabulary is built from; default: the shipped goodbooks catalog. */
export type VocabularyTexts = () => Promise<Iterable<string>>;

async function exists(path: string): Promise<boolean> {
  return stat(path).then(() => true, () => false);
}

const fixturesInProgress = new Map<string, Promise<string>>();

/** Where a fixture goes, its id and size, and the texts its vocabulary is built from. */
type FixtureArgs = [modelsDir: string, id: string, size: T5FixtureSize, vocabularyTexts: VocabularyTexts];

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

/**
 * What the development tools do before anything loads encoder `id` from `modelsDir` (a pool
 * they start, or themselves): generate it there when it is a fixture. Other encoders come from
 * their exports or S3, as in production.
 */
export async function ensureEncoderFiles(id: string, modelsDir: string, vocabularyTexts: VocabularyTexts = catalogTexts): Promise<void> {
  const spec = resolveEncoderSpec(id);
  if (spec.files.from === 'fixture') await ensureFixture(resolve(modelsDir), spec.id, spec.files.size, vocabularyTexts);
}

/** `loadEncoder`, generating a fixture encoder's files first (on first use, in `<modelsDir>/<id>/`). */
export async function loadEncoderWithFixtures(id: string, options: LoadEncoderOptions & { vocabularyTexts?: VocabularyTexts } = {}): Promise<Encoder> {
  const { vocabularyTexts, ...loadOptions } = options;
  if (loadOptions.modelsDir !== undefined && loadOptions.modelsDir !== '') await ensureEncoderFiles(id, loadOptions.modelsDir, vocabularyTexts);
  return loadEncoder(id, loadOptions);
}
