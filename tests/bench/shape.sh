#!/bin/bash
# shape.sh PID: what the sandbox of process PID gives it, one fact a line,
# without what differs by design between two sandboxes (host ids, pids,
# descriptors' targets). tests/bench.bats compares sandinit's with
# floor_full's. Root only (nsenter).
set -eu
p=$1
base=$(awk '{ print $2; exit }' "/proc/$p/uid_map")
grep -E '^(Uid|Gid|Groups|CapInh|CapPrm|CapEff|CapBnd|CapAmb|NoNewPrivs|Seccomp|Seccomp_filters|NSpid|NStgid):' "/proc/$p/status" |
	sed -E "s/\b$base\b/BASE/g; s/^(NSpid|NStgid):\t[0-9]+/\1:\tHOST/"
awk '{ print "uid_map", $1, $3 }' "/proc/$p/uid_map"
awk '{ print "gid_map", $1, $3 }' "/proc/$p/gid_map"
echo "setgroups $(cat "/proc/$p/setgroups")"
for n in user mnt pid net uts ipc cgroup time; do
	if [ "$(stat -L -c %i "/proc/$p/ns/$n")" = "$(stat -L -c %i "/proc/self/ns/$n")" ]; then
		echo "ns $n shared"
	else
		echo "ns $n own"
	fi
done
awk '{ print "nice", $19, ($6 == $1) ? "session leader" : "in a session" }' "/proc/$p/stat"
echo "fds $(ls "/proc/$p/fd" | tr '\n' ' ')"
echo "root $(readlink "/proc/$p/root") cwd $(readlink "/proc/$p/cwd")"
# mount point, its options, type, the super block's options (host ids out)
awk '{ for (i = 7; $i != "-"; i++) ; print "mount", $5, $6, $(i + 1), $(i + 3) }' \
	"/proc/$p/mountinfo" | sed -E "s/=$base\b/=BASE/g"
# Locked (mount_namespaces(7)): made from a more privileged mount namespace,
# none of these can be unmounted from the sandbox's user namespace, even in
# a copy of its mount namespace (the copy keeps the sandbox intact).
for m in /proc/sys /dev/shm /tmp; do
	if nsenter -t "$p" -U -m -- unshare -m --propagation unchanged umount "$m" 2>/dev/null; then
		echo "umount $m from inside: done"
	else
		echo "umount $m from inside: refused"
	fi
done
echo "hostname $(nsenter -t "$p" -u hostname)"
nsenter -t "$p" -n ip -o link | sed -E 's/^[0-9]+: //; s/@if[0-9]+//' | awk '{ print "link", $1, $2, $3 }'
nsenter -t "$p" -n ip -o addr | awk '{ print "addr", $2, $3, $4, $5, $6 }'
nsenter -t "$p" -n ip route | sed 's/^/route /'
nsenter -t "$p" -n cat /proc/sys/net/ipv6/conf/eth0/addr_gen_mode \
	/proc/sys/net/ipv4/conf/eth0/arp_notify | sed 's/^/eth0 conf /'
