import type { Command } from 'commander';
import { groupCommand } from '@coldstart/ops';
import { runEventsValidate } from './events-validate.js';
import { runTopicsParse } from './topics-parse.js';

type LinesCommand = (input: NodeJS.ReadableStream, output: NodeJS.WritableStream) => Promise<unknown>;

/** Each checks one JSON line of stdin at a time against what production accepts, and says why not. */
const CHECKS: readonly { group: [string, string]; name: string; description: string; run: LinesCommand }[] = [
  {
    group: ['events', 'SQS event bodies: check them against the contract, send them'],
    name: 'validate',
    description: 'read JSON lines {"body": "<raw message body>"} on stdin; print {"ok":true,"type"} or {"ok":false,"error"} per line',
    run: runEventsValidate,
  },
  {
    group: ['topics', 'LLM "related topics" answers'],
    name: 'parse',
    description: 'read JSON lines {"text": "<raw model output>", "finishReason"?: "stop"|"length"} on stdin; print {"ok":true,"topics"} or {"ok":false,"error"} per line',
    run: runTopicsParse,
  },
];

/** `coldstart events validate` and `coldstart topics parse`. */
export function registerContractCommands(program: Command): void {
  for (const { group, name, description, run } of CHECKS) {
    const [groupName, groupDescription] = group;
    // `events` is shared with the operators' `events send` (@coldstart/ops), whichever registers first.
    groupCommand(program, groupName, groupDescription).command(name).description(description).action(async () => {
      await run(process.stdin, process.stdout);
    });
  }
}
