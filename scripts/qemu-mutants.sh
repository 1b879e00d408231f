#!/bin/sh
# The wrong QEMUs: each patch of vmm/qemu/mutants is a plausible mistake
# (its commit message names it), made on top of vmm/qemu, and qemu_suspend
# must fail on every one. Each is applied with git am in scripts/qemu.sh's
# tree (OUT/src), built incrementally there, and booted in one run (MODE,
# vhe by default) with qemu_suspend alone; the tree is put back to the
# series and rebuilt at the end. The series' QEMU must pass the same boot
# first, so that a broken set-up does not count every mutant as caught.
# Usage: scripts/qemu-mutants.sh QEMU-OUT KOBJ INIT HARNESS INNER-CPIO
#   QEMU-OUT: scripts/qemu.sh's OUT (build/qemu), built; KOBJ: the test
#   kernel's build directory; INIT: the guest's /init; HARNESS: the
#   directory of qemu_suspend; INNER-CPIO: its inner initramfs.
set -eu
me=qemu-mutants
. "$(dirname "$0")/lib.sh"

qout=$1 kobj=$2 init=$3 harness=$4 inner=$5
mode=${MODE:-vhe}
mdir=vmm/qemu/mutants
out=build/qemu-mutants
image=$kobj/arch/arm64/boot/Image
if [ ! -x "$qout/qemu-system-aarch64" ] || [ ! -d "$qout/src/.git" ]; then
	die "$qout holds no built QEMU: make qemu first"
fi
[ -x "$harness/qemu_suspend" ] || die "$harness/qemu_suspend is missing"

rm -rf "$out"
mkdir -p "$out"
head=$(git -C "$qout/src" rev-parse HEAD)
# shellcheck disable=SC2317 # run by the trap
restore() {
	git -C "$qout/src" am --abort >/dev/null 2>&1 || true
	git -C "$qout/src" checkout -q -f "$head"
	# The tree's build is the series' again (its stamp still says so).
	PYTHONPATH=$(realpath "$qout/py/usr/lib/python3/dist-packages") \
		ninja -C "$qout/obj" qemu-system-aarch64 >"$out/restore.log" 2>&1 ||
		echo "$me: the series' QEMU did not rebuild: $out/restore.log" >&2
}
trap restore EXIT

grep '^qemu_suspend ' guest/tests.list >"$out/tests.list" ||
	die "guest/tests.list has no qemu_suspend line"
sed -i 's/^\(qemu_suspend *\)[0-9]*/\1 90/' "$out/tests.list"

# boot NAME QEMU-BINARY: 0 when qemu_suspend passed.
boot() {
	sh scripts/initramfs.sh "$out/$1.cpio" "$kobj" "$init" "$out/tests.list" all \
		"$(dirname "$harness")" /qemu/qemu-system-aarch64="$2" \
		/kvmtool/Image="$image" /qemu/inner.cpio="$inner" >/dev/null ||
		die "cannot make the initramfs for $1"
	sh scripts/boot.sh "$image" "$out/$1.cpio" "$mode" "$out/$1.log" 240 \
		>/dev/null 2>&1 || true
	rm -f "$out/$1.cpio"
	grep -q '^ok [0-9]* qemu_suspend' "$out/$1.log"
}

ktap() { echo "$*" >>"$out/results.ktap"; }
n=0
set --
for p in "$mdir"/*.patch; do
	[ -e "$p" ] && set -- "$@" "$p"
done
echo "KTAP version 1" >"$out/results.ktap"
echo "1..$(($# + 1))" >>"$out/results.ktap"
if boot series "$qout/qemu-system-aarch64"; then
	ktap "ok $((n += 1)) series_passes"
else
	ktap "not ok $((n += 1)) series_passes # see $out/series.log"
	cat "$out/results.ktap"
	exit 1
fi
failed=0
for p in "$@"; do
	name=$(basename "$p" .patch)
	git -C "$qout/src" checkout -q -f "$head"
	git -C "$qout/src" am -q "$(realpath "$p")" >"$out/$name.am" 2>&1 ||
		die "$p does not apply on vmm/qemu"
	PYTHONPATH=$(realpath "$qout/py/usr/lib/python3/dist-packages") \
		ninja -C "$qout/obj" qemu-system-aarch64 >"$out/$name.build" 2>&1 ||
		die "$name does not build: $out/$name.build"
	aarch64-linux-gnu-strip -o "$out/$name.qemu" "$qout/obj/qemu-system-aarch64"
	if boot "$name" "$out/$name.qemu"; then
		ktap "not ok $((n += 1)) $name # qemu_suspend passed on it: $out/$name.log"
		failed=1
	else
		why=$(grep -m1 '^  not ok' "$out/$name.log" | sed 's/^ *not ok [0-9]* //')
		ktap "ok $((n += 1)) $name # caught: ${why:-the guest did not finish}"
	fi
	rm -f "$out/$name.qemu"
done
cat "$out/results.ktap"
exit $failed
