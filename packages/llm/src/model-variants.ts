import { createHash } from 'node:crypto';
import { z } from 'zod';
import { PROMPT_TEMPLATES } from './prompt-templates.js';

/** How the request asks for JSON: servers without structured outputs need `json_object` or `plain`. */
export const ResponseFormatMode = z.enum(['json_schema', 'json_object', 'plain']);
export type ResponseFormatMode = z.infer<typeof ResponseFormatMode>;

const VARIANT_NAME = /^[a-z0-9][a-z0-9._-]{0,63}$/;

/**
 * One model served somewhere, with its request parameters: the unit an experiment compares.
 * `max_tokens` defaults to 128 because five short topics as JSON take ~40 tokens and a model
 * may open with a `<think>` block; the published notebook's 16 truncated every answer.
 */
export const ModelVariant = z
  .object({
    baseUrl: z.url({ protocol: /^https?$/ }),
    model: z.string().min(1).max(200),
    /** Name of the environment variable holding this server's API key (vLLM's --api-key); none → "unused". */
    apiKeyEnv: z.string().regex(/^[A-Z_][A-Z0-9_]*$/).optional(),
    promptVersion: z.string().refine((v) => v in PROMPT_TEMPLATES, { message: `must be one of ${Object.keys(PROMPT_TEMPLATES).join(', ')}` }).default('published-v1'),
    system: z.string().max(4_000).optional(),
    temperature: z.number().min(0).max(2).default(0),
    maxTokens: z.number().int().min(16).max(4_096).default(128),
    responseFormat: ResponseFormatMode.default('json_schema'),
    /** Share of the experiment's users (relative to the other variants' weights). */
    weight: z.number().min(0).max(1_000).default(1),
  })
  .strict();
export type ModelVariant = z.infer<typeof ModelVariant>;
export type ModelVariantInput = z.input<typeof ModelVariant>;

/**
 * An arm of the experiment without an LLM: the catalog expander alone, or no expansion at all
 * (`seed-only`: the list from the user's seeds, behaviour and categories). It is the control a
 * team compares its models against, and what `coldstart simulate --variants catalog,seed-only`
 * runs; the names are those `coldstart eval --expanders` takes.
 */
export const BASELINE_EXPANDERS = ['catalog', 'seed-only'] as const;
export const ExpanderArm = z
  .object({
    expander: z.enum(BASELINE_EXPANDERS),
    weight: z.number().min(0).max(1_000).default(1),
  })
  .strict();
export type ExpanderArm = z.infer<typeof ExpanderArm>;

export const ExperimentVariant = z.union([ModelVariant, ExpanderArm]);
export type ExperimentVariant = z.infer<typeof ExperimentVariant>;

/** True for a variant that calls a model (not a baseline arm). */
export const isModelVariant = (variant: ExperimentVariant): variant is ModelVariant => 'baseUrl' in variant;

export const ModelVariants = z
  .record(z.string().regex(VARIANT_NAME, 'variant names are lowercase letters, digits, ".", "_" and "-"'), ExperimentVariant)
  .refine((variants) => Object.keys(variants).length > 0, { message: 'at least one variant is needed' })
  .refine((variants) => Object.values(variants).some((v) => v.weight > 0), { message: 'at least one variant needs a weight above 0' });
export type ModelVariants = z.infer<typeof ModelVariants>;

/** A stable number in [0, 1) for (experiment, user): the same user lands in the same variant on every process and every day. */
export function stableUnitHash(experiment: string, userId: string): number {
  const digest = createHash('sha256').update(`${experiment}\u0000${userId}`).digest();
  return digest.readUIntBE(0, 6) / 2 ** 48;
}

/**
 * The variant of a user in an experiment: weighted by the variants' weights, in name order so
 * the assignment does not depend on the order the configuration listed them. Adding a variant
 * moves some users; renaming the experiment reshuffles all of them.
 */
export function assignVariant(variants: ModelVariants, experiment: string, userId: string): string {
  const names = Object.keys(variants).sort();
  const total = names.reduce((sum, name) => sum + (variants[name]?.weight ?? 0), 0);
  let point = stableUnitHash(experiment, userId) * total;
  for (const name of names) {
    const weight = variants[name]?.weight ?? 0;
    if (point < weight) return name;
    point -= weight;
  }
  // Only reachable through floating-point rounding at the very top of the range.
  return names.filter((name) => (variants[name]?.weight ?? 0) > 0).at(-1) ?? names[0]!;
}
