#!/bin/sh
# Boot one kernel with one guest initramfs in each host KVM mode, all modes
# side by side: a guest keeps about one host core busy (the selftests mostly
# run one vCPU), so three guests on two cores take half the time of three in
# a row. JOBS=1 runs them one after the other.
# Usage: scripts/run.sh LABEL IMAGE INITRAMFS GUEST-LIST LOGDIR MODE...
#   Writes LOGDIR/LABEL-MODE.log (and .status, from scripts/boot.sh) for
#   each mode, and next to it LOG.run, the verdict's arguments for it
#   ("-r LABEL/MODE:LOG:GUEST-LIST"; with REFERENCE=1 in the environment,
#   "-b": shown, not counted), also added to LOGDIR/runs, and LOG.repro,
#   the one command that boots that guest again alone. Judge them with
#   build/host/verdict $(cat LOGDIR/runs).
set -eu
me=run
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

label=$1 image=$2 initrd=$3 list=$4 logdir=$5
shift 5
jobs=${JOBS:-$#}
here=$(dirname "$0")

# Enough for every test to use its whole timeout, plus boot and power-off.
limit=$(awk '!/^#/ && NF { t += $2 } END { print t + 60 }' "$list")
running=0
for mode in "$@"; do
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
kind=-r
[ "${REFERENCE:-0}" != 1 ] || kind=-b
for mode in "$@"; do
	log=$logdir/$label-$mode.log
	echo "$kind $label/$mode:$log:$list" >"$log.run"
	cat "$log.run" >>"$logdir/runs"
	echo "sh $here/boot.sh $image $initrd $mode $log $limit" >"$log.repro"
done
