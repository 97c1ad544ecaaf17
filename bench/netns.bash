# Sourced by bench/netns-swap.sh and bench/netns-pair.sh: two network namespaces joined by a veth
# pair, as two pods of one node are, that exist only while the sourcing script runs.
# netns_up MTU: makes them; sets ns0, ns1 and their addresses address0 (10.77.0.1), address1.
# The sourcing script's EXIT trap must call netns_down.

netns_require() {
  if [ "$(id -u)" != 0 ] || ! command -v ip > /dev/null; then
    echo "$(basename "$0"): needs root and iproute2 (ip netns) to make two network namespaces" >&2
    exit 2
  fi
}

netns_up() {
  local mtu=$1 veth0=sam$$a veth1=sam$$b
  ns0=sam-bench-$$-0 ns1=sam-bench-$$-1 address0=10.77.0.1 address1=10.77.0.2
  ip netns add "$ns0"
  ip netns add "$ns1"
  ip link add "$veth0" type veth peer name "$veth1"
  ip link set "$veth0" netns "$ns0"
  ip link set "$veth1" netns "$ns1"
  ip -n "$ns0" addr add "$address0/24" dev "$veth0"
  ip -n "$ns1" addr add "$address1/24" dev "$veth1"
  local end ns dev
  for end in "$ns0 $veth0" "$ns1 $veth1"; do
    read -r ns dev <<<"$end"
    ip -n "$ns" link set "$dev" mtu "$mtu" up
    ip -n "$ns" link set lo up
  done
}

netns_down() { # deleting a namespace takes its end of the veth pair, and so both, along
  ip netns del "${ns0:-}" 2> /dev/null || true
  ip netns del "${ns1:-}" 2> /dev/null || true
}
