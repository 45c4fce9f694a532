#!/usr/bin/perl
# tools/cpio-list.pl [FILE]: list a newc cpio archive (uncompressed; pipe
# through zcat) one entry a line: "INO MODE UID GID NLINK MTIME SIZE NAME",
# numbers in decimal except MODE (octal). Exact header fields, which
# `cpio -tv` rounds or hides; the tests use it to check reproducibility.
use strict; use warnings;
binmode STDIN; local $/; my $d = <>; my $p = 0;
while ($p + 110 <= length $d) {
  my $h = substr($d, $p, 110); last unless substr($h,0,6) eq '070701';
  my @f = map { hex substr($h, 6 + 8*$_, 8) } 0..12;
  my ($ino,$mode,$uid,$gid,$nl,$mt,$sz,$ns) = @f[0,1,2,3,4,5,6,11];
  my $name = substr($d, $p+110, $ns-1); $p += 110 + $ns; $p = ($p+3) & ~3;
  last if $name eq 'TRAILER!!!';
  printf "%d %o %d %d %d %d %d %s\n", $ino,$mode,$uid,$gid,$nl,$mt,$sz,$name;
  $p += $sz; $p = ($p+3) & ~3;
}
