#!/usr/bin/env bats
# QEMU tier: no data lost at shutdown (issue 7). A service in its sandbox
# (root in a user namespace mapped to 100000) writes records, without
# fsync, to an ext4 disk mounted by the `mount` directive and bound `rw`
# into its sandbox; `initctl poweroff` as soon as it is done; the host then
# finds the filesystem clean and every record on it.

bats_load_library bats-support
bats_load_library bats-assert
load lib/qemu

setup() {
	command -v mkfs.ext4 >/dev/null || skip "e2fsprogs not installed"
	command -v debugfs >/dev/null || skip "e2fsprogs not installed"
}

N=20000

@test "qemu: records written without fsync survive initctl poweroff" {
	img=$BATS_TEST_TMPDIR/data.img
	truncate -s 32M "$img"
	mkfs.ext4 -q -F "$img"
	# the writer's directory, owned by the host uid its root maps to
	debugfs -w -R "mkdir w" "$img"
	debugfs -w -R "set_inode_field w uid 100000" "$img"
	debugfs -w -R "set_inode_field w gid 100000" "$img"
	run debugfs -R "stat w" "$img"
	assert_output --regexp 'User: +100000 +Group: +100000'

	cat >"$BATS_TEST_TMPDIR/data.conf" <<-EOF
	modules virtio_pci virtio_blk crc32c_generic ext4
	mount /dev/vda /data ext4
	service writer
	  restart never
	  uidmap 100000
	  bind /data /data rw
	  exec /bin/sh -c "seq -f 'record %g of $N' 0 $((N - 1)) >> /data/w/records; head -c 1048576 /dev/urandom > /data/w/blob; cksum < /data/w/blob > /data/w/blob.sum; echo wrote \$(wc -l < /data/w/records) records"
	service off
	  namespaces none
	  after writer
	  restart never
	  exec /bin/initctl poweroff
	EOF
	QEMU_EXTRA="-drive file=$img,if=virtio,format=raw"
	qemu_boot "$BATS_TEST_TMPDIR/data.conf"
	qemu_wait "^writer: wrote $N records" 240
	qemu_wait '^sandinit: poweroff' 60
	qemu_wait_exit 30
	run qemu_log
	refute_output --partial 'unable to unmount'
	refute_output --partial 'unable to mount'

	# clean, and every record there, in order
	run e2fsck -fn "$img"
	assert_success
	debugfs -R "cat w/records" "$img" >"$BATS_TEST_TMPDIR/records"
	seq -f "record %g of $N" 0 $((N - 1)) | cmp - "$BATS_TEST_TMPDIR/records"
	debugfs -R "cat w/blob" "$img" >"$BATS_TEST_TMPDIR/blob"
	[ "$(stat -c %s "$BATS_TEST_TMPDIR/blob")" -eq 1048576 ]
	assert_equal "$(cksum <"$BATS_TEST_TMPDIR/blob")" "$(debugfs -R 'cat w/blob.sum' "$img")"
	run debugfs -R "stat w/records" "$img"
	assert_output --regexp 'User: +100000 +Group: +100000'
}

# log-file (issue 12): PID 1's console, timed, on the data disk; rotated at
# 64K; written and fsynced before the disk is unmounted at poweroff.
L=2500

log_conf() {
	cat <<-EOF
	modules virtio_pci virtio_blk crc32c_generic ext4
	mount /dev/vda /data ext4
	log-file /data/sandinit.log 64K
	service count
	  restart never
	  exec /bin/sh -c "seq -f 'numbered line %g' 1 $L; echo counted"
	service off
	  namespaces none
	  after count
	  restart never
	  exec /bin/sh -c "echo '<3>KMSG-FILE-CHECK' | cat >/dev/kmsg; for i in \$(seq 50); do initctl log kernel | grep -q KMSG-FILE-CHECK && break; sleep 0.1; done; initctl poweroff"
	EOF
}

@test "qemu: log-file on the data disk: after poweroff every line is in the file or its .1" {
	img=$BATS_TEST_TMPDIR/data.img
	truncate -s 32M "$img"
	mkfs.ext4 -q -F "$img"
	log_conf >"$BATS_TEST_TMPDIR/log.conf"
	QEMU_EXTRA="-drive file=$img,if=virtio,format=raw"
	qemu_boot "$BATS_TEST_TMPDIR/log.conf"
	# (a serial console this busy drops lines: not count's, nor the ready
	# line; the poweroff line comes once all is quiet)
	qemu_wait 'sandinit: poweroff' 240
	qemu_wait_exit 30
	run e2fsck -fn "$img"
	assert_success
	debugfs -R "cat sandinit.log.1" "$img" >"$BATS_TEST_TMPDIR/l1"
	debugfs -R "cat sandinit.log" "$img" >"$BATS_TEST_TMPDIR/l0"
	# rotated once: .1 at most 64K, both parts there
	[ -s "$BATS_TEST_TMPDIR/l1" ]
	[ "$(stat -c %s "$BATS_TEST_TMPDIR/l1")" -le 65536 ]
	cat "$BATS_TEST_TMPDIR/l1" "$BATS_TEST_TMPDIR/l0" >"$BATS_TEST_TMPDIR/all"
	sed -nE 's/^\[ *[0-9]+\.[0-9]{6}\] count: numbered line ([0-9]+)$/\1/p' "$BATS_TEST_TMPDIR/all" >"$BATS_TEST_TMPDIR/got"
	seq "$L" | diff - "$BATS_TEST_TMPDIR/got"
	# its last line the console's last, though printed after the unmount
	run tail -n 1 "$BATS_TEST_TMPDIR/l0"
	assert_output --regexp '^\[ *[0-9]+\.[0-9]{6}\] sandinit: poweroff$'
	# the service's last line, and PID 1's own: those from before the
	# disk was mounted (replayed with their time) and the ready line
	run grep -E '^\[ *[0-9]+\.[0-9]{6}\] count: counted$' "$BATS_TEST_TMPDIR/all"
	assert_success
	run grep -E '^\[ *[0-9]+\.[0-9]{6}\] sandinit: kernel: userns=yes' "$BATS_TEST_TMPDIR/all"
	assert_success
	run grep -E '^\[ *[0-9]+\.[0-9]{6}\] sandinit: ready: 2 services' "$BATS_TEST_TMPDIR/all"
	assert_success
	# a kernel line the kernel printed on the console (err, under the
	# board's loglevel) is in the file too
	run grep -E '^\[ *[0-9]+\.[0-9]{6}\] kernel: KMSG-FILE-CHECK$' "$BATS_TEST_TMPDIR/all"
	assert_success
}

@test "qemu: log-file with the data disk absent: boot completes, the dropped lines are reported" {
	log_conf >"$BATS_TEST_TMPDIR/log.conf"
	qemu_boot "$BATS_TEST_TMPDIR/log.conf"
	qemu_wait '^sandinit: unable to mount /dev/vda on /data' 120
	qemu_wait '^sandinit: log-file: unable to write /data/sandinit.log: No such device' 120
	# (a serial console this busy drops lines: not count's, nor the
	# ready line; the rest comes once all is quiet)
	qemu_wait '^sandinit: log-file: [0-9]+ lines dropped' 240
	qemu_wait '^sandinit: poweroff' 60
	qemu_wait_exit 30
}
