import { z } from 'zod';

const Share = z.number().min(0).max(1);
const Ms = z.number().min(0);

export const LatencyProfile = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('fixed'), ms: Ms }).strict(),
  z
    .object({ kind: z.literal('uniform'), minMs: Ms, maxMs: Ms })
    .strict()
    .refine((l) => l.minMs <= l.maxMs, { message: 'minMs must not exceed maxMs' }),
  z
    .object({ kind: z.literal('lognormal'), p50Ms: z.number().positive(), p99Ms: z.number().positive() })
    .strict()
    .refine((l) => l.p50Ms <= l.p99Ms, { message: 'p50Ms must not exceed p99Ms' }),
]);
export type LatencyProfile = z.infer<typeof LatencyProfile>;

/** Malformed answers a real model gives; each is a share of all chat-completion requests. */
export const OUTPUT_FAULTS = ['garbage', 'fenced', 'prose', 'think', 'truncated'] as const;
export type OutputFault = (typeof OUTPUT_FAULTS)[number];

export const OutputFaults = z
  .object({
    /** Not topics at all: random words, or JSON that does not parse. */
    garbage: Share.default(0),
    /** The answer inside a ```json … ``` fence. */
    fenced: Share.default(0),
    /** A sentence before and after the answer. */
    prose: Share.default(0),
    /** `<think>…</think>` reasoning before the answer. */
    think: Share.default(0),
    /** Cut mid-list with finish_reason "length". */
    truncated: Share.default(0),
    /** Responses without `usage`; independent of the other faults, applied to whatever is answered. */
    omitUsage: Share.default(0),
  })
  .strict();
export type OutputFaults = z.infer<typeof OutputFaults>;

/**
 * The server's faults. Every share is of all chat-completion requests (after `cleanFirst`), and
 * errors, hangs and malformed outputs exclude one another, so their shares may sum to at most 1.
 * Defaults: no faults, no latency.
 */
export const FaultProfile = z
  .object({
    /** Added before every answer, errors included (a hang never answers). */
    latency: LatencyProfile.default({ kind: 'fixed', ms: 0 }),
    /** Share of requests answered with each HTTP status, e.g. {"500": 0.2, "429": 0.05}. */
    errors: z.record(z.string().regex(/^[45]\d\d$/, 'an HTTP error status, 400–599'), Share).default({}),
    /** Sent as Retry-After with injected 429s. */
    retryAfterSeconds: z.number().int().min(0).optional(),
    /** Share of requests never answered: the connection stays open until the client gives up. */
    hangShare: Share.default(0),
    outputs: OutputFaults.prefault({}),
    seed: z.number().int().default(1),
    /**
     * The first N requests are answered cleanly and start no fault pattern: `coldstart bench llm`
     * sends one uncounted warm-up request, and with `cleanFirst: 1` every measured level sees the
     * exact shares.
     */
    cleanFirst: z.number().int().min(0).default(0),
  })
  .strict()
  .superRefine((profile, ctx) => {
    const exclusive =
      Object.values(profile.errors).reduce((sum, share) => sum + share, 0) +
      profile.hangShare +
      OUTPUT_FAULTS.reduce((sum, fault) => sum + profile.outputs[fault], 0);
    // A little slack for decimal shares such as 0.1 + 0.2 + 0.7.
    if (exclusive > 1 + 1e-9) {
      ctx.addIssue({ code: 'custom', message: `errors, hangShare and output faults (omitUsage aside) add up to ${exclusive}, more than 1` });
    }
  });
export type FaultProfile = z.infer<typeof FaultProfile>;
/** What callers write: every field optional. */
export type FaultProfileInput = z.input<typeof FaultProfile>;
