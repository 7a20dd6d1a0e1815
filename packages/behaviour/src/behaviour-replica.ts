import { serial } from '@coldstart/runtime';
import { BehaviourModel, type BehaviourSettings } from './behaviour-model.js';
import type { BehaviourLog } from './behaviour-log.js';

/**
 * A recommend process's copy of the behaviour model: the log replayed in order, then tailed.
 * `catchUp()` before ranking gives read-your-writes: everything logged before the call is in
 * the model after it. Calls are serialised, so entries are applied once and in order.
 */
export class BehaviourReplica {
  readonly model: BehaviourModel;
  private lastId = '0';
  private readonly inOrder = serial();

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

  catchUp(): Promise<void> {
    return this.inOrder(() => this.replay());
  }

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
