import type { ExpansionInput } from '@coldstart/expander';

export interface ChatMessage {
  role: 'system' | 'user' | 'assistant';
  content: string;
}

/** A rendered prompt, and the part of the input it depends on (the expansion cache's key). */
export interface RenderedPrompt {
  messages: ChatMessage[];
  /**
   * The input as the template sees it, normalised (lowercase, sorted, trimmed): two users whose
   * prompts would be identical share one key, so one LLM answer serves both.
   */
  cacheInput: string;
}

export interface PromptTemplate {
  /** Stored with every expansion, so a changed prompt never reuses an old prompt's answers. */
  readonly version: string;
  render(input: ExpansionInput, options?: { system?: string }): RenderedPrompt | undefined;
}

/** The prompt the approach was published with; `{category}` is what the user showed interest in. */
export const PUBLISHED_PROMPT =
  'The user has shown interest in: {category}.\nSuggest 3–5 related book topics they might enjoy.\nRespond with a JSON list of topic keywords.';

/** How many seed items' categories stand in for interests when the user named none. */
const SEED_CATEGORIES = 2;
const MAX_SEED_TITLES = 3;

/** A seed title is cut to this in the prompt: a title is a name, not instructions. */
const MAX_TITLE_CHARS = 200;

// User text reaches the prompt as data: control characters (C0, C1 such as NEL), bidi
// controls and chat-template tokens (`<|eot_id|>`, `[INST]`, `<s>`) are removed, so a title or
// an interest can neither start a line nor end the user's turn.
const CONTROL_OR_BIDI = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g;
const TEMPLATE_TOKEN = /<\|[^|<>]{0,40}\|>|\[\/?INST\]|<\/?s>|<\/?think>/gi;

const normalise = (text: string) => text.normalize('NFKC').replace(CONTROL_OR_BIDI, ' ').replace(TEMPLATE_TOKEN, ' ').replace(/\s+/g, ' ').trim();
const distinctSorted = (values: readonly string[]) => [...new Set(values.map((v) => normalise(v).toLowerCase()).filter(Boolean))].sort();

/**
 * The user's interests as the published prompt names them: the categories they chose, or, when
 * they chose none, the leading categories of the items they named. Sorted and lowercased so the
 * same interests always give the same prompt (and one cache entry).
 */
export function interestsOf(input: ExpansionInput): string[] {
  const chosen = distinctSorted(input.categories);
  if (chosen.length > 0) return chosen;
  return distinctSorted(input.seedItems.flatMap((seed) => seed.categories.slice(0, SEED_CATEGORIES)));
}

const withSystem = (system: string | undefined, user: string): ChatMessage[] =>
  system ? [{ role: 'system', content: system }, { role: 'user', content: user }] : [{ role: 'user', content: user }];

/**
 * `published-v1`: the published prompt word for word, with the interests joined into
 * `{category}`. Seed titles and locale do not enter it, so users with the same interests share
 * one answer — what makes the cache pay (fold a's 18 806 signups have 15 distinct genres).
 */
export const publishedV1: PromptTemplate = {
  version: 'published-v1',
  render(input, options) {
    const interests = interestsOf(input);
    if (interests.length === 0) return undefined;
    return {
      messages: withSystem(options?.system, PUBLISHED_PROMPT.replace('{category}', interests.join(', '))),
      cacheInput: `interests=${interests.join('|')}`,
    };
  },
};

/**
 * `contextual-v1`: the published prompt plus the seed items' titles and the user's locale
 * (topics in the user's language). More specific, so it caches less: measure both with the eval.
 */
export const contextualV1: PromptTemplate = {
  version: 'contextual-v1',
  render(input, options) {
    const interests = interestsOf(input);
    const titles = [...new Set(input.seedItems.map((seed) => normalise(seed.title).slice(0, MAX_TITLE_CHARS)).filter(Boolean))].sort().slice(0, MAX_SEED_TITLES);
    if (interests.length === 0 && titles.length === 0) return undefined;
    const locale = input.locale ? normalise(input.locale).toLowerCase() : '';
    const lines = [
      `The user has shown interest in: ${interests.length > 0 ? interests.join(', ') : 'books like the ones below'}.`,
      // JSON strings: a quote inside a title is escaped, so it cannot close its own string.
      ...(titles.length > 0 ? [`Books they named: ${titles.map((t) => JSON.stringify(t)).join('; ')}.`] : []),
      'Suggest 3–5 related book topics they might enjoy.',
      ...(locale && !locale.startsWith('en') ? [`Write the topics in the language of the locale ${locale}.`] : []),
      'Respond with a JSON list of topic keywords.',
    ];
    return {
      messages: withSystem(options?.system, lines.join('\n')),
      cacheInput: `interests=${interests.join('|')};titles=${titles.join('|').toLowerCase()};locale=${locale}`,
    };
  },
};

export const PROMPT_TEMPLATES: Readonly<Record<string, PromptTemplate>> = {
  [publishedV1.version]: publishedV1,
  [contextualV1.version]: contextualV1,
};

export function promptTemplate(version: string): PromptTemplate {
  const template = PROMPT_TEMPLATES[version];
  if (!template) throw new Error(`unknown prompt template "${version}"; known: ${Object.keys(PROMPT_TEMPLATES).join(', ')}`);
  return template;
}

/** Asked once when an answer held fewer than three usable topics. */
export const REPAIR_PROMPT =
  'Your answer could not be used. Reply with only a JSON array of 3 to 5 short book topic keywords, for example ["space opera", "first contact", "time travel"].';
