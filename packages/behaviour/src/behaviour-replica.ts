import { coalesced } from '@coldstart/runtime';
import { BehaviourModel, type BehaviourSettings } from './behaviour-model.js';
import type { BehaviourLog } from './behaviour-log.js';

/**
 * A recommend process's copy of the behaviour model: the log replayed in order, then tailed.
 * `catchUp()` before ranking gives read-your-writes: everything logged before the call is in
 * the model after it. Replays run one at a time, so entries are applied once and in order, and
 * the callers waiting for the next replay share it.
 */
export class BehaviourReplica {
  readonly model: BehaviourModel;
  private lastId = '0';

  constructor(
    private readonly log: Pick<BehaviourLog, 'read'>,
    settings: Partial<BehaviourSettings> = {},
    private readonly batchSize = 5_000,
  ) {
    this.model = new BehaviourModel(settings);
  }

  /** The id of the last entry applied ('0' before any). */
  get position(): string {
    return this.lastId;
  }

  readonly catchUp: () => Promise<void> = coalesced(() => this.replay());

  private async replay(): Promise<void> {
    for (;;) {
      const batch = await this.log.read(this.lastId, this.batchSize);
      for (const { id, entry } of batch) {
        this.model.apply(entry);
        this.lastId = id;
      }
      if (batch.length < this.batchSize) return;
    }
  }
}
