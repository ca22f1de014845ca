#!/usr/bin/env bash
# `npm test` (arguments go to vitest): sets up what a fresh machine lacks, then typechecks, lints
# and runs every test tier.
#  - Debian packages the tests run for real (prometheus, lua5.1, chromium): installed when root;
#    otherwise the tests that need one fail saying which package to install.
#  - The Kubernetes test control plane, built from Go modules into ~/.cache/sluice-k8s: instant
#    when cached, about 20 minutes on a cold cache. Without Go (or the module proxy) its tests are
#    skipped and the reason is printed at the end. SLUICE_SKIP_KUBE=1 skips them on purpose.
set -uo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-system-deps.sh || echo "warning: could not install the Debian packages the tests use" >&2

kube_note=""
if [ -z "${KUBEBUILDER_ASSETS:-}" ] && [ "${SLUICE_SKIP_KUBE:-}" != "1" ]; then
  errors=$(mktemp)
  # Progress goes to the terminal as it happens: a cold build is long and should say so.
  if assets=$(bash scripts/k8s/build.sh 2> >(tee "$errors" >&2) | tail -n 1) && [ -d "$assets" ]; then
    export KUBEBUILDER_ASSETS="$assets"
  else
    export SLUICE_SKIP_KUBE=1
    kube_note="Kubernetes tests skipped: $(grep 'build.sh:' "$errors" | tail -n 1)"
    echo "$kube_note" >&2
  fi
  rm -f "$errors"
elif [ "${SLUICE_SKIP_KUBE:-}" = "1" ]; then
  kube_note="Kubernetes tests skipped: SLUICE_SKIP_KUBE=1"
fi

status=0
# The dashboard's browser sources have their own tsconfig (DOM types).
{ npx tsc --noEmit && npx tsc --noEmit -p src/dashboard/app/tsconfig.json; } || status=$?
[ "$status" -eq 0 ] && { npx biome check . || status=$?; }
[ "$status" -eq 0 ] && { npx vitest run "$@" || status=$?; }
[ -n "$kube_note" ] && echo "$kube_note" >&2
exit "$status"
