#!/bin/sh
# Boot a kernel and initramfs under QEMU (TCG, with EL2 for KVM) in one host
# KVM mode, with a host-side timeout; the console goes to LOG and the way
# QEMU ended to LOG.status ("ok", "timeout N s", "exit N").
# Usage: scripts/boot.sh IMAGE INITRAMFS MODE LOG TIMEOUT [KERNEL-ARG...]
#   MODE: a line of guest/modes, which gives QEMU's CPU and the kernel
#   arguments (vhe, nvhe, protected on "max"; a57 on Cortex-A57)
set -eu
me=boot
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

image=$1 initrd=$2 mode=$3 log=$4 limit=$5
shift 5
# KERNEL-ARGs go on the kernel command line too (harness_only=TEST: the
# guest's init runs that test alone).
extra=$*

cpu=$(mode_field "$mode" cpu) ||
	die "unknown mode '$mode': guest/modes has $(known_modes)"
kvmarg=$(mode_field "$mode" args)

# The emulated CPUs are host threads: with four guests on two host cores
# one can wait past RCU's default 21 s stall limit for a core, and the
# stall warning would fail a run that did nothing wrong. A real stall
# still shows, after 60 s.
rcu=rcupdate.rcu_cpu_stall_timeout=60

set -- qemu-system-aarch64 \
	-M virt,virtualization=on,gic-version=3 \
	-cpu "$cpu" -smp 2 -m 2048 \
	-nographic -no-reboot -nic none \
	-kernel "$image" -initrd "$initrd" \
	-append "console=ttyAMA0 panic=-1 $rcu${kvmarg:+ $kvmarg}${extra:+ $extra}"

# The head of the log says where the run came from: the command, the
# tools' versions, and the kernel's commit and config (scripts/kernel.sh).
mkdir -p "$(dirname "$log")"
rm -f "$log.status"
{
	printf 'harness: command:'
	for arg; do
		case $arg in
		*" "*) printf " '%s'" "$arg" ;;
		*) printf ' %s' "$arg" ;;
		esac
	done
	echo
	echo "harness: $(qemu-system-aarch64 --version | head -n 1)"
	echo "harness: $(aarch64-linux-gnu-gcc --version | head -n 1)"
	echo "harness: linux-source-6.1 $(dpkg-query -W -f='${Version}' linux-source-6.1 2>/dev/null || echo 'not installed')"
	sed 's/^/harness: /' "$(dirname "$image")/../../../provenance" 2>/dev/null ||
		echo "harness: kernel: no provenance file next to $image"
} >"$log"
start=$(now)
rc=0
timeout --kill-after=5 "$limit" "$@" </dev/null >>"$log" 2>&1 || rc=$?
secs=$(($(now) - start))

case $rc in
0)	echo ok >"$log.status" ;;
124|137)
	echo "timeout after $limit s" >"$log.status"
	echo "boot: $mode: the guest did not power off within $limit s;" \
	     "last console lines ($log):" >&2
	tail -n 15 "$log" | sed 's/^/  | /' >&2
	exit 0 ;;
*)	echo "exit $rc" >"$log.status"
	echo "boot: $mode: QEMU exited with status $rc; last lines ($log):" >&2
	tail -n 15 "$log" | sed 's/^/  | /' >&2
	exit 0 ;;
esac
echo "boot: $mode: guest done in $secs s ($log)"
