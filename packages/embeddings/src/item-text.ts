/** What an item says about itself, as `item.upserted` carries it. */
export interface ItemTextFields {
  title: string;
  authors?: readonly string[] | null | undefined;
  categories?: readonly string[] | null | undefined;
  description?: string | null | undefined;
}

/**
 * The text an item is embedded from: what a reader sees of it, most telling first. The one
 * definition the embed pool (through the item flow), `eval` and `bench embed` all use, so an
 * encoder is measured on the text it is served.
 */
export function itemEmbeddingText(item: ItemTextFields): string {
  const parts = [item.title.trim()];
  if (item.authors?.length) parts.push(`by ${item.authors.join(', ')}`);
  if (item.categories?.length) parts.push(item.categories.join(', '));
  if (item.description?.trim()) parts.push(item.description.trim());
  return parts.join('. ');
}
