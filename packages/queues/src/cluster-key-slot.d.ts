/** The package (ioredis' own slot function) ships no types; its export is this function. */
declare module 'cluster-key-slot' {
  /** The Redis Cluster slot (0–16383) of a key, honouring a `{hash tag}` in it. */
  function clusterKeySlot(key: string): number;
  export = clusterKeySlot;
}
