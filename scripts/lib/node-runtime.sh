# Shell functions that give a Skiff node its container runtime without any network access:
# a busybox image and a pause image built from Debian's busybox-static with umoci, served by
# Debian's docker-registry on loopback, and a containerd whose CRI plugin pulls docker.io and
# registry.k8s.io images through that registry as a mirror, so pod specs keep names such as
# `busybox:1.36`. Sourced by scripts/local-cluster.sh and scripts/test/kubelet.sh.
#
# Pod networks follow DESIGN.md §4: containerd, its CNI bridge and the kubelet run inside a
# network namespace that has no default route; the host reaches it through one veth pair.

# The pause image the CRI plugin runs for every sandbox, and the images the registry holds.
SKIFF_PAUSE_IMAGE=registry.k8s.io/pause:3.10
SKIFF_IMAGES="busybox:1.36 busybox:latest"

# node_build_images DIR: OCI layouts of busybox and pause under DIR (kept; rebuilt only when
# missing). Each image is one layer: busybox, its applet links, /etc/passwd and /etc/group.
node_build_images() {
  local dir=$1 oci=$1/oci
  [ -f "$dir/.done" ] && return 0
  rm -rf "$dir"; mkdir -p "$dir"
  umoci init --layout "$oci"
  local name bundle applet
  for name in busybox pause; do
    bundle=$dir/bundle-$name
    umoci new --image "$oci:$name"
    umoci unpack --image "$oci:$name" "$bundle" >/dev/null
    mkdir -p "$bundle/rootfs/bin" "$bundle/rootfs/etc" "$bundle/rootfs/tmp" "$bundle/rootfs/root"
    chmod 1777 "$bundle/rootfs/tmp"
    cp /bin/busybox "$bundle/rootfs/bin/busybox"
    for applet in $(/bin/busybox --list); do
      [ "$applet" = busybox ] || ln -sf busybox "$bundle/rootfs/bin/$applet"
    done
    printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' >"$bundle/rootfs/etc/passwd"
    printf 'root:x:0:\nnobody:x:65534:\n' >"$bundle/rootfs/etc/group"
    umoci repack --image "$oci:$name" "$bundle" >/dev/null
    rm -rf "$bundle"
  done
  umoci config --image "$oci:busybox" --config.env PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin --config.cmd sh
  umoci config --image "$oci:pause" --config.entrypoint /bin/sleep --config.cmd inf
  touch "$dir/.done"
}

# node_start_registry DIR ADDRESS:PORT IMAGES_DIR: docker-registry on ADDRESS:PORT with its storage
# in DIR, holding library/busybox:1.36, library/busybox:latest and pause:3.10. Prints its PID.
node_start_registry() {
  local dir=$1 listen=$2 images=$3
  mkdir -p "$dir/storage"
  cat >"$dir/config.yml" <<CONFIG
version: 0.1
log: {level: warn}
storage: {filesystem: {rootdirectory: $dir/storage}, delete: {enabled: true}}
http: {addr: $listen}
CONFIG
  docker-registry serve "$dir/config.yml" >"$dir/registry.log" 2>&1 &
  local pid=$!
  for _ in $(seq 100); do curl -sf "http://$listen/v2/" >/dev/null 2>&1 && break; sleep 0.1; done
  local tag
  for tag in $SKIFF_IMAGES; do
    skopeo copy -q --dest-tls-verify=false "oci:$images/oci:busybox" "docker://$listen/library/$tag" >&2
  done
  skopeo copy -q --dest-tls-verify=false "oci:$images/oci:pause" "docker://$listen/pause:3.10" >&2
  echo "$pid"
}

# node_netns NAME HOST_IP NODE_IP: network namespace NAME with loopback up and a veth pair
# (host end NAME, node end eth0) on a /30; no default route inside. Idempotent.
node_netns() {
  local name=$1 host_ip=$2 node_ip=$3
  if ! ip netns list | grep -qw "$name"; then
    ip netns add "$name"
  fi
  ip -n "$name" link set lo up
  if ! ip link show "$name" >/dev/null 2>&1; then
    ip link add "$name" type veth peer name eth0 netns "$name"
    ip addr add "$host_ip/30" dev "$name"
    ip -n "$name" addr add "$node_ip/30" dev eth0
  fi
  ip link set "$name" up
  ip -n "$name" link set eth0 up
}

