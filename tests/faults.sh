#!/bin/sh
# The harness under faults, on the real test kernel: a test program that
# crashes, one that hangs past its timeout, a guest that hangs past the
# host's timeout, and a guest kernel that panics. Each must end in a clear
# verdict that fails and keeps the console log.
# Usage: tests/faults.sh KOBJ INIT PROGRAMS
#   KOBJ: a built test kernel; INIT: the guest's /init; PROGRAMS: where
#   guest/tests put crash and hang. Results go to build/results/fault-tests.ktap.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
kobj=$1 init=$2 progs=$3
work=$top/build/fault-tests
verdict=$top/build/host/verdict
image=$kobj/arch/arm64/boot/Image
rm -rf "$work"
mkdir -p "$work"
. scripts/ktap.sh

# check DESCRIPTION LOG GUEST-LIST PATTERN: the verdict on LOG must fail
# and print a line matching PATTERN; the log must still be there.
check() {
	"$verdict" -l guest/tests.list -r "fault:$2:$3" >"$work/out" 2>&1
	rc=$?
	if [ "$rc" = 1 ] && grep -Eq -- "$4" "$work/out" && [ -s "$2" ]; then
		ktap_result 0 "$1"
	else
		ktap_result 1 "$1"
		{ echo "verdict exit status $rc (expected 1), expected /$4/:"
		  sed 's/^/  /' "$work/out" | tail -n 15; } | ktap_diag
	fi
}

# has DESCRIPTION LOG LINE: LOG holds LINE as a whole line (a fixed
# string; the console's carriage returns aside).
has() {
	if tr -d '\r' <"$2" | grep -Fqx -- "$3"; then
		ktap_result 0 "$1"
	else
		ktap_result 1 "$1"
		{ echo "no line '$(echo "$3" | cut -c1-60)' in $2; its last lines:"
		  tail -n 15 "$2" | cut -c1-200 | sed 's/^/  /'; } | ktap_diag
	fi
}

# Test programs that crash, hang, hang with their output closed, and print
# a line longer than a page, in one guest.
printf '%s\n' "crash 30 - crash" "hang 3 - hang" "long_line 30 - long_line" \
	"hang_closed 3 - hang --close-output" "after_hang 30 - long_line 10" \
	>"$work/programs.list"
sh scripts/initramfs.sh "$work/programs.cpio" "$kobj" "$init" \
	"$work/programs.list" all "$progs" >/dev/null
sh scripts/boot.sh "$image" "$work/programs.cpio" vhe "$work/programs.log" 120 \
	>/dev/null 2>&1
check "a test that crashes is a failure naming the signal" "$work/programs.log" \
	"$work/programs.cpio.d/tests.list" '^crash +FAIL'
check "a test that overruns its timeout is killed and reported" "$work/programs.log" \
	"$work/programs.cpio.d/tests.list" '^hang +TIMEOUT'
has "a test that closes its output and hangs is killed at its timeout" \
	"$work/programs.log" "not ok 4 hang_closed # TIMEOUT after 3 s"
has "a line of 10000 bytes reaches the console whole, then a newline" \
	"$work/programs.log" "  # $(printf '%10000s' '' | tr ' ' x)"
has "the result after the long line is a line of its own" \
	"$work/programs.log" "  ok 1 after_long_line"
check "the long line's test passes, its subtest counted" "$work/programs.log" \
	"$work/programs.cpio.d/tests.list" '^  long_line: after_long_line +ok'
check "the test after the closed-output hang runs and passes" \
	"$work/programs.log" "$work/programs.cpio.d/tests.list" '^after_hang +ok'

# A failed test's reproducer: the verdict prints, for each failed test, the
# run's boot command (scripts/boot-modes.sh leaves it in LOG.repro) with
# harness_only=TEST; that boot runs the test alone and fails the same way.
echo "sh scripts/boot.sh $image $work/programs.cpio vhe $work/alone.log 60" \
	>"$work/programs.log.repro"
"$verdict" -l guest/tests.list -r "fault:$work/programs.log:$work/programs.cpio.d/tests.list" \
	>"$work/repro.out" 2>&1
repro=$(sed -n 's/^reproduce fault crash: //p' "$work/repro.out")
case $repro in
*" harness_only=crash")
	ktap_result 0 "a failed test's reproducer is printed, with harness_only" ;;
*)	ktap_result 1 "a failed test's reproducer is printed, with harness_only"
	sed 's/^/  /' "$work/repro.out" | ktap_diag ;;
esac
$repro >/dev/null 2>&1
has "the reproducer boots the failed test alone" "$work/alone.log" "1..1"
has "... and it fails the same way" "$work/alone.log" \
	"not ok 1 crash # killed by signal 11 (Segmentation fault)"

# A guest that never powers off: the host-side timeout ends it.
printf '%s\n' "hang 600 - hang" >"$work/hung.list"
sh scripts/initramfs.sh "$work/hung.cpio" "$kobj" "$init" "$work/hung.list" \
	all "$progs" >/dev/null
sh scripts/boot.sh "$image" "$work/hung.cpio" vhe "$work/hung.log" 15 \
	>"$work/hung.boot" 2>&1
check "a hung guest is a host-side timeout, with its log" "$work/hung.log" \
	"$work/hung.cpio.d/tests.list" 'guest hung: timeout after 15 s'

# A guest kernel that panics: no /init to run.
printf 'dir /dev 0755 0 0\nnod /dev/console 0600 0 0 c 5 1\n' >"$work/noinit.list"
"$kobj/usr/gen_init_cpio" "$work/noinit.list" >"$work/noinit.cpio"
sh scripts/boot.sh "$image" "$work/noinit.cpio" vhe "$work/panic.log" 60 \
	>/dev/null 2>&1
check "a guest kernel panic is a failure, with its log" "$work/panic.log" \
	"$work/programs.cpio.d/tests.list" 'kernel splat: Kernel panic'

echo "logs: $work" | ktap_diag
ktap_done "$top/build/results/fault-tests.ktap"
