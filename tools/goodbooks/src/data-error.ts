/** Malformed or missing data file; names the file and, when known, the 1-based line. */
export class GoodbooksDataError extends Error {
  override readonly name = 'GoodbooksDataError';

  constructor(
    readonly file: string,
    readonly line: number | undefined,
    problem: string,
    options?: ErrorOptions,
  ) {
    super(line === undefined ? `${file}: ${problem}` : `${file}, line ${line}: ${problem}`, options);
  }
}
