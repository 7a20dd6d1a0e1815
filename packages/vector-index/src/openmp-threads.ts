/**
 * One OpenMP thread for FAISS unless the operator says otherwise (OMP_NUM_THREADS). FAISS runs a
 * search on OpenMP threads, and a recommend pool searches one query at a time from one event
 * loop: the extra threads did no work but spun after each search, waiting for the next. On this
 * repo's 2-vCPU machine 80 single-query searches over 1 259 × 100 vectors took 13.1 ms of CPU
 * (8.8 of wall time) with the default threads and 8.7 ms with one; one search of all 80 queries,
 * 11.4–23.0 against 4.9 ms (docs/performance.md#faiss-on-one-thread). A process scales by
 * processes, as every pool does. libgomp reads the variable once, when faiss-node's library
 * loads, so every module that imports faiss-node imports this one before it (ES modules
 * evaluate their imports in order).
 */
process.env.OMP_NUM_THREADS ??= '1';
