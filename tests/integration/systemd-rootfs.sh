#!/bin/sh
# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
# Prints the path of a cached Debian root file system in which
# tests/integration/test_systemd boots a real systemd (systemd-nspawn), and
# builds it first when the cache lacks it (debootstrap, one to two minutes).
# The cache is keyed by STAMP: change it when the package list changes.
#   /var/cache/caudit-test/rootfs-$STAMP     (CAUDIT_TEST_CACHE overrides the directory)
set -eu

STAMP=bookworm-3
SUITE=bookworm
# systemd to boot (procps: the unit reloads with /bin/kill), and the runtime
# libraries of cauditd, caudit and caudit-forward (libnats3.4 brings libssl3)
PKGS=systemd,systemd-sysv,dbus,procps,libbpf1,libelf1,zlib1g,libsystemd0,libsodium23,libjson-c5
PKGS=$PKGS,libnats3.4,libssl3
CACHE=${CAUDIT_TEST_CACHE:-/var/cache/caudit-test}
ROOT=$CACHE/rootfs-$STAMP

mirror() {
	# the machine's own Debian mirror (deb822 or one-line format)
	m=$(grep -h -m1 -E '^URIs:.*/debian/?$' /etc/apt/sources.list.d/*.sources 2>/dev/null |
		awk '{print $2}' | head -n1)
	[ -n "$m" ] || m=$(grep -h -E '^deb .*/debian/? ' /etc/apt/sources.list \
		/etc/apt/sources.list.d/*.list 2>/dev/null | awk '{print $2}' | head -n1)
	echo "${m:-http://deb.debian.org/debian}"
}

mkdir -p "$CACHE"
exec 9>"$CACHE/.lock"
flock 9 # concurrent test runs build it once
if [ ! -e "$ROOT/.complete" ]; then
	# roots of other stamps go once unused for a day (checkouts at another
	# stamp may run tests meanwhile), and never while mounted (an overlay's
	# lower layer)
	for old in "$CACHE"/rootfs-*; do
		[ -e "$old/.used" ] || [ -e "$old/.complete" ] || continue
		[ -n "$(find "$old/.used" "$old/.complete" -maxdepth 0 -mmin -1440 2>/dev/null)" ] &&
			continue
		grep -q "lowerdir=$old[,:]" /proc/self/mountinfo || rm -rf "$old"
	done
	rm -rf "$ROOT.tmp" "$CACHE/debootstrap-$STAMP.log" # an interrupted build
	debootstrap --variant=minbase --include="$PKGS" "$SUITE" "$ROOT.tmp" "$(mirror)" \
		>"$CACHE/debootstrap-$STAMP.log" 2>&1 || {
		tail -n 20 "$CACHE/debootstrap-$STAMP.log" >&2
		exit 1
	}
	# no getty on the read-only console, no first-boot questions
	rm -f "$ROOT.tmp/etc/machine-id"
	echo caudit-test >"$ROOT.tmp/etc/hostname"
	touch "$ROOT.tmp/.complete"
	mv "$ROOT.tmp" "$ROOT"
fi
touch "$ROOT/.used"
echo "$ROOT"
