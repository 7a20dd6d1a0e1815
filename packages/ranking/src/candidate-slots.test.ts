import { describe, expect, it } from 'vitest';
import { CandidateSlots } from './candidate-slots.js';

describe('CandidateSlots', () => {
  it('numbers each id once, and gives candidates for the current call only', () => {
    const slots = new CandidateSlots();
    const first = slots.startCall();
    const ids = Array.from({ length: 3000 }, (_, i) => `item-${i}`);
    ids.forEach((id, i) => slots.setCandidate(slots.slotOf(id), first, i));
    expect(slots.size).toBe(3000);
    expect(slots.slotOf('item-2999')).toBe(2999);
    expect(ids.every((id, i) => slots.candidateAt(slots.slotOf(id), first) === i)).toBe(true);
    const second = slots.startCall();
    expect(slots.candidateAt(slots.slotOf('item-7'), second)).toBe(-1);
    slots.setCandidate(slots.slotOf('item-7'), second, 0);
    expect(slots.candidateAt(slots.slotOf('item-7'), second)).toBe(0);
    expect(slots.candidateAt(slots.slotOf('item-8'), second)).toBe(-1);
  });

  it('forgets every number once it holds more than its bound, at the start of a call', () => {
    const slots = new CandidateSlots(4);
    const call = slots.startCall();
    for (const id of ['a', 'b', 'c', 'd', 'e']) slots.setCandidate(slots.slotOf(id), call, 0);
    // Not within a call: its candidates keep their numbers until the next one starts.
    expect(slots.size).toBe(5);
    const next = slots.startCall();
    expect(slots.size).toBe(0);
    expect(slots.candidateAt(slots.slotOf('e'), next)).toBe(-1);
    expect(slots.slotOf('e')).toBe(0);
  });
});
