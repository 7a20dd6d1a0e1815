/**
 * Base class for rejected input, so callers can tell bad data (skip or fail the job without
 * retrying) apart from faults inside the index.
 */
export class VectorInputError extends Error {
  override readonly name: string = 'VectorInputError';
}

export class InvalidVectorIdError extends VectorInputError {
  override readonly name: string = 'InvalidVectorIdError';
  constructor(readonly id: unknown) {
    super(`vector id must be a non-empty string, got ${JSON.stringify(id) ?? String(id)}`);
  }
}

/** `id` is undefined for a query vector. */
export class VectorDimensionError extends VectorInputError {
  override readonly name: string = 'VectorDimensionError';
  constructor(
    readonly id: string | undefined,
    readonly expected: number,
    readonly actual: number,
  ) {
    super(`${describeVector(id)} has dimension ${actual}, expected ${expected}`);
  }
}

/** Non-finite components, or an all-zero vector, which has no direction to compare by cosine. */
export class InvalidVectorValueError extends VectorInputError {
  override readonly name: string = 'InvalidVectorValueError';
  constructor(
    readonly id: string | undefined,
    problem: string,
  ) {
    super(`${describeVector(id)} ${problem}`);
  }
}

function describeVector(id: string | undefined): string {
  return id === undefined ? 'query vector' : `vector for id ${JSON.stringify(id)}`;
}

/** A snapshot that is truncated, corrupted, of another format version, or inconsistent. */
export class IndexSnapshotError extends Error {
  override readonly name: string = 'IndexSnapshotError';
}
