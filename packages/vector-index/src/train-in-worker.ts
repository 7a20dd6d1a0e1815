import { fork } from 'node:child_process';
import { once } from 'node:events';

/**
 * Trains an empty index of the given factory string on `vectors` in a child process and
 * returns its serialised bytes (quantizers and codebooks only, so they are small).
 *
 * Training is the one long FAISS call that cannot be cut into slices: k-means for IVF1024 on
 * ~40k 768-d vectors runs for many seconds, and on the main thread that would stall BullMQ's
 * lock renewals. It is a process, not a worker thread, because faiss-node is not
 * context-aware: once a worker thread that loaded it exits, the main thread's next faiss-node
 * call segfaults (seen here with Node 24.21 and faiss-node 0.5.1).
 */
export async function trainInWorker(dimension: number, factory: string, vectors: Float32Array): Promise<Buffer> {
  // The child is a sibling module with this module's extension: .js when built, .ts when
  // vitest runs the sources (Node 24 strips the types itself).
  const extension = import.meta.url.endsWith('.ts') ? 'ts' : 'js';
  const child = fork(new URL(`./train-worker.${extension}`, import.meta.url), { serialization: 'advanced', stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  const exited = once(child, 'exit');
  try {
    child.send({ dimension, factory, vectors });
    const [message] = (await Promise.race([
      once(child, 'message'),
      exited.then(([code, signal]: unknown[]) => {
        throw new Error(`FAISS training process exited (code ${String(code)}, signal ${String(signal)}) before replying`);
      }),
    ])) as [Uint8Array];
    return Buffer.from(message.buffer, message.byteOffset, message.byteLength);
  } finally {
    if (child.exitCode === null && child.signalCode === null) child.kill();
    await exited;
  }
}
