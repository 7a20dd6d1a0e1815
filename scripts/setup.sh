#!/usr/bin/env bash
# Everything `make demo` and `make test` need on a fresh Debian (bookworm) machine, idempotent:
#   1. Debian packages: redis-server, and FAISS/BLAS + a toolchain for the faiss-node build;
#   2. npm ci with install scripts off (.npmrc), then node@24's own setup script;
#   3. faiss-node (prebuilt where GitHub is reachable, else built against Debian's FAISS);
#   4. the TypeScript build.
# Run as root, or with the Debian packages already installed.
set -euo pipefail

REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO_ROOT"
log() { printf '[setup] %s\n' "$*" >&2; }

# chromium: the eval report's test opens the HTML report headless.
DEBIAN_PACKAGES=(redis-server libfaiss-dev libopenblas-dev patchelf cmake g++ make python3 chromium)
missing=()
for pkg in "${DEBIAN_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || missing+=("$pkg")
done
if ((${#missing[@]} > 0)); then
  if [[ $(id -u) -ne 0 ]]; then
    log "missing Debian packages: ${missing[*]} — run as root or: sudo apt-get install -y ${missing[*]}"
    exit 1
  fi
  log "installing Debian packages: ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

command -v npm >/dev/null || { log "npm is missing: apt-get install -y npm (any Node >= 18 bootstraps the project's Node 24)"; exit 1; }

# npm ci wipes node_modules (and the faiss build, and the word-vector cache), so it runs
# only when the lockfile changed since the last successful install.
stamp=node_modules/.coldstart-install-stamp
lock_hash=$(sha256sum package-lock.json | cut -d' ' -f1)
if [[ ! -f $stamp || $(cat "$stamp") != "$lock_hash" ]]; then
  log "npm ci"
  npm ci --no-audit --no-fund --loglevel=error
  # Install scripts are off (.npmrc); node@24's preinstall fetches its binary package from npm.
  npm rebuild --ignore-scripts=false node --loglevel=error
  echo "$lock_hash" >"$stamp"
fi
export PATH="$REPO_ROOT/node_modules/.bin:$PATH"
[[ $(node --version) == v24.* ]] || { log "expected Node 24 from node_modules/.bin, got $(node --version)"; exit 1; }

bash scripts/setup-faiss-node.sh
log "building (tsc -b)"
npm run --silent build
log "ready: Node $(node --version)"
