import { z } from 'zod';

/** Fields several stages' jobs share. */
export const Id = z.string().min(1).max(128);

/** Which event a job serves: stages order mutations by occurredAt (canonical UTC, see graph.ts). */
export const EventRef = { eventId: Id, occurredAt: z.string().min(1) };

/** Vectors travel as base64 of little-endian float32: a quarter of the size of JSON numbers. */
export const VectorBase64 = z.string().min(1);

/** A vector with the encoder (vector space) it belongs to. */
export const EncodedVector = { encoder: z.string().min(1), dimension: z.number().int().positive(), vector: VectorBase64 };
