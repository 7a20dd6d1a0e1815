import { z } from 'zod';
import { parseIsoDateTime } from './iso-datetime.js';
import { freeText, idString } from './text-rules.js';

/** The only `schemaVersion` this package understands. */
export const SCHEMA_VERSION = 1;

/** SQS's own message size limit; bodies above it are rejected before any parsing. */
export const MAX_BODY_BYTES = 262_144;

/** Deeper JSON is rejected before JSON.parse; real events nest at most 4 levels. */
export const MAX_NESTING_DEPTH = 64;

export const EVENT_TYPES = ['user.signup', 'user.interaction', 'item.upserted', 'item.deleted'] as const;
export type EventType = (typeof EVENT_TYPES)[number];

// Optional fields may be absent or null: many producers serialise an absent field as null,
// and refusing those would drop valid events.
// Bounds are part of the published contract (see README.md). Counts are generous for
// real books but keep one event's work (embedding text, index writes) small and bounded.
// String lengths are UTF-16 code units.
export const EVENT_LIMITS = {
  idLength: 128,
  localeLength: 35,
  signupCategories: 20,
  signupItems: 50,
  categoryLength: 200,
  titleLength: 1000,
  authors: 50,
  authorLength: 200,
  itemCategories: 50,
  descriptionLength: 20_000,
  attributes: 100,
  attributeKeyLength: 128,
  attributeStringLength: 1000,
} as const;

const L = EVENT_LIMITS;

const Id = idString(L.idLength);

const OccurredAt = z.string().refine((value) => parseIsoDateTime(value) !== undefined, {
  error: 'must be an ISO-8601 date-time with a zone (Z, ±hh:mm, ±hhmm or ±hh)',
});

const Rating = z
  .int()
  .min(1, { error: 'must be an integer 1–5' })
  .max(5, { error: 'must be an integer 1–5' });

// BCP-47-ish: a 2–8 letter language subtag, then alphanumeric subtags of up to 8
// characters ("en", "en-GB", "zh-Hant-TW", "es-419"), with POSIX-style underscores ("en_US")
// accepted too, as many producers send them. Full BCP-47 validation is not worth its weight
// here; this is a hint for ranking, not an identity.
const Locale = z
  .string()
  .max(L.localeLength, { error: `must be at most ${L.localeLength} characters`, abort: true })
  .regex(/^[A-Za-z]{2,8}(?:[-_][A-Za-z0-9]{1,8})*$/, {
    error: 'must be a language tag such as "en", "en-GB" or "en_GB" (letters, digits, hyphens or underscores)',
  });

const Category = freeText({ min: 1, max: L.categoryLength, blankAllowed: false });
const Author = freeText({ min: 1, max: L.authorLength, blankAllowed: false });

const AttributeKey = idString(L.attributeKeyLength);
const AttributeValue = z.union([
  freeText({ min: 0, max: L.attributeStringLength, blankAllowed: true }),
  z.number(),
  z.boolean(),
]);

function maxEntries(n: number) {
  return { error: `must have at most ${n} entries` };
}

/** An event's schema: the envelope every body shares, its own `type`, then its fields. */
function eventSchema<T extends EventType, S extends z.ZodRawShape>(type: T, fields: S) {
  return z.object({
    schemaVersion: z.literal(SCHEMA_VERSION),
    eventId: Id,
    occurredAt: OccurredAt,
    type: z.literal(type),
    ...fields,
  });
}

export const SignupInterestItem = z.object({
  itemId: Id,
  rating: Rating.nullish(),
});
export type SignupInterestItem = z.infer<typeof SignupInterestItem>;

export const SignupInterests = z
  .object({
    categories: z.array(Category).max(L.signupCategories, maxEntries(L.signupCategories)).nullish(),
    items: z.array(SignupInterestItem).max(L.signupItems, maxEntries(L.signupItems)).nullish(),
  })
  // A signup with no interests gives the recommender nothing to start from.
  .refine((i) => (i.categories?.length ?? 0) + (i.items?.length ?? 0) > 0, {
    error: 'needs at least one category or item',
  });
export type SignupInterests = z.infer<typeof SignupInterests>;

export const UserSignup = eventSchema('user.signup', {
  userId: Id,
  interests: SignupInterests,
  locale: Locale.nullish(),
});
export type UserSignup = z.infer<typeof UserSignup>;

export const UserInteraction = eventSchema('user.interaction', {
  userId: Id,
  itemId: Id,
  rating: Rating.nullish(),
  /** The list the item was picked from, as the API served it: the interaction is attributed to that list. */
  recommendationId: Id.nullish(),
});
export type UserInteraction = z.infer<typeof UserInteraction>;

export const ItemUpserted = eventSchema('item.upserted', {
  itemId: Id,
  title: freeText({ min: 1, max: L.titleLength, blankAllowed: false }),
  authors: z.array(Author).max(L.authors, maxEntries(L.authors)).nullish(),
  description: freeText({ min: 0, max: L.descriptionLength, blankAllowed: true }).nullish(),
  categories: z.array(Category).max(L.itemCategories, maxEntries(L.itemCategories)).nullish(),
  // Zod drops a "__proto__" key here rather than assigning it, so it cannot reach a prototype.
  attributes: z
    .record(AttributeKey, AttributeValue)
    .refine((a) => Object.keys(a).length <= L.attributes, {
      error: `must have at most ${L.attributes} keys`,
    })
    .nullish(),
});
export type ItemUpserted = z.infer<typeof ItemUpserted>;

export const ItemDeleted = eventSchema('item.deleted', { itemId: Id });
export type ItemDeleted = z.infer<typeof ItemDeleted>;

export const ColdstartEvent = z.discriminatedUnion('type', [
  UserSignup,
  UserInteraction,
  ItemUpserted,
  ItemDeleted,
]);
export type ColdstartEvent = z.infer<typeof ColdstartEvent>;

/** The schema for each event type, for callers that have already checked `type`. */
export const EVENT_SCHEMAS = {
  'user.signup': UserSignup,
  'user.interaction': UserInteraction,
  'item.upserted': ItemUpserted,
  'item.deleted': ItemDeleted,
} as const satisfies Record<EventType, z.ZodType>;
