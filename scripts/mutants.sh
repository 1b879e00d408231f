#!/bin/sh
# The mutation gate: each patch in tests/mutants/ is a plausible wrong
# kernel (its commit message names the mistake), made on top of the series,
# and the SYSTEM_SUSPEND tests must fail on every one of them.
#
# Each mutant is applied alone to a work tree of build/linux's that is not
# build/linux itself: build/mutants/tree, or the gates' (MUTANTS_TREE), at
# base + series/. The kernel is rebuilt incrementally in build/mutants/obj
# (MUTANTS_OBJ) and booted in one host KVM mode
# with a light test set: psci_test, psci_fuzz, suspend_stress and
# aarch32_suspend. That is the "suspend" set of guest/tests.list without its
# slow linux_suspend, plus the 32-bit guest's test: the run is the a57 one
# (Cortex-A57, nVHE), the one CPU with AArch32 EL1. A mutant costs an
# incremental build and a boot of a few seconds, and the next mutant builds
# while the last one boots (the first run builds the tree cold). Each test
# gets 20 s and the guest 60 s: the set takes a few seconds on a correct
# kernel, and a mutant that hangs it should not cost minutes. The series
# itself is booted first the same way and must pass, so that a gate whose
# set-up fails cannot count every mutant caught. The tests are the
# series' own, built by the main run (build/obj/series/kselftest/kvm);
# mutants change the kernel only.
#
# Prints "mutant NAME: caught by TEST[: CASE...]" or "mutant NAME:
# SURVIVED" for each, then "gate mutants: K/N caught" and the survivors.
# A mutant that does not apply or does not build is not caught. The same,
# one KTAP result per mutant (ok: caught), goes to build/mutants/out/mutants.ktap.
# Usage: scripts/mutants.sh INIT [MUTANT.patch...]
#   MODE: the run of guest/modes (default a57); the mutants default to
#   tests/mutants/*.patch. Exits 0 only when every mutant is caught.
#   MUTANTS_TREE and MUTANTS_OBJ: another work tree of build/linux and its
#   build directory to use instead. The gates give theirs, built at the
#   series by the bisect gate just before, which saves the cold build.
set -u
me=mutants
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/ktap.sh"

top=$(pwd)
init=$(realpath "$1")
shift
mode=${MODE:-a57}
m=$top/build/mutants
tree=${MUTANTS_TREE:-$m/tree}
obj=${MUTANTS_OBJ:-$m/obj}
out=$m/out
selftests=$top/build/obj/series/kselftest/kvm
configs=${CONFIGS:-configs/kvm-test.config}
tests="psci_test psci_fuzz suspend_stress aarch32_suspend"
test_timeout=20 timeout=60

{ [ -x "$selftests/aarch64/psci_test" ] && [ -d "$selftests/harness" ]; } ||
	die "the series' tests are not built in $selftests: run 'make' first"
if [ $# = 0 ]; then
	set -- "$top"/tests/mutants/*.patch
	[ -e "$1" ] || die "no mutants in tests/mutants/"
fi
rm -rf "$out"
mkdir -p "$out"

# The work tree at base + series/. The series is committed through a
# separate index and then checked out, so that only the files that differ
# from the tree's last state are rewritten and the build stays incremental.
want=$(patch_digest "$top/series")
stamp=$m/series
if [ ! -e "$tree/.git" ] || ! git -C "$tree" rev-parse -q --verify HEAD >/dev/null 2>&1; then
	rm -rf "$tree" "$stamp"
	git -C build/linux worktree prune
	git -C build/linux worktree add -q --detach "$tree" base ||
		die "cannot make the work tree $tree"
fi
if [ "$(sed -n 1p "$stamp" 2>/dev/null)" != "$want" ]; then
	rm -f "$stamp"
	commit=$(git -C "$tree" rev-parse base)
	export GIT_INDEX_FILE="$m/series.index"
	export GIT_AUTHOR_NAME="$GIT_COMMITTER_NAME" GIT_AUTHOR_EMAIL="$GIT_COMMITTER_EMAIL"
	export GIT_AUTHOR_DATE="$GIT_COMMITTER_DATE"
	git -C "$tree" read-tree base
	for p in $(patch_order "$top/series"); do
		git -C "$tree" apply --cached "$(realpath "$p")" ||
			die "$p does not apply to the base"
		commit=$(git -C "$tree" commit-tree -p "$commit" \
			-m "$(sed -n 's/^Subject: //p' "$p")" "$(git -C "$tree" write-tree)")
	done
	unset GIT_INDEX_FILE
	rm -f "$m/series.index"
	printf '%s\n%s\n' "$want" "$commit" >"$stamp"
fi
head=$(sed -n 2p "$stamp")

# The guest: the light set, from guest/tests.list.
awk -v t=" $tests " -v s="$test_timeout" \
	'/^#/ || !NF { next } index(t, " " $1 " ") { $2 = s; print }' \
	guest/tests.list >"$out/tests.list"
[ "$(wc -l <"$out/tests.list")" = "$(echo "$tests" | wc -w)" ] ||
	die "guest/tests.list lacks one of: $tests"

n=0 caught=0 survivors=
boot_pid=
# judge NAME: the verdict on one mutant's boot, from its console log.
judge() {
	log=$out/$1.log
	status=$(cat "$log.status" 2>/dev/null || echo "no boot")
	failed=$(sed -n 's/^not ok [0-9]* \([^ ]*\).*/\1/p' "$log" 2>/dev/null | tr '\n' ' ')
	cases=$(sed -n 's/^    not ok [0-9]* \([^ ]*\).*/\1/p' "$log" 2>/dev/null | tr '\n' ' ')
	done_=$(grep -c '^\(not \)\?ok [0-9]' "$log" 2>/dev/null)
	what=
	[ -n "$failed" ] && what="${failed% }${cases:+ (cases: ${cases% })}"
	[ "$status" != ok ] && what="${what:+$what; }host: $status"
	[ "${done_:-0}" -lt "$ntests" ] && [ -z "$what" ] && what="guest ended before its tests"
	if [ -n "$what" ]; then
		echo "mutant $1: caught by $what"
		ktap_result 0 "mutant $1 # caught by $what"
		caught=$((caught + 1))
	else
		echo "mutant $1: SURVIVED (every test passed)"
		ktap_result 1 "mutant $1 # survived: every test passed"
		survivors="$survivors $1"
	fi
}

