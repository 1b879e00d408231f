#!/bin/sh
# Run a make target of this checkout on a new Debian 12 machine, the way
# Debian builds its packages: in a minimal root made anew by mmdebstrap
# (minbase plus git, make and ca-certificates, from this machine's Debian apt
# sources), holding a clean clone of the checkout's HEAD and nothing else of
# this machine's (the harness installs its own packages in it). Only
# ../shared/vendor, the third-party snapshots the harness builds, is carried
# in, at the same place beside the clone.
#
# The run's output is shown as it goes; its build/logs are copied to
# build/fresh/logs; the root is removed afterwards (FRESH_KEEP=1 keeps it).
# Exits with the inner run's status.
# Usage: scripts/fresh.sh [TARGET...]       (default: check)
set -eu
me=fresh
. "$(dirname "$0")/lib.sh"

[ $# -gt 0 ] || set -- check
top=$(realpath "$(dirname "$0")/..")
suite=bookworm
out=$top/build/fresh
root=$out/root

[ "$(id -u)" = 0 ] || die "must run as root (mmdebstrap and chroot need it)"
mmdebstrap=${MMDEBSTRAP:-mmdebstrap}
command -v "$mmdebstrap" >/dev/null 2>&1 ||
	die "mmdebstrap is missing: apt-get install mmdebstrap (Debian package mmdebstrap)"

# The machine's own Debian sources, in either of apt's two formats; other
# repositories configured here (a vendor's, a cloud's) stay out.
sources=
for f in /etc/apt/sources.list.d/debian.sources /etc/apt/sources.list; do
	[ -f "$f" ] && grep -Eqs '^[^#]*(deb|URIs:).*/debian' "$f" && sources=$f && break
done
[ -n "$sources" ] ||
	die "no Debian apt sources: neither /etc/apt/sources.list.d/debian.sources" \
	    "nor /etc/apt/sources.list names a Debian mirror; add one"

head=$(git -C "$top" rev-parse --short HEAD)
[ -z "$(git -C "$top" status --porcelain --untracked-files=no)" ] ||
	echo "$me: note: uncommitted changes are not in the clean root; it runs HEAD ($head)"

# Anew on every run; rm never crosses into a mounted file system, and a
# root still mounted (a run killed with SIGKILL) is left to the user.
if [ -d "$root" ]; then
	if awk -v r="$root" 'index($2, r "/") == 1 { f = 1 } END { exit !f }' /proc/self/mounts; then
		die "$root still has mounts under it; unmount them (umount -R $root) and run again"
	fi
	rm -rf --one-file-system "$root"
fi
mkdir -p "$out"

t0=$(now)
echo "$me: making a minimal $suite root ($sources)"
"$mmdebstrap" --quiet --variant=minbase --include=git,make,ca-certificates \
	"$suite" "$root" "$sources" ||
	die "mmdebstrap failed (its messages are above); check the apt sources in $sources"
t1=$(now)
echo "$me: root made in $((t1 - t0)) s ($(du -sm "$root" | cut -f1) MB)"

# Name resolution for apt inside, as a new machine has it.
cp -L /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null || true

git clone -q --no-local "$top" "$root/src/kvm-suspend"
if [ -d "$top/../shared/vendor" ]; then
	mkdir -p "$root/src/shared"
	cp -a "$top/../shared/vendor" "$root/src/shared/vendor"
fi

status=0
echo "$me: make $* in the clean root (HEAD $head)"
sh "$top/scripts/chroot-run.sh" "$root" /usr/bin/env -i \
	HOME=/root PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
	LANG=C.UTF-8 TERM="${TERM:-dumb}" ${CI:+CI=$CI} \
	sh -c 'cd /src/kvm-suspend && exec make "$@"' make "$@" || status=$?
t2=$(now)

rm -rf "$out/logs"
[ -d "$root/src/kvm-suspend/build/logs" ] &&
	cp -a "$root/src/kvm-suspend/build/logs" "$out/logs"
if [ "${FRESH_KEEP:-0}" = 1 ]; then
	echo "$me: root kept in $root"
else
	rm -rf --one-file-system "$root"
fi
echo "$me: root $((t1 - t0)) s, make $* $((t2 - t1)) s, status $status; logs in $out/logs"
exit "$status"
