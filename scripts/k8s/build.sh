#!/usr/bin/env bash
# Builds (or finds in the cache) the binaries of a Kubernetes test control plane:
# etcd, kube-apiserver, kube-controller-manager, kube-scheduler and kwok, plus the
# kwok stage manifests. Prints the assets directory (a KUBEBUILDER_ASSETS value) on
# its last line of stdout; progress goes to stderr and the full log to a file.
#
# Everything is built from Go modules through the module proxy, because there is no
# container engine and no release tarball download on these machines.
#
# Usage: build.sh [--check]   (--check never compiles: exit 3 when nothing is cached)
# Env: SLUICE_K8S_CACHE (default ~/.cache/sluice-k8s), SLUICE_K8S_BUILD_JOBS (default 2).
set -euo pipefail

# Pinned versions. v1.37.2 is published but the proxy refuses its zip (403), so 1.37.1
# is the newest 1.37 patch that can be fetched; 1.38 needs Go 1.27.
K8S_VERSION=v1.37.1
ETCD_VERSION=v3.6.16
KWOK_VERSION=v0.8.0
GO_MIN_MINOR=26

CACHE_ROOT=${SLUICE_K8S_CACHE:-$HOME/.cache/sluice-k8s}
KEY="k8s-${K8S_VERSION}_etcd-${ETCD_VERSION}_kwok-${KWOK_VERSION}"
ASSETS="$CACHE_ROOT/$KEY"
LOG="$CACHE_ROOT/$KEY.build.log"
BINARIES=(etcd kube-apiserver kube-controller-manager kube-scheduler kwok)

die() {
  echo "build.sh: $*" >&2
  exit 1
}

complete() {
  local b
  [[ -f "$ASSETS/.complete" && -f "$ASSETS/kwok-stages.yaml" ]] || return 1
  for b in "${BINARIES[@]}"; do [[ -x "$ASSETS/$b" ]] || return 1; done
}

if complete; then
  echo "$ASSETS"
  exit 0
fi
case "${1:-}" in
  "") ;;
  --check)
    echo "build.sh: ${KEY} is not built yet under ${CACHE_ROOT}" >&2
    exit 3
    ;;
  *) die "unknown argument: $1 (usage: build.sh [--check])" ;;
esac

command -v go >/dev/null 2>&1 ||
  die "Go toolchain not found on PATH (need go1.${GO_MIN_MINOR}+); install Go or set KUBEBUILDER_ASSETS to prebuilt binaries"
go_minor=$(go env GOVERSION | sed -n 's/^go1\.\([0-9]*\).*/\1/p')
[[ -n "$go_minor" && "$go_minor" -ge "$GO_MIN_MINOR" ]] ||
  die "need go1.${GO_MIN_MINOR}+ to build Kubernetes ${K8S_VERSION}, found $(go env GOVERSION)"

mkdir -p "$CACHE_ROOT"
# Two test processes may ask for the binaries at once; only one should build.
exec 9>"$CACHE_ROOT/$KEY.lock"
flock 9
if complete; then
  echo "$ASSETS"
  exit 0
fi

: >"$LOG"
log() { echo "[$(date +%H:%M:%S)] $*" | tee -a "$LOG" >&2; }
run() { "$@" >>"$LOG" 2>&1; }

export GOWORK=off CGO_ENABLED=0 GOTOOLCHAIN=local
export GOFLAGS="-p=${SLUICE_K8S_BUILD_JOBS:-2} -buildvcs=false -trimpath"
started=$(date +%s)
log "building ${KEY} (log: $LOG)"

k8s_json=$(go mod download -json "k8s.io/kubernetes@${K8S_VERSION}" 2>>"$LOG") || true
k8s_dir=$(sed -n 's/^[[:space:]]*"Dir": "\(.*\)",*$/\1/p' <<<"$k8s_json")
if [[ -z "$k8s_dir" || ! -f "$k8s_dir/go.mod" ]]; then
  err=$(sed -n 's/^[[:space:]]*"Error": "\(.*\)",*$/\1/p' <<<"$k8s_json" | head -c 300)
  die "cannot fetch k8s.io/kubernetes@${K8S_VERSION} from the Go module proxy ($(go env GOPROXY)): ${err:-see $LOG}"
fi

stage=$(mktemp -d "$CACHE_ROOT/.stage-XXXXXX")
work=$(mktemp -d "$CACHE_ROOT/.work-XXXXXX")
trap 'rm -rf "$stage" "$work"' EXIT

