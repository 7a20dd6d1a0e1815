import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';

export const PROJECTION_MANIFEST = 'projection.json';

/**
 * A dense layer applied after pooling, as sentence-T5 and GTR do (sentence-transformers'
 * `2_Dense`, no bias, identity activation): y = W x.
 */
export interface LinearProjection {
  readonly inputDimension: number;
  readonly outputDimension: number;
  /** Row-major [outputDimension][inputDimension], i.e. PyTorch's nn.Linear `weight`. */
  readonly weights: Float32Array;
}

/**
 * Reads `projection.json` = `{ "inputDimension": 768, "outputDimension": 768, "weights":
 * "projection.f32" }` from the model directory; the weights file holds raw little-endian
 * float32 values, row-major [outputDimension][inputDimension] (e.g. the bytes of
 * `state_dict()['linear.weight'].numpy().astype('<f4').tobytes()` for a sentence-transformers
 * Dense module). Returns null when the directory has no projection.json.
 */
export async function readProjection(dir: string): Promise<LinearProjection | null> {
  const path = join(dir, PROJECTION_MANIFEST);
  const exists = await stat(path).then(() => true, () => false);
  if (!exists) return null;
  const raw = JSON.parse(await readFile(path, 'utf8')) as Record<string, unknown>;
  const { inputDimension, outputDimension, weights } = raw;
  if (!isPositiveInteger(inputDimension) || !isPositiveInteger(outputDimension) || typeof weights !== 'string' || weights.includes('/')) {
    throw new Error(`${path}: expected { inputDimension, outputDimension, weights: "<file in the same directory>" }`);
  }
  const bytes = await readFile(join(dir, weights));
  if (bytes.length !== inputDimension * outputDimension * 4) {
    throw new Error(`${join(dir, weights)}: ${bytes.length} bytes, expected ${inputDimension}×${outputDimension} float32`);
  }
  const values = new Float32Array(inputDimension * outputDimension);
  for (let i = 0; i < values.length; i++) values[i] = bytes.readFloatLE(i * 4);
  return { inputDimension, outputDimension, weights: values };
}

function isPositiveInteger(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value > 0;
}
