#!/bin/sh
# Boot one kernel with one guest initramfs in each host KVM mode, all modes
# side by side: a guest keeps about one host core busy (the selftests mostly
# run one vCPU), so three guests on two cores take half the time of three in
# a row. JOBS=1 runs them one after the other.
# Usage: scripts/run.sh LABEL IMAGE INITRAMFS INITRAMFS32 LOGDIR MODE...
#   INITRAMFS is booted in the modes whose TESTS column in guest/modes is
#   "aarch64", INITRAMFS32 in the "aarch32" ones (scripts/initramfs.sh made
#   both: each has its guest list in INITRAMFS.d/tests.list).
#   Writes LOGDIR/LABEL-MODE.log (and .status) for each mode and prints the
#   verdict arguments for them ("-r LABEL/MODE:LOG:GUEST-LIST") on fd 3;
#   with REFERENCE=1 in the environment, "-b" (shown, not counted).
set -eu
me=run
. "$(dirname "$0")/lib.sh"

label=$1 image=$2 initrd64=$3 initrd32=$4 logdir=$5
shift 5
jobs=${JOBS:-$#}
here=$(dirname "$0")

# The initramfs of a mode.
initrd_of() {
	case $(mode_field "$1" tests) in
	aarch64) echo "$initrd64" ;;
	aarch32) echo "$initrd32" ;;
	*) die "mode '$1': no such mode, or no TESTS column (aarch64, aarch32) in guest/modes" ;;
	esac
}

running=0
for mode in "$@"; do
	initrd=$(initrd_of "$mode")
	# Enough for every test to use its whole timeout, plus boot and power-off.
	limit=$(awk '!/^#/ && NF { t += $2 } END { print t + 60 }' "$initrd.d/tests.list")
	if [ "$running" -ge "$jobs" ]; then
		wait
		running=0
	fi
	sh "$here/stage.sh" "boot $label $mode" \
		sh "$here/boot.sh" "$image" "$initrd" "$mode" \
		"$logdir/$label-$mode.log" "$limit" &
	running=$((running + 1))
done
wait
for mode in "$@"; do
	log=$logdir/$label-$mode.log
	list=$(initrd_of "$mode").d/tests.list
	if [ "${REFERENCE:-0}" = 1 ]; then
		echo "-b $label/$mode:$log:$list" >&3
	else
		echo "-r $label/$mode:$log:$list" >&3
	fi
done