# The control: the series itself must pass the same boot.
git -C "$tree" am --abort >/dev/null 2>&1
git -C "$tree" checkout -q -f --detach "$head"
git -C "$tree" clean -qfd
# shellcheck disable=SC2086 # CONFIGS is a list of fragments
sh scripts/kernel.sh "$tree" "$obj" $configs >"$out/series.build" 2>&1 ||
	die "the series does not build in $tree (log: $out/series.build)"
sh scripts/initramfs.sh "$out/guest.cpio" "$obj" "$init" "$out/tests.list" all \
	"$selftests" >/dev/null || die "cannot make the gate's initramfs"
sh scripts/boot.sh "$obj/arch/arm64/boot/Image" "$out/guest.cpio" "$mode" \
	"$out/series.log" "$timeout" >/dev/null 2>&1
ntests=$(wc -l <"$out/tests.list")
if [ "$(cat "$out/series.log.status" 2>/dev/null)" != ok ] ||
   grep -q '^not ok [0-9]' "$out/series.log" ||
   [ "$(grep -c '^ok [0-9]' "$out/series.log")" != "$ntests" ]; then
	tail -n 20 "$out/series.log" >&2
	die "the series itself fails the gate's tests in mode $mode (log: $out/series.log)"
fi
echo "series: passes the gate's $ntests tests in mode $mode (the control)"

names=
for p in "$@"; do
	name=$(basename "$p" .patch)
	n=$((n + 1))
	git -C "$tree" am --abort >/dev/null 2>&1
	git -C "$tree" checkout -q -f --detach "$head"
	git -C "$tree" clean -qfd
	if ! git -C "$tree" am -q "$(realpath "$p")" >"$out/$name.am" 2>&1; then
		echo "mutant $name: FAIL: does not apply to the series (log: $out/$name.am)"
		ktap_result 1 "mutant $name # does not apply to the series"
		survivors="$survivors $name"
		continue
	fi
	# shellcheck disable=SC2086 # CONFIGS is a list of fragments
	if ! sh scripts/kernel.sh "$tree" "$obj" $configs >"$out/$name.build" 2>&1; then
		echo "mutant $name: FAIL: does not build (log: $out/$name.build)"
		ktap_result 1 "mutant $name # does not build"
		survivors="$survivors $name"
		continue
	fi
	cp "$obj/arch/arm64/boot/Image" "$out/$name.Image"
	# One boot at a time, next to the next mutant's build.
	[ -n "$boot_pid" ] && wait "$boot_pid"
	sh scripts/boot.sh "$out/$name.Image" "$out/guest.cpio" "$mode" \
		"$out/$name.log" "$timeout" >/dev/null 2>&1 &
	boot_pid=$!
	names="$names $name"
done
[ -n "$boot_pid" ] && wait "$boot_pid"
git -C "$tree" checkout -q -f --detach "$head"

for name in $names; do
	judge "$name"
done
ktap_done "$out/mutants.ktap" >/dev/null || true
echo "gate mutants: $caught/$n caught (mode $mode; logs: $out)"
if [ -n "$survivors" ]; then
	echo "mutants not caught:$survivors"
	exit 1
fi
