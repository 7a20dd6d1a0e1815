export interface SeedItem {
  itemId: string;
  title: string;
  categories: string[];
}

export interface ExpansionInput {
  userId: string;
  /** Interest categories the user gave at signup. */
  categories: string[];
  /** Items the user named at signup that the catalog knows. */
  seedItems: SeedItem[];
  locale?: string;
}

export interface ExpansionResult {
  /** 1-5 topics, most important first; 3-5 whenever the input supports that many. */
  topics: string[];
  /** `none`: a `seed-only` arm of an experiment, which expands nothing by design. */
  source: 'catalog' | 'llm' | 'cache' | 'fallback' | 'none';
  /** The expander's id, recorded with every stored list. */
  expander: string;
  /** LLM expansions (and their fallbacks): the user's model variant, so variants can be compared on live traffic. */
  variant?: string;
  /** LLM expansions: the prompt template's version. */
  promptVersion?: string;
  /** The experiment the variant belongs to. */
  experiment?: string;
}

/** Turns the little a new user told us into a few topics to search the catalog with. */
export interface Expander {
  readonly id: string;
  expand(input: ExpansionInput, signal?: AbortSignal): Promise<ExpansionResult>;
}

/** Nothing to expand from: no categories, and no seed item the catalog knows (yet). */
export class NothingToExpandError extends Error {
  override readonly name = 'NothingToExpandError';

  constructor(
    message: string,
    /** The user's experiment variant, when an experiment assigned one: kept with the empty expansion so variants compare fairly. */
    readonly assignment?: { experiment: string; variant: string },
  ) {
    super(message);
  }
}
