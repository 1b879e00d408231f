#!/bin/sh
# Tests of scripts/chroot-run.sh, the part of the clean-root run (make
# fresh-check) that mounts: on a tiny root holding one static program
# (tests/inroot.c), every way out must leave nothing mounted and nothing
# running in the root. Needs root, as the clean-root run does. Prints its
# results as KTAP and leaves them in build/results/clean-root.ktap (or in
# the file RESULTS names). Every command has a deadline (DEADLINE seconds,
# 60 by default): one that does not end by then is killed, and fails.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
work=$top/build/clean-root-tests
root=$work/root
run=scripts/chroot-run.sh
deadline=${DEADLINE:-60}
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

alive() { # PID: whether it runs (a zombie has ended)
	case $(sed -n 's/^State:[[:space:]]*\(.\).*/\1/p' "/proc/$1/status" 2>/dev/null) in
	''|Z) return 1 ;;
	esac
}

ignores() { # PID SIGNAL: whether PID ignores SIGNAL (INT, TERM or HUP)
	mask=$(sed -n 's/^SigIgn:[[:space:]]*//p' "/proc/$1/status" 2>/dev/null)
	case $2 in INT) n=2 ;; TERM) n=15 ;; HUP) n=1 ;; esac
	[ $(((0x${mask:-0} >> (n - 1)) & 1)) = 1 ]
}

# expect DESCRIPTION STATUS PATTERN COMMAND...: exit status, a line of the
# output matching PATTERN, and nothing left mounted under the root; a
# command still running after the deadline is killed and fails.
expect() {
	desc=$1 want=$2 pattern=$3
	shift 3
	timeout -k 5 "$deadline" "$@" >"$work/out" 2>&1
	got=$?
	[ "$got" != 124 ] || echo "(killed: still running after $deadline s)" >>"$work/out"
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
# mounted, before the deadline. INT, TERM and HUP are set back to their
# defaults first: a shell cannot trap a signal it was started with ignored
# (HUP under nohup, INT in a shell started in the background), and these
# tests may run so. That they are not ignored is checked, and said if not.
interrupt() {
	sig=$1 want=$2
	rm -f "$root/ready"
	env --default-signal=INT,TERM,HUP sh "$run" "$root" /inroot wait >"$work/out" 2>&1 &
	pid=$!
	i=0
	while [ ! -f "$root/ready" ] && [ $i -lt 100 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	ign=
	! ignores "$pid" "$sig" || ign="the run ignores SIG$sig, which it cannot trap; "
	kill -s "$sig" "$pid"
	i=0
	while alive "$pid" && [ $i -lt $((deadline * 10)) ]; do
		sleep 0.1
		i=$((i + 1))
	done
	late=
	if alive "$pid"; then
		late="still running $deadline s after SIG$sig, killed; "
		kill -KILL "$pid"
	fi
	wait "$pid"
	got=$?
	if [ -z "$late$ign" ] && [ "$got" = "$want" ] && [ -f "$root/ready" ] &&
	   ! mounted && ! running; then
		result 0 "chroot-run: SIG$sig kills the command and takes the mounts down"
	else
		result 1 "chroot-run: SIG$sig kills the command and takes the mounts down" \
			"$late${ign}exit status $got (expected $want); command started: $([ -f "$root/ready" ] && echo yes || echo no); $(cat "$work/out")"
		clear_root
	fi
}

# What a run that failed left: processes in the root, mounts under it.
clear_root() {
	for p in /proc/[0-9]*; do
		[ "$(readlink "$p/root" 2>/dev/null)" = "$root" ] && kill -KILL "${p#/proc/}"
	done
	awk -v r="$root" 'index($2, r "/") == 1 { print $2 }' /proc/self/mounts | sort -r |
	while read -r m; do
		umount -l "$m"
	done
}

if [ "$(id -u)" != 0 ]; then
	result 1 "clean root: the tests run as root, as make fresh-check does"
else
	clear_root	# a root left by an earlier, killed run of these tests
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
	timeout -k 5 "$deadline" sh "$run" "$root" /inroot exit 0 >"$work/out" 2>&1
	got=$?
	if [ "$got" = 1 ] && grep -q 'already mounted' "$work/out"; then
		result 0 "chroot-run: a root with mounts under it is refused"
	else
		result 1 "chroot-run: a root with mounts under it is refused" "exit $got: $(cat "$work/out")"
	fi
	umount "$root/proc"

	# fresh.sh's own checks come before it makes anything.
	MMDEBSTRAP=mmdebstrap-not-installed timeout -k 5 "$deadline" \
		sh scripts/fresh.sh check >"$work/out" 2>&1
	got=$?
	if [ "$got" = 1 ] && grep -q 'apt-get install mmdebstrap' "$work/out"; then
		result 0 "fresh: a missing mmdebstrap is named with its package"
	else
		result 1 "fresh: a missing mmdebstrap is named with its package" "exit $got: $(cat "$work/out")"
	fi
fi

ktap_done "${RESULTS:-$top/build/results/clean-root.ktap}"
