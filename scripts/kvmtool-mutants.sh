#!/bin/sh
# The kvmtool mutation check: each patch in vmm/kvmtool/mutants/ is a
# plausible wrong kvmtool (its commit message names the mistake), made on
# top of vmm/kvmtool, and linux_suspend must fail on every one of them.
#
# The lkvm that the main run built (build/kvmtool, the series applied to
# KVMTOOL) is copied with its objects to build/kvmtool-mutants/src; each
# mutant is applied alone there with git am and lkvm rebuilt incrementally
# (a few seconds). The test guest boots in one host KVM mode (MODE, vhe by
# default) with linux_suspend alone, the series' lkvm first: it must pass,
# so that a check whose set-up fails cannot count every mutant caught.
# Prints "mutant NAME: caught by ..." or "mutant NAME: SURVIVED" for each,
# then "kvmtool mutants: K/N caught"; exits 0 only when every one is caught.
# The same as KTAP, the control first, in build/kvmtool-mutants/results.ktap.
# Usage: scripts/kvmtool-mutants.sh [MUTANT.patch...]
set -u
me=kvmtool-mutants
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/ktap.sh"

top=$(pwd)
mode=${MODE:-vhe}
m=$top/build/kvmtool-mutants
src=$m/src
obj=$top/build/obj/series
selftests=$obj/kselftest/kvm
inner=$top/build/guest/linux_suspend-inner.cpio
# Room for linux_suspend's own limits (a 40 s wait for an alarm that does
# not wake, then its two other inner guests), so that it says what failed.
timeout=240

for f in "$top/build/kvmtool/lkvm-static" "$top/build/kvmtool/src/.git" \
	 "$obj/arch/arm64/boot/Image" "$selftests/harness/linux_suspend" \
	 "$selftests/harness/psci_payload.bin" "$inner"; do
	[ -e "$f" ] || die "$f is missing: run 'make' first"
done
if [ $# = 0 ]; then
	set -- "$top"/vmm/kvmtool/mutants/*.patch
	[ -e "$1" ] || die "no mutants in vmm/kvmtool/mutants/"
fi
rm -rf "$m"
mkdir -p "$m"
cp -a "$top/build/kvmtool/src" "$src"
head=$(git -C "$src" rev-parse HEAD)

grep '^linux_suspend ' guest/tests.list >"$m/tests.list" ||
	die "guest/tests.list has no linux_suspend"

# boot NAME LKVM: linux_suspend with that lkvm; the log is $m/NAME.log.
boot() {
	sh scripts/initramfs.sh "$m/$1.cpio" "$obj" "$top/build/guest/init" \
		"$m/tests.list" all "$selftests" /kvmtool/lkvm="$2" \
		/kvmtool/Image="$obj/arch/arm64/boot/Image" \
		/kvmtool/inner.cpio="$inner" \
		/kvmtool/psci_payload.bin="$selftests/harness/psci_payload.bin" \
		>/dev/null || die "cannot make the initramfs for $1"
	sh scripts/boot.sh "$obj/arch/arm64/boot/Image" "$m/$1.cpio" "$mode" \
		"$m/$1.log" "$timeout" >/dev/null 2>&1
	rm -rf "$m/$1.cpio" "$m/$1.cpio.d"
}

# failed NAME: what failed in the boot, or nothing.
failed() {
	log=$m/$1.log
	status=$(cat "$log.status" 2>/dev/null || echo "no boot")
	what=$(sed -n 's/^    not ok [0-9]* \([^ ]*\).*/\1/p' "$log" | tr '\n' ' ')
	[ -z "$what" ] && grep -q '^not ok [0-9]* linux_suspend' "$log" &&
		what="linux_suspend"
	grep -q '^ok [0-9]* linux_suspend' "$log" || what="${what:-linux_suspend gave no result}"
	[ "$status" != ok ] && what="${what:+$what; }host: $status"
	echo "${what% }"
}

start=$(date +%s)
boot series "$top/build/kvmtool/lkvm-static"
what=$(failed series)
if [ -n "$what" ]; then
	ktap_result 1 series_passes
	echo "the series' lkvm fails linux_suspend itself ($what)" | ktap_diag
	ktap_done "$m/results.ktap" >/dev/null
	die "the series' lkvm fails linux_suspend itself ($what; log: $m/series.log)"
fi
ktap_result 0 series_passes
echo "series: passes linux_suspend in mode $mode (the control, $(($(date +%s) - start)) s)"

n=0 caught=0 survivors=
for p in "$@"; do
	name=$(basename "$p" .patch)
	n=$((n + 1))
	git -C "$src" am --abort >/dev/null 2>&1
	git -C "$src" checkout -q -f "$head"
	if ! git -C "$src" am -q "$(realpath "$p")" >"$m/$name.am" 2>&1; then
		echo "mutant $name: FAIL: does not apply to the series (log: $m/$name.am)"
		ktap_result 1 "$name"
		survivors="$survivors $name"
		continue
	fi
	t0=$(date +%s)
	if ! make -C "$src" -j2 ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu- \
		LIBFDT_DIR="$top/build/kvmtool/libfdt" LDFLAGS=-static lkvm-static \
		>"$m/$name.build" 2>&1; then
		echo "mutant $name: FAIL: does not build (log: $m/$name.build)"
		ktap_result 1 "$name"
		survivors="$survivors $name"
		continue
	fi
	cp "$src/lkvm-static" "$m/$name.lkvm"
	t1=$(date +%s)
	boot "$name" "$m/$name.lkvm"
	what=$(failed "$name")
	if [ -n "$what" ]; then
		echo "mutant $name: caught by $what (build $((t1 - t0)) s, boot $(($(date +%s) - t1)) s)"
		ktap_result 0 "$name # caught by $what"
		caught=$((caught + 1))
	else
		echo "mutant $name: SURVIVED (linux_suspend passed)"
		ktap_result 1 "$name # linux_suspend passed on it: $m/$name.log"
		survivors="$survivors $name"
	fi
done
git -C "$src" am --abort >/dev/null 2>&1
git -C "$src" checkout -q -f "$head"
echo "kvmtool mutants: $caught/$n caught (mode $mode, $(($(date +%s) - start)) s; logs: $m)"
ktap_done "$m/results.ktap" >/dev/null
if [ -n "$survivors" ]; then
	echo "mutants not caught:$survivors"
	exit 1
fi
