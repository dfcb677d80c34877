#!/usr/bin/env bash
# Two isolated network namespaces for the WebRTC/TURN test (test/webrtc/turn-netns.test.ts). Needs root.
#
#   sd-a  10.201.1.2/24 ──veth── 10.201.1.1  (root namespace: coturn, signalling, relay)
#   sd-b  10.201.2.2/24 ──veth── 10.201.2.1
#
# Each namespace's default route points at its root-side address, so both reach services on the root namespace
# (packets to a root address are delivered locally, not forwarded). Nothing reaches the other namespace: the root
# namespace does not forward between the two veths. That is enforced per interface (net.ipv4.conf.<veth>.forwarding
# = 0, which Linux checks on the interface a packet arrives on) rather than by flipping the global
# net.ipv4.ip_forward, which a CI host running containers may need. `up` verifies both properties with ping and
# fails if either does not hold.
#
# Usage: test/net/netns.sh up|down|status
set -euo pipefail

NS_A=sd-a
NS_B=sd-b
VETH_A=sd-a-root   # root side of sd-a's link (the peer inside sd-a is called eth0)
VETH_B=sd-b-root

log() { echo "[netns] $*" >&2; }

ns_exists() { ip netns list 2>/dev/null | awk '{print $1}' | grep -qx "$1"; }

down() {
  for ns in "$NS_A" "$NS_B"; do
    if ns_exists "$ns"; then ip netns del "$ns" && log "deleted $ns"; fi
  done
  # Deleting a namespace deletes its veth end, which deletes the pair; these only catch half-made setups.
  for veth in "$VETH_A" "$VETH_B"; do
    if ip link show "$veth" >/dev/null 2>&1; then ip link del "$veth"; fi
  done
}

make_ns() { # name veth root_ip ns_ip
  local ns=$1 veth=$2 root_ip=$3 ns_ip=$4
  ip netns add "$ns"
  ip link add "$veth" type veth peer name eth0 netns "$ns"
  ip addr add "$root_ip/24" dev "$veth"
  ip link set "$veth" up
  sysctl -qw "net.ipv4.conf.${veth}.forwarding=0"
  ip -n "$ns" addr add "$ns_ip/24" dev eth0
  ip -n "$ns" link set lo up
  ip -n "$ns" link set eth0 up
  ip -n "$ns" route add default via "$root_ip"
}

up() {
  if [ "$(id -u)" -ne 0 ]; then log "must run as root"; exit 1; fi
  down
  make_ns "$NS_A" "$VETH_A" 10.201.1.1 10.201.1.2
  make_ns "$NS_B" "$VETH_B" 10.201.2.1 10.201.2.2
  verify
  log "up: $NS_A=10.201.1.2 (gw 10.201.1.1), $NS_B=10.201.2.2 (gw 10.201.2.1), no route between them"
}

verify() {
  ip netns exec "$NS_A" ping -c1 -W2 10.201.1.1 >/dev/null || { log "FAIL: $NS_A cannot reach 10.201.1.1"; exit 1; }
  ip netns exec "$NS_B" ping -c1 -W2 10.201.2.1 >/dev/null || { log "FAIL: $NS_B cannot reach 10.201.2.1"; exit 1; }
  # A root-namespace address on the other link is local to the root namespace, so it is reachable too (TURN).
  ip netns exec "$NS_A" ping -c1 -W2 10.201.2.1 >/dev/null || { log "FAIL: $NS_A cannot reach 10.201.2.1"; exit 1; }
  if ip netns exec "$NS_A" ping -c1 -W2 10.201.2.2 >/dev/null 2>&1; then
    log "FAIL: $NS_A reaches $NS_B (10.201.2.2): the namespaces are not isolated"; exit 1
  fi
  if ip netns exec "$NS_B" ping -c1 -W2 10.201.1.2 >/dev/null 2>&1; then
    log "FAIL: $NS_B reaches $NS_A (10.201.1.2): the namespaces are not isolated"; exit 1
  fi
}

case "${1:-}" in
  up) up ;;
  down) down ;;
  status) ns_exists "$NS_A" && ns_exists "$NS_B" && verify && log "ok" ;;
  *) echo "usage: $0 up|down|status" >&2; exit 2 ;;
esac
