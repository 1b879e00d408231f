#!/bin/sh
# Tests of scripts/chroot-run.sh, the part of the clean-root run (make
# fresh-check) that mounts: on a tiny root holding one static program
# (tests/inroot.c), every way out must leave nothing mounted and nothing
# running in the root. Needs root, as the clean-root run does. Prints its
# results as KTAP and leaves them in build/results/clean-root.ktap.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
work=$top/build/clean-root-tests
root=$work/root
run=scripts/chroot-run.sh
. scripts/ktap.sh

result() { # STATUS DESCRIPTION [DIAGNOSTIC]
	ktap_result "$1" "$2"
	[ -z "${3:-}" ] || printf '%s\n' "$3" | ktap_diag
}

mounted() { # whether anything is mounted under the root
	awk -v r="$root" 'index($2, r "/") == 1 { f = 1 } END { exit !f }' /proc/self/mounts
}

running() { # whether a process runs with the root as its root
	for p in /proc/[0-9]*; do
		[ "$(readlink "$p/root" 2>/dev/null)" = "$root" ] && return 0
	done
	return 1
}

# expect DESCRIPTION STATUS PATTERN COMMAND...: exit status, a line of the
# output matching PATTERN, and nothing left mounted under the root.
expect() {
	desc=$1 want=$2 pattern=$3
	shift 3
	"$@" >"$work/out" 2>&1
	got=$?
	if [ "$got" = "$want" ] && ! mounted &&
	   { [ -z "$pattern" ] || grep -Eq -- "$pattern" "$work/out"; }; then
		result 0 "$desc"
	else
		result 1 "$desc" "exit status $got (expected $want), output (expected /$pattern/):
$(cat "$work/out")
mounts under the root: $(awk -v r="$root" 'index($2, r "/") == 1 { print $2 }' /proc/self/mounts)"
	fi
}

# interrupt SIGNAL STATUS: the run is sent SIGNAL while its command waits
# inside; it must end with STATUS, with the command killed and nothing
# mounted. SIGINT is set back to its default first (a shell started in the
# background ignores it, as a Ctrl-C'd foreground one does not).
interrupt() {
	sig=$1 want=$2
	rm -f "$root/ready"
	perl -e '$SIG{INT} = "DEFAULT"; exec @ARGV' \
		sh "$run" "$root" /inroot wait >"$work/out" 2>&1 &
	pid=$!
	i=0
	while [ ! -f "$root/ready" ] && [ $i -lt 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	kill -s "$sig" "$pid"
	wait "$pid"
	got=$?
	if [ "$got" = "$want" ] && [ -f "$root/ready" ] && ! mounted && ! running; then
		result 0 "chroot-run: SIG$sig kills the command and takes the mounts down"
	else
		result 1 "chroot-run: SIG$sig kills the command and takes the mounts down" \
			"exit status $got (expected $want); command started: $([ -f "$root/ready" ] && echo yes || echo no); $(cat "$work/out")"
		for p in /proc/[0-9]*; do
			[ "$(readlink "$p/root" 2>/dev/null)" = "$root" ] && kill -KILL "${p#/proc/}"
		done
	fi
}

if [ "$(id -u)" != 0 ]; then
	result 1 "clean root: the tests run as root, as make fresh-check does"
else
	# A root left by an earlier, killed run of these tests.
	awk -v r="$root" 'index($2, r "/") == 1 { print $2 }' /proc/self/mounts | sort -r |
	while read -r m; do
		umount -l "$m"
	done
	rm -rf --one-file-system "$work"
	mkdir -p "$root"
	${HOSTCC:-gcc} -static -O2 -Wall -Wextra -Werror -o "$root/inroot" tests/inroot.c ||
		exit 1

	expect "chroot-run: the command's exit status is the run's" 7 '' \
		sh "$run" "$root" /inroot exit 7
	expect "chroot-run: /proc and /dev are there inside" 0 '' \
		sh "$run" "$root" /inroot mounts
	expect "chroot-run: not root is refused, saying so" 1 'must run as root' \
		setpriv --reuid=65534 --regid=65534 --clear-groups sh "$run" "$root" /inroot exit 0
	interrupt INT 130
	interrupt TERM 143
	interrupt HUP 143

	# A mount that fails after another succeeded: the first is taken down.
	mkdir -p "$root/dev" && rmdir "$root/dev" && : >"$root/dev"
	expect "chroot-run: a failed mount is named and leaves nothing mounted" 1 \
		"cannot mount --bind /dev on $root/dev" sh "$run" "$root" /inroot exit 0
	rm -f "$root/dev"

	# A root that is already in use is not mounted over.
	mkdir -p "$root/proc"
	mount -t tmpfs busy "$root/proc"
	sh "$run" "$root" /inroot exit 0 >"$work/out" 2>&1
	got=$?
	if [ "$got" = 1 ] && grep -q 'already mounted' "$work/out"; then
		result 0 "chroot-run: a root with mounts under it is refused"
	else
		result 1 "chroot-run: a root with mounts under it is refused" "exit $got: $(cat "$work/out")"
	fi
	umount "$root/proc"

	# fresh.sh's own checks come before it makes anything.
	MMDEBSTRAP=mmdebstrap-not-installed sh scripts/fresh.sh check >"$work/out" 2>&1
	got=$?
	if [ "$got" = 1 ] && grep -q 'apt-get install mmdebstrap' "$work/out"; then
		result 0 "fresh: a missing mmdebstrap is named with its package"
	else
		result 1 "fresh: a missing mmdebstrap is named with its package" "exit $got: $(cat "$work/out")"
	fi
fi

ktap_done "$top/build/results/clean-root.ktap"
