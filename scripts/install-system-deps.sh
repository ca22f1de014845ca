#!/usr/bin/env bash
# Installs the Debian packages the integration tests and benchmarks use, when they are missing.
# Needs root (CI runs as root); a developer without root can skip it and the tests that need a
# package say which one is missing.
set -euo pipefail
want=(prometheus lua5.1 chromium)
missing=()
for pkg in "${want[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ ${#missing[@]} -eq 0 ]; then exit 0; fi
if [ "$(id -u)" -ne 0 ]; then
  echo "install-system-deps: not root; missing Debian packages: ${missing[*]}" >&2
  exit 0
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
# The Debian package starts a system Prometheus on :9090; the tests start their own.
systemctl disable --now prometheus prometheus-node-exporter 2>/dev/null || true
pkill -x prometheus 2>/dev/null || true
pkill -f prometheus-node-exporter 2>/dev/null || true
