/**
 * Each id fusion has seen, numbered once for the process, and the candidate it is in the current
 * call: numbering a list's ~600 candidates in a Map built per call was a fifth of the recommend
 * pool's allocations. Forgets every number when it holds more than `maxSlots` ids (a catalog
 * that churns for long), between calls.
 */
export class CandidateSlots {
  readonly #slotById = new Map<string, number>();
  /** Per slot: the call that last numbered it, and its candidate number in that call. */
  #calls = new Int32Array(1024);
  #candidates = new Int32Array(1024);
  #call = 0;

  constructor(private readonly maxSlots = 1 << 20) {}

  /** A new call's number; every slot is then without a candidate. */
  startCall(): number {
    if (this.#slotById.size > this.maxSlots || this.#call === 0x7fffffff) {
      this.#slotById.clear();
      this.#calls.fill(0);
      this.#call = 0;
    }
    return ++this.#call;
  }

  /** How many ids are numbered. */
  get size(): number {
    return this.#slotById.size;
  }

  slotOf(id: string): number {
    let slot = this.#slotById.get(id);
    if (slot === undefined) {
      slot = this.#slotById.size;
      this.#slotById.set(id, slot);
      if (slot >= this.#calls.length) {
        const calls = new Int32Array(this.#calls.length * 2);
        calls.set(this.#calls);
        this.#calls = calls;
        const candidates = new Int32Array(this.#candidates.length * 2);
        candidates.set(this.#candidates);
        this.#candidates = candidates;
      }
    }
    return slot;
  }

  /** The slot's candidate number in this call, −1 if it has none yet. */
  candidateAt(slot: number, call: number): number {
    return this.#calls[slot] === call ? (this.#candidates[slot] as number) : -1;
  }

  setCandidate(slot: number, call: number, candidate: number): void {
    this.#calls[slot] = call;
    this.#candidates[slot] = candidate;
  }
}
