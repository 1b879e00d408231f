#!/bin/sh
# Boot one kernel with one guest initramfs in each host KVM mode.
# Usage: scripts/run.sh LABEL IMAGE INITRAMFS GUEST-LIST LOGDIR MODE...
#   Writes LOGDIR/LABEL-MODE.log (and .status) for each mode and prints the
#   verdict arguments for them ("-r LABEL/MODE:LOG:GUEST-LIST") on fd 3.
set -eu
me=run
. "$(dirname "$0")/lib.sh"

label=$1 image=$2 initrd=$3 list=$4 logdir=$5
shift 5

# Enough for every test to use its whole timeout, plus boot and power-off.
limit=$(awk '!/^#/ && NF { t += $2 } END { print t + 60 }' "$list")
for mode in "$@"; do
	log=$logdir/$label-$mode.log
	sh "$(dirname "$0")/stage.sh" "boot $label $mode" \
		sh "$(dirname "$0")/boot.sh" "$image" "$initrd" "$mode" "$log" "$limit"
	echo "-r $label/$mode:$log:$list" >&3
done
