// Normalisation: reasoning blocks and chat-template tokens are not part of the answer.

// Model output worth parsing is a few hundred characters; the cap bounds the work a runaway
// generation (or a hostile one) can cause, since several strategies rescan the text.
const MAX_INPUT_CHARS = 20_000;

const TURN_END = /<\|(?:eot_id|im_end|end|endoftext|end_of_text|eom_id)\|>|<\/s>/;
const ROLE_HEADER = /<\|start_header_id\|>[^<]{0,40}<\|end_header_id\|>|<\|im_start\|>[a-z]{0,20}/gi;
const TEMPLATE_TOKEN = /<\|[a-z_]{1,40}\|>|<\/?s>|\[\/?INST\]|<<\/?SYS>>/gi;

export function normalise(raw: string): { text: string; emptyReason?: string } {
  // CRLF answers: `.` and `$` in the line patterns stop at a lone \r, so "1. a\r" would not be a list item.
  let text = raw.slice(0, MAX_INPUT_CHARS).replace(/\r\n?/g, '\n').replace(ROLE_HEADER, '\n');
  // Small models run on past their end-of-turn token into an invented next turn; only the
  // first turn with content is theirs.
  for (;;) {
    const end = TURN_END.exec(text);
    if (end === null) break;
    const before = text.slice(0, end.index);
    if (before.replace(TEMPLATE_TOKEN, '').trim() !== '') {
      text = before;
      break;
    }
    text = text.slice(end.index + end[0].length);
  }
  text = text.replace(TEMPLATE_TOKEN, '');
  // Some small models print the escape instead of the line break; in a double-encoded answer
  // (with \" escapes) it is a real escape and stays.
  if (!text.includes('\n') && !text.includes('\\"')) text = text.replaceAll('\\n', '\n');

  // DeepSeek-R1 templates put the opening <think> in the prompt, so the output may hold only the
  // closing tag: everything before the last one is reasoning either way.
  const close = text.lastIndexOf('</think>');
  if (close !== -1) {
    text = text.slice(close + '</think>'.length);
    if (text.trim() === '') return { text, emptyReason: 'the output has a <think> block and no answer after it' };
  } else {
    const open = text.indexOf('<think>');
    if (open !== -1) {
      text = text.slice(0, open);
      if (text.trim() === '') return { text, emptyReason: 'the output ended inside a <think> block, before any answer' };
    }
  }
  if (text.trim() === '') return { text, emptyReason: 'output is empty' };
  return { text };
}
