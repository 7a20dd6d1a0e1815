/**
 * One entry of the behaviour log. The writer decides everything that depends on a user's
 * history (is this the first time they liked the item? which of their earlier likes does it
 * co-occur with?) and writes the answer into the entry, so a replica needs no user state: it
 * holds memory in proportion to the catalog, not to the users.
 */
export type BehaviourEntry =
  | {
      kind: 'like';
      itemId: string;
      userId: string;
      /** When the interaction happened (ms since the epoch): popularity decays from it. */
      atMs: number;
      /** The user's earlier likes it co-occurs with, newest first (at most BEHAVIOUR_HISTORY_ITEMS). */
      partners: string[];
      /** The item's (normalised) categories when it was liked, for popularity per category. */
      categories: string[];
    }
  | { kind: 'forget'; itemId: string };

/** The stream fields of an entry, as the writer's script appends them. */
export function decodeBehaviourEntry(fields: readonly string[]): BehaviourEntry {
  const values = new Map<string, string>();
  for (let i = 0; i + 1 < fields.length; i += 2) values.set(fields[i] as string, fields[i + 1] as string);
  const kind = values.get('kind');
  const itemId = values.get('item');
  if (!itemId) throw new Error(`behaviour log entry without an item: ${JSON.stringify(fields)}`);
  if (kind === 'forget') return { kind, itemId };
  if (kind !== 'like') throw new Error(`behaviour log entry of unknown kind ${JSON.stringify(kind)}`);
  return {
    kind,
    itemId,
    userId: values.get('user') ?? '',
    atMs: Number(values.get('at') ?? 0),
    partners: parseList(values.get('partners')),
    categories: parseList(values.get('categories')),
  };
}

function parseList(json: string | undefined): string[] {
  if (!json) return [];
  const parsed: unknown = JSON.parse(json);
  return Array.isArray(parsed) ? parsed.filter((x): x is string => typeof x === 'string') : [];
}
