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
	qemu_wait "^writer: wrote $N records" 120
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
