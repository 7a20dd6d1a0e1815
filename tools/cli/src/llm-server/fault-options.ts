import type { FaultProfileInput } from '@coldstart/llm-server';

/** The fault flags of `coldstart llm-server`; each is a shorthand for one field of a fault profile. */
export interface FaultFlags {
  latencyMs?: number;
  errorShare?: number;
  hangShare?: number;
  garbageShare?: number;
}

/**
 * The profile the server runs: the --faults file, with every flag given on the command line
 * replacing the field it stands for (the command line is the more specific of the two).
 */
export function mergeFaultFlags(file: FaultProfileInput, flags: FaultFlags): FaultProfileInput {
  return {
    ...file,
    ...(flags.latencyMs !== undefined ? { latency: { kind: 'fixed', ms: flags.latencyMs } } : {}),
    ...(flags.errorShare !== undefined ? { errors: { 500: flags.errorShare } } : {}),
    ...(flags.hangShare !== undefined ? { hangShare: flags.hangShare } : {}),
    ...(flags.garbageShare !== undefined ? { outputs: { ...file.outputs, garbage: flags.garbageShare } } : {}),
  };
}