# Kubernetes: a throwaway module that requires k8s.io/kubernetes and replaces each
# staging module (./staging/src/k8s.io/x) with its published v0.<minor>.<patch>,
# since `go install` refuses modules with replace directives.
staging_version="v0.${K8S_VERSION#v1.}"
mkdir -p "$work/k8s"
{
  echo "module sluice.local/k8s-test-binaries"
  echo
  grep -E '^go [0-9.]+' "$k8s_dir/go.mod"
  # godebug is either one line or a block; copy it as is.
  sed -n '/^godebug (/,/^)/p; /^godebug [^(]/p' "$k8s_dir/go.mod"
  echo
  echo "replace ("
  sed -n 's/^[[:space:]]*\(k8s\.io\/[^[:space:]]*\) => \.\/staging\/.*$/\1/p' "$k8s_dir/go.mod" |
    while read -r mod; do echo "	$mod => $mod $staging_version"; done
  echo ")"
} >"$work/k8s/go.mod"
k8s_cmds=(k8s.io/kubernetes/cmd/kube-apiserver k8s.io/kubernetes/cmd/kube-controller-manager k8s.io/kubernetes/cmd/kube-scheduler)
log "resolving k8s.io/kubernetes@${K8S_VERSION} (staging ${staging_version})"
(cd "$work/k8s" && run go get -tool "${k8s_cmds[@]/%/@${K8S_VERSION}}") ||
  die "go get k8s.io/kubernetes@${K8S_VERSION} failed; see $LOG"
log "compiling kube-apiserver, kube-controller-manager, kube-scheduler (slow on a cold cache)"
minor=${K8S_VERSION#v1.}
minor=${minor%%.*}
ldflags="-s -w -X k8s.io/component-base/version.gitVersion=${K8S_VERSION}"
ldflags+=" -X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=${minor}"
ldflags+=" -X k8s.io/component-base/version.gitTreeState=clean"
(cd "$work/k8s" && run go build -ldflags "$ldflags" -o "$stage/" "${k8s_cmds[@]}") ||
  die "building Kubernetes ${K8S_VERSION} failed; see $LOG"

log "building etcd ${ETCD_VERSION}"
mkdir -p "$work/etcd"
printf 'module sluice.local/etcd-test-binary\n\ngo 1.%s\n' "$go_minor" >"$work/etcd/go.mod"
(cd "$work/etcd" && run go get -tool "go.etcd.io/etcd/server/v3@${ETCD_VERSION}" &&
  run go build -ldflags "-s -w" -o "$stage/etcd" go.etcd.io/etcd/server/v3) ||
  die "building etcd ${ETCD_VERSION} failed; see $LOG"

log "building kwok ${KWOK_VERSION}"
(GOBIN="$stage" run go install -ldflags "-s -w" "sigs.k8s.io/kwok/cmd/kwok@${KWOK_VERSION}") ||
  die "building kwok ${KWOK_VERSION} failed; see $LOG"

# kwok exits with "no stages found" without --config; flatten its "fast" kustomization
# (node init, node heartbeat via Lease, pod ready/complete/delete) into one file.
kwok_dir=$(go list -m -f '{{.Dir}}' "sigs.k8s.io/kwok@${KWOK_VERSION}" 2>>"$LOG") ||
  die "cannot locate sigs.k8s.io/kwok@${KWOK_VERSION} in the module cache; see $LOG"
collect_stages() {
  local dir=$1 entry
  for entry in $(sed -n 's/^- \(.*\)$/\1/p' "$dir/kustomization.yaml"); do
    if [[ -d "$dir/$entry" ]]; then
      collect_stages "$dir/$entry"
    else
      echo "---"
      cat "$dir/$entry"
    fi
  done
}
collect_stages "$kwok_dir/kustomize/stage/fast" >"$stage/kwok-stages.yaml"
grep -q '^kind: Stage' "$stage/kwok-stages.yaml" || die "no kwok stages found under $kwok_dir/kustomize/stage/fast"

for b in "${BINARIES[@]}"; do [[ -x "$stage/$b" ]] || die "missing $b after build; see $LOG"; done
"$stage/kube-apiserver" --version >>"$LOG" 2>&1
echo "$KEY built $(date -u +%FT%TZ) in $(($(date +%s) - started))s" >"$stage/.complete"
chmod 755 "$stage"
rm -rf "$ASSETS"
mv "$stage" "$ASSETS"
log "done in $(($(date +%s) - started))s: $ASSETS"
echo "$ASSETS"
