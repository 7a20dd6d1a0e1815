import type { ColdstartEvent, ItemDeleted, ItemUpserted, UserInteraction, UserSignup } from './event-schemas.js';

// One valid body per event type. The README shows these verbatim and tests build their
// invalid cases by changing one field of them, so they must stay valid.
// Item ids "gb-<n>" are goodbooks-10k book_ids (1 = The Hunger Games, 2 = Harry Potter and
// the Sorcerer's Stone, 7 = The Hobbit); a brand-new book gets an id outside that range.

export const userSignupExample: UserSignup = {
  schemaVersion: 1,
  type: 'user.signup',
  eventId: '0b6f4a52-3c1e-4d8a-9f27-5e1c2d7a9b01',
  occurredAt: '2025-03-14T09:26:53Z',
  userId: 'user-5f2c81d0',
  interests: {
    categories: ['fantasy', 'young-adult', 'classics'],
    items: [
      { itemId: 'gb-7', rating: 5 },
      { itemId: 'gb-2', rating: 4 },
      { itemId: 'gb-1' },
    ],
  },
  locale: 'en-GB',
};

export const userInteractionExample: UserInteraction = {
  schemaVersion: 1,
  type: 'user.interaction',
  eventId: '7d3e9c10-8a4b-4f61-b2d5-0c9e1f3a6b72',
  occurredAt: '2025-03-14T10:02:11.482+01:00',
  userId: 'user-5f2c81d0',
  itemId: 'gb-10',
  rating: 5,
  recommendationId: 'rec_3f9a0c51d2e84b7a6c1d0e92',
};

export const itemUpsertedExample: ItemUpserted = {
  schemaVersion: 1,
  type: 'item.upserted',
  eventId: 'c41a7e25-6f0d-4b9c-8e13-2d5b7a0f9c48',
  occurredAt: '2025-03-15T16:40:00-05:00',
  itemId: 'book-piranesi-2020',
  title: 'Piranesi',
  authors: ['Susanna Clarke'],
  description:
    'A man lives alone in a vast House of endless halls lined with statues, where tides surge ' +
    'through the lower rooms. He keeps careful journals, visits the one other living person ' +
    'twice a week, and slowly realises his own records do not agree with what he remembers.',
  categories: ['fantasy', 'literary-fiction', 'mystery'],
  attributes: {
    language: 'en',
    pages: 272,
    publicationYear: 2020,
    publisher: 'Bloomsbury',
    partOfSeries: false,
  },
};

export const itemDeletedExample: ItemDeleted = {
  schemaVersion: 1,
  type: 'item.deleted',
  eventId: 'e8b2d6f4-1a3c-4e57-9d08-6b4f2c1e7a93',
  occurredAt: '2025-03-16T08:00:00Z',
  itemId: 'gb-3',
};

/** The examples above, one per event type, in EVENT_TYPES order. */
export const EVENT_EXAMPLES: readonly ColdstartEvent[] = [
  userSignupExample,
  userInteractionExample,
  itemUpsertedExample,
  itemDeletedExample,
];
