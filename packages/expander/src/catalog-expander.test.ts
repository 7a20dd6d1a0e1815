import { describe, expect, it, vi } from 'vitest';
import { CatalogExpander, categoryStatsOf, NothingToExpandError } from './index.js';

const catalog = categoryStatsOf([
  ['fiction', 'science-fiction', 'space-opera', 'adventure'],
  ['fiction', 'science-fiction', 'dystopian', 'young-adult'],
  ['fiction', 'science-fiction', 'cyberpunk'],
  ['fiction', 'science-fiction', 'space-opera'],
  ['fiction', 'fantasy', 'adventure', 'young-adult'],
  ['fiction', 'romance', 'contemporary'],
  ['nonfiction', 'history', 'war'],
  ['nonfiction', 'biography-memoir', 'history'],
]);

describe('CatalogExpander', () => {
  it('puts the user interest first and ranks co-occurring categories after it', async () => {
    const expander = new CatalogExpander({ categoryStats: async () => catalog });
    const result = await expander.expand({ userId: 'u', categories: ['Science-Fiction '], seedItems: [] });
    expect(result.source).toBe('catalog');
    expect(result.topics[0]).toBe('science-fiction');
    expect(result.topics[1]).toBe('space-opera');
    expect(result.topics).toHaveLength(5);
    expect(result.topics).not.toContain('romance');
    // In every item: says nothing about taste.
    expect(result.topics).not.toContain('fiction');
  });

  it('uses the seed items categories when no category is given', async () => {
    const expander = new CatalogExpander({ categoryStats: async () => catalog });
    const result = await expander.expand({
      userId: 'u',
      categories: [],
      seedItems: [{ itemId: 'b', title: 'A war memoir', categories: ['biography-memoir', 'history'] }],
    });
    expect(result.topics.slice(0, 2)).toEqual(['biography-memoir', 'history']);
    expect(result.topics).toContain('war');
  });

  it('returns at least the user own topics when the catalog knows nothing related', async () => {
    const expander = new CatalogExpander({ categoryStats: async () => categoryStatsOf([]) });
    const result = await expander.expand({ userId: 'u', categories: ['poetry', 'haiku', 'sonnets', 'odes'], seedItems: [] });
    expect(result.topics).toEqual(['poetry', 'haiku', 'sonnets', 'odes']);
  });

  it('refuses an input with nothing to expand', async () => {
    const expander = new CatalogExpander({ categoryStats: async () => catalog });
    await expect(expander.expand({ userId: 'u', categories: [' '], seedItems: [] })).rejects.toBeInstanceOf(NothingToExpandError);
  });

  it('reads the statistics once per refresh interval, shared by concurrent calls', async () => {
    let now = 0;
    const categoryStats = vi.fn(async () => catalog);
    const expander = new CatalogExpander({ categoryStats }, { refreshMs: 1000 }, () => now);
    await Promise.all([1, 2, 3].map(() => expander.expand({ userId: 'u', categories: ['war'], seedItems: [] })));
    expect(categoryStats).toHaveBeenCalledTimes(1);
    now = 1001;
    await expander.expand({ userId: 'u', categories: ['war'], seedItems: [] });
    expect(categoryStats).toHaveBeenCalledTimes(2);
  });
});