# node_stop_pods SOCKET: kills and deletes every container the containerd on SOCKET runs
# (containers outlive the kubelet and containerd; stopping a node must stop them too).
node_stop_pods() {
  local sock=$1 id
  [ -S "$sock" ] || return 0
  for id in $(ctr --address "$sock" -n k8s.io tasks ls -q 2>/dev/null); do
    ctr --address "$sock" -n k8s.io tasks kill -s SIGKILL "$id" >/dev/null 2>&1 || true
  done
  sleep 0.5
  for id in $(ctr --address "$sock" -n k8s.io tasks ls -q 2>/dev/null); do
    ctr --address "$sock" -n k8s.io tasks delete -f "$id" >/dev/null 2>&1 || true
  done
  # Shims of tasks that could not be deleted.
  pkill -9 -f -- "containerd-shim-runc-v2 .*-address $sock\$" 2>/dev/null || true
}

# node_unmount DIR: lazily unmounts whatever is still mounted below DIR (pod tmpfs volumes,
# container root filesystems), deepest first, so DIR can be removed.
node_unmount() {
  grep " $1/" /proc/mounts | awk '{print $2}' | sort -r | xargs -r umount -l 2>/dev/null || true
}

# node_delete_netns NAME: removes the namespace and its veth pair.
node_delete_netns() {
  ip link del "$1" 2>/dev/null || true
  ip netns del "$1" 2>/dev/null || true
}

# node_start_containerd DIR NETNS REGISTRY: containerd with root, state, socket and CNI
# configuration under DIR, inside network namespace NETNS (entered with nsenter, which keeps
# the host's /sys and cgroup mounts), pulling through the registry at REGISTRY (address:port). The CNI
# configuration is written by the CRI plugin from its template once the kubelet hands it the
# node's podCIDR (UpdateRuntimeConfig). Prints its PID; the socket is DIR/containerd.sock.
node_start_containerd() {
  local dir=$1 netns=$2 registry=$3
  dir=$(cd "$dir" 2>/dev/null && pwd || { mkdir -p "$dir" && cd "$dir" && pwd; })
  mkdir -p "$dir/root" "$dir/state" "$dir/cni/net.d"
  cat >"$dir/cni/template.json" <<'TEMPLATE'
{
  "cniVersion": "1.0.0",
  "name": "skiff",
  "plugins": [
    {"type": "bridge", "bridge": "cni0", "isGateway": true, "ipMasq": false, "hairpinMode": true,
     "ipam": {"type": "host-local", "dataDir": "CNI_IPAM_DIR", "ranges": [{{range $r := .PodCIDRRanges}}[{"subnet": "{{$r}}"}]{{end}}],
              "routes": [{"dst": "0.0.0.0/0"}]}},
    {"type": "portmap", "capabilities": {"portMappings": true}},
    {"type": "loopback"}
  ]
}
TEMPLATE
  sed -i "s|CNI_IPAM_DIR|$dir/cni/ipam|" "$dir/cni/template.json"
  cat >"$dir/config.toml" <<CONFIG
version = 2
root = "$dir/root"
state = "$dir/state"
[grpc]
  address = "$dir/containerd.sock"
[ttrpc]
  address = "$dir/containerd.sock.ttrpc"
[debug]
  level = "warn"
[metrics]
  address = ""
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "$SKIFF_PAUSE_IMAGE"
  restrict_oom_score_adj = true
  # Pod network namespaces under the state directory, not in the host's /run/netns, so a
  # node's teardown removes them with its directory.
  netns_mounts_under_state_dir = true
  disable_apparmor = true
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "/usr/lib/cni"
    conf_dir = "$dir/cni/net.d"
    conf_template = "$dir/cni/template.json"
  [plugins."io.containerd.grpc.v1.cri".registry]
    config_path = "$dir/certs.d"
CONFIG
  # Each mirrored registry's hosts.toml names the local registry as its server, so a pull
  # never falls back to the real one (a missing image gets the local registry's answer).
  local upstream
  for upstream in docker.io registry.k8s.io; do
    mkdir -p "$dir/certs.d/$upstream"
    cat >"$dir/certs.d/$upstream/hosts.toml" <<HOSTS
server = "http://$registry"
[host."http://$registry"]
  capabilities = ["pull", "resolve"]
HOSTS
  done
  nsenter --net="/run/netns/$netns" containerd --config "$dir/config.toml" >"$dir/containerd.log" 2>&1 &
  local pid=$!
  for _ in $(seq 100); do [ -S "$dir/containerd.sock" ] && break; sleep 0.1; done
  echo "$pid"
}
