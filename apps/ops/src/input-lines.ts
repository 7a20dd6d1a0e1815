import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';

/** One line of an input file, numbered from 1 as an editor shows it. */
export interface NumberedLine {
  line: number;
  text: string;
}

/** What a line-by-line command reads: `--file`, else stdin. */
export function openInput(file: string | undefined): NodeJS.ReadableStream {
  return file === undefined ? process.stdin : createReadStream(file);
}

/**
 * The input's lines with their numbers (CRLF endings too). A BOM at the start belongs to the
 * file, not to the first line (editors on Windows add one). Blank lines are skipped but counted.
 */
export async function* numberedLines(input: NodeJS.ReadableStream): AsyncGenerator<NumberedLine> {
  const reader = createInterface({ input, crlfDelay: Infinity });
  let line = 0;
  try {
    for await (const raw of reader) {
      line += 1;
      const text = line === 1 && raw.charCodeAt(0) === 0xfeff ? raw.slice(1) : raw;
      if (text.trim() !== '') yield { line, text };
    }
  } finally {
    reader.close();
  }
}

/** Lines in a file (for a progress bar's total); one read of the file, in chunks. */
export async function countLines(file: string): Promise<number> {
  let lines = 0;
  let last = 10;
  for await (const chunk of createReadStream(file) as AsyncIterable<Buffer>) {
    for (let at = chunk.indexOf(10); at >= 0; at = chunk.indexOf(10, at + 1)) lines += 1;
    if (chunk.length > 0) last = chunk[chunk.length - 1] as number;
  }
  return last === 10 ? lines : lines + 1;
}
