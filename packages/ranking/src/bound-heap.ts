/**
 * A max-heap of positions 0…n−1 ordered by their keys in a Float64Array (the caller's, read in
 * place), the lower position first among equal keys; a NaN key is taken as −∞. MMR's lazy greedy
 * keeps its candidates' upper bounds in one: only the top is ever re-keyed or removed.
 */
export class BoundHeap {
  readonly #keys: Float64Array;
  readonly #heap: Int32Array;
  #size = 0;

  /** Every position of `keys` but `without`, heapified in O(n). */
  constructor(keys: Float64Array, without = -1) {
    this.#keys = keys;
    this.#heap = new Int32Array(keys.length);
    for (let i = 0; i < keys.length; i++) {
      if (Number.isNaN(keys[i])) keys[i] = -Infinity;
      if (i !== without) this.#heap[this.#size++] = i;
    }
    for (let at = (this.#size >> 1) - 1; at >= 0; at--) this.#siftDown(at);
  }

  get size(): number {
    return this.#size;
  }

  /** The position with the highest key (the lowest position among equals); the heap must not be empty. */
  top(): number {
    if (this.#size === 0) throw new RangeError('BoundHeap.top: the heap is empty');
    return this.#heap[0]!;
  }

  /** Gives the top a new key and lets it sink to its place (a higher key keeps it on top). */
  rekeyTop(key: number): void {
    this.#keys[this.top()] = Number.isNaN(key) ? -Infinity : key;
    this.#siftDown(0);
  }

  /** Removes the top. */
  pop(): void {
    this.top();
    this.#heap[0] = this.#heap[--this.#size]!;
    if (this.#size > 0) this.#siftDown(0);
  }

  /** Whether position a goes above position b. */
  #above(a: number, b: number): boolean {
    const keyA = this.#keys[a]!;
    const keyB = this.#keys[b]!;
    return keyA > keyB || (keyA === keyB && a < b);
  }

  #siftDown(from: number): void {
    const heap = this.#heap;
    const size = this.#size;
    const moving = heap[from]!;
    let at = from;
    for (;;) {
      const left = 2 * at + 1;
      if (left >= size) break;
      const right = left + 1;
      const child = right < size && this.#above(heap[right]!, heap[left]!) ? right : left;
      if (!this.#above(heap[child]!, moving)) break;
      heap[at] = heap[child]!;
      at = child;
    }
    heap[at] = moving;
  }
}
