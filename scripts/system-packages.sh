#!/usr/bin/env bash
# Installs the Debian packages the tests need, only when missing: Chromium (browser tests;
# Playwright never downloads a browser) and PostgreSQL (the backend runs on it in tests).
set -euo pipefail
need=()
[ -x /usr/bin/chromium ] || need+=(chromium)
# The local data plane: Istio's traffic capture (iptables) and the relays into pod namespaces (socat).
command -v iptables-restore >/dev/null 2>&1 || need+=(iptables)
command -v socat >/dev/null 2>&1 || need+=(socat)
command -v pg_ctlcluster >/dev/null 2>&1 && ls /usr/lib/postgresql/*/bin/postgres >/dev/null 2>&1 || need+=(postgresql)
command -v openssl >/dev/null 2>&1 || need+=(openssl)
if [ ${#need[@]} -gt 0 ]; then
  echo "[system] apt-get install ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -q
  apt-get install -y -q --no-install-recommends "${need[@]}"
fi
