import type { OutputFault } from './fault-profile.js';
import { estimateTokens, truncateToTokens } from './token-estimate.js';

export interface ModelOutput {
  content: string;
  finishReason: 'stop' | 'length';
}

// Words that are no goodbooks category, so garbage can never be mistaken for topics.
const NONSENSE = ['lantern', 'quietly', 'oboe', 'marmalade', 'seventeen', 'tangent', 'umbrella', 'velvet', 'whisker', 'zephyr', 'gravel', 'pickle', 'orbit', 'saffron', 'teapot', 'sprocket'];

function garbage(random: () => number): string {
  const words = Array.from({ length: 4 + Math.floor(random() * 5) }, () => NONSENSE[Math.floor(random() * NONSENSE.length)] ?? 'oboe');
  // Half plain words, half JSON that does not parse (bare words, the wrong closing bracket).
  if (random() < 0.5) return words.join(' ');
  return `[${words.map((w, i) => (i % 2 === 0 ? `"${w}"` : w)).join(', ')}}`;
}

/**
 * What a real model makes of the answer when it ignores the format: each form is one that
 * parsers of LLM output must survive (or reject) in production.
 */
export function malformOutput(form: OutputFault, answer: string, context: { interests: readonly string[]; random: () => number }): ModelOutput {
  switch (form) {
    case 'garbage':
      return { content: garbage(context.random), finishReason: 'stop' };
    case 'fenced':
      return { content: `\`\`\`json\n${answer}\n\`\`\``, finishReason: 'stop' };
    case 'prose':
      return {
        content: `Sure! Here are some related book topics you might enjoy: ${answer} Let me know if you would like more suggestions.`,
        finishReason: 'stop',
      };
    case 'think': {
      const interests = context.interests.length > 0 ? context.interests.join(', ') : 'books in general';
      return {
        content: `<think>\nThe user is interested in ${interests}. I should suggest related topics and answer with JSON only.\n</think>\n\n${answer}`,
        finishReason: 'stop',
      };
    }
    case 'truncated':
      // Half the tokens ends inside the list for any answer of two topics or more.
      return { content: truncateToTokens(answer, Math.max(1, Math.floor(estimateTokens(answer) / 2))), finishReason: 'length' };
  }
}

/** What max_tokens does to an output: the model stops mid-answer and says why. */
export function limitTokens(output: ModelOutput, maxTokens: number | undefined): ModelOutput {
  if (maxTokens === undefined || estimateTokens(output.content) <= maxTokens) return output;
  return { content: truncateToTokens(output.content, maxTokens), finishReason: 'length' };
}
