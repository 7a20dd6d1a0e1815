// Runs in a child process (see train-in-worker.ts). Self-contained on purpose: under vitest
// this file is loaded by Node's own type stripping, which does not resolve sibling imports.
import faiss from 'faiss-node';

interface TrainRequest {
  dimension: number;
  factory: string;
  vectors: Float32Array;
}

process.once('message', (message) => {
  const request = message as TrainRequest;
  const index = faiss.Index.fromFactory(request.dimension, request.factory, faiss.MetricType.METRIC_INNER_PRODUCT);
  index.train(Array.from(request.vectors));
  process.send?.(index.toBuffer(), () => process.disconnect());
});
