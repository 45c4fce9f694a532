#!/bin/bash
# unshare_ip.sh N: the peer made by hand. N sandboxes built the way people do
# it with ip(8) and unshare(1): per sandbox a named netns, a veth pair with
# the host end on a bridge, an address, links up, then the program run in
# fresh user, pid, mount, uts and ipc namespaces with a private proc.
# Prints the milliseconds per sandbox (cleanup not counted).
# Runs itself in a throwaway net and mount namespace (with a tmpfs on /run
# for ip's netns files): the host's network and /run are never touched.
set -eu
n=${1:?usage: unshare_ip.sh N}
if [ "${UNSHARE_IP_INNER:-}" != 1 ]; then
	UNSHARE_IP_INNER=1 exec unshare --net --mount --propagation private "$0" "$@"
fi
mount -t tmpfs -o mode=755 bench-run /run
ip link add br0 type bridge
ip addr add 10.88.0.1/16 dev br0
ip link set br0 up
ip link set lo up

t0=$EPOCHREALTIME
for ((i = 1; i <= n; i++)); do
	ip netns add "s$i"
	ip link add "vh$i" type veth peer name eth0 netns "s$i"
	ip link set "vh$i" master br0 up
	ip -n "s$i" addr add "10.88.$((i / 250)).$((i % 250 + 2))/16" dev eth0
	ip -n "s$i" link set lo up
	ip -n "s$i" link set eth0 up
	ip netns exec "s$i" unshare --user --map-root-user --pid --fork --mount \
		--uts --ipc --mount-proc /bin/true
done
t1=$EPOCHREALTIME

for ((i = 1; i <= n; i++)); do
	ip netns del "s$i"
done
# µs from bash's EPOCHREALTIME (seconds with six decimals), no bc needed.
us=$(( ${t1/./} - ${t0/./} ))
printf '%d.%03d\n' $((us / n / 1000)) $((us / n % 1000))
