#!/bin/sh
# Run a command as root inside a root directory with only what the build and
# QEMU need mounted (/proc, /dev, and a private /dev/shm and /dev/pts), and take every mount
# down again on every way out: the command's end, a failed mount, Ctrl-C,
# SIGTERM. Processes still running inside the root at the end are killed
# first, so that nothing holds a mount. Exits with the command's status.
# Usage: scripts/chroot-run.sh ROOT COMMAND [ARG...]
set -eu
me=chroot-run
. "$(dirname "$0")/lib.sh"

[ $# -ge 2 ] || die "usage: $0 ROOT COMMAND [ARG...]"
[ "$(id -u)" = 0 ] || die "must run as root (chroot and mount need it); try: sudo $0 $*"
root=$(realpath "$1")
shift
[ -d "$root" ] || die "$root is not a directory"
[ "$root" != / ] || die "refusing to use / as the root"

# The mount points under the root, deepest first.
mounts_under() {
	awk -v r="$1" '$2 == r || index($2, r "/") == 1 { print $2 }' /proc/self/mounts |
		sort -r
}

# Kill what still runs with its root in $root, then unmount, deepest first;
# a mount that stays busy is detached lazily, so the root is never left
# half-mounted.
# shellcheck disable=SC2317 # called from cleanup, through the traps
take_down() {
	for p in /proc/[0-9]*; do
		[ "$(readlink "$p/root" 2>/dev/null)" = "$root" ] || continue
		kill -KILL "${p#/proc/}" 2>/dev/null || true
	done
	for m in $(mounts_under "$root"); do
		umount "$m" 2>/dev/null || umount -l "$m" ||
			echo "$me: could not unmount $m" >&2
	done
}

[ -z "$(mounts_under "$root")" ] ||
	die "something is already mounted under $root: $(mounts_under "$root" | tr '\n' ' ')"

status=0
# shellcheck disable=SC2317 # called through the traps
cleanup() {
	rc=$?
	trap - EXIT INT TERM HUP
	[ "$status" != 0 ] || status=$rc
	take_down
	exit "$status"
}
trap cleanup EXIT
trap 'status=130; cleanup' INT
trap 'status=143; cleanup' TERM HUP

mount_or_die() {
	target=$1
	shift
	mkdir -p "$target" 2>/dev/null || true
	if ! err=$(mount "$@" "$target" 2>&1); then
		status=1
		echo "$me: cannot mount $* on $target: $err" >&2
		echo "$me: check that $target is a directory and that this machine" \
			"allows mounts (a container may need --privileged)" >&2
		exit 1
	fi
}

mount_or_die "$root/proc" -t proc proc
mount_or_die "$root/dev" --bind /dev
mount_or_die "$root/dev/shm" -t tmpfs -o mode=1777 shm
mount_or_die "$root/dev/pts" -t devpts -o newinstance,ptmxmode=0666,mode=0620 devpts

# In the background, so that a signal to this script is handled at once,
# not when the command is done (the trap kills what runs in the root).
chroot "$root" "$@" &
wait $! || status=$?
exit "$status"
