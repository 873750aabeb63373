#!/usr/bin/env bash
# Source this file: Node 22 + Yarn 4 (scripts/toolchain.sh), then the workspace's dependencies,
# installed only when yarn.lock or a package.json changed since the last install.
set -o pipefail
_repo="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
source "$_repo/scripts/toolchain.sh" || return 1 2>/dev/null || exit 1

_deps_stamp() {
  (cd "$_repo" && cat yarn.lock package.json packages/*/package.json plugins/*/package.json 2>/dev/null | sha256sum | cut -c1-16)
}
_want=$(_deps_stamp)
_have=$(cat "$_repo/node_modules/.mesh-portal-deps" 2>/dev/null || true)
if [ "$_want" != "$_have" ] || [ ! -d "$_repo/node_modules/@backstage/cli" ]; then
  echo "[setup] installing dependencies (yarn install; a cold install takes about 3-4 minutes)" >&2
  (cd "$_repo" && yarn install --immutable) >&2 || { echo "[setup] yarn install failed" >&2; return 1 2>/dev/null || exit 1; }
  echo "$_want" > "$_repo/node_modules/.mesh-portal-deps"
fi
unset _want _have
