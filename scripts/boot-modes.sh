#!/bin/sh
# Boot one kernel with its guest initramfs in each run of guest/modes, all
# side by side: a guest keeps about one host core busy (the selftests mostly
# run one vCPU), so three guests on two cores take half the time of three in
# a row. JOBS=1 runs them one after the other.
# Usage: scripts/boot-modes.sh LABEL IMAGE INITRAMFS INITRAMFS32 LOGDIR MODE...
#   INITRAMFS is booted in the modes whose TESTS column in guest/modes is
#   "full", INITRAMFS32 in the "short" ones ("-" if none is among the
#   MODEs); scripts/initramfs.sh made them, each with its guest list in
#   INITRAMFS.d/tests.list.
#   ROLE, in the environment: what the run is for: "counted" (the
#   default), "cross-check" (counted too: another kernel, or other tests,
#   against the series) or "reference" (the base without the series: shown
#   and compared, not counted).
#   Writes LOGDIR/LABEL-MODE.log (and .status, from scripts/boot.sh) for
#   each mode, and next to it:
#     LOG.result  the run described: label, mode, kernel, initramfs, test
#                 list, role, and how QEMU ended (from .status);
#     LOG.run     the verdict's arguments for it ("-r LABEL/MODE:LOG:GUEST-
#                 LIST", or "-b ..." for a reference), also added to
#                 LOGDIR/runs;
#     LOG.repro   the one command that boots that guest again alone.
#   Judge them with build/host/verdict $(cat LOGDIR/runs).
set -eu
me=boot-modes
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

label=$1 image=$2 initrd64=$3 initrd32=$4 logdir=$5
shift 5
jobs=${JOBS:-$#}
role=${ROLE:-counted}
case $role in
counted|cross-check) kind=-r ;;
reference) kind=-b ;;
*) die "ROLE=$role: not counted, cross-check or reference" ;;
esac
here=$(dirname "$0")

# The initramfs of a mode.
initrd_of() {
	case $(mode_field "$1" tests) in
	full) echo "$initrd64" ;;
	short) [ "$initrd32" != - ] ||
			die "mode '$1' runs the short set: give INITRAMFS32"
		echo "$initrd32" ;;
	*) die "mode '$1': no such mode, or no TESTS column (full, short) in guest/modes" ;;
	esac
}

# Enough for every test to use its whole timeout, plus boot and power-off.
limit_of() {
	awk '!/^#/ && NF { t += $2 } END { print t + 60 }' "$1.d/tests.list"
}

running=0
for mode in "$@"; do
	initrd=$(initrd_of "$mode")
	if [ "$running" -ge "$jobs" ]; then
		wait
		running=0
	fi
	sh "$here/timed.sh" "boot $label $mode" \
		sh "$here/boot.sh" "$image" "$initrd" "$mode" \
		"$logdir/$label-$mode.log" "$(limit_of "$initrd")" &
	running=$((running + 1))
done
wait
for mode in "$@"; do
	log=$logdir/$label-$mode.log
	initrd=$(initrd_of "$mode")
	{
		echo "label $label"
		echo "mode $mode"
		echo "kernel $image"
		echo "initramfs $initrd"
		echo "tests $initrd.d/tests.list"
		echo "role $role"
		echo "qemu $(cat "$log.status" 2>/dev/null || echo "no status")"
	} >"$log.result"
	echo "$kind $label/$mode:$log:$initrd.d/tests.list" >"$log.run"
	cat "$log.run" >>"$logdir/runs"
	echo "sh $here/boot.sh $image $initrd $mode $log $(limit_of "$initrd")" >"$log.repro"
done
