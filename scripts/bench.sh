#!/bin/sh
# Time the developer loop of "make": nothing changed, one file of
# arch/arm64/kvm touched, and (BENCH_COLD=1) a cold build in a build
# directory of its own. Reports; never fails on timing. Fails when the
# Image is not reproducible: rebuilt with its version and date (and, cold,
# from scratch), it must be the same file.
# Usage: scripts/bench.sh
set -eu
me=bench
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

out=build/bench
mkdir -p "$out"

# run NAME MAKE-ARGS...: time "make ARGS"; the modes boot side by side, so
# the longest boot stage is the guests' time, the rest is the harness's.
run() {
	name=$1
	shift
	start=$(date +%s.%N)
	if ! make "$@" >"$out/$name.log" 2>&1; then
		tail -n 20 "$out/$name.log" >&2
		die "make $* failed (log: $out/$name.log)"
	fi
	total=$(echo "$(date +%s.%N) - $start" | bc)
	boots=$(sed -n 's/^>> boot .* done in \([0-9.]*\) s$/\1/p' "$out/$name.log" |
		sort -n | tail -n 1)
	boots=${boots:-0}
	printf '%-28s %7.1f s total, %6.1f s outside the guests, %5.1f s in them\n' \
		"$name" "$total" "$(echo "$total - $boots" | bc)" "$boots"
	grep '^>> .* done in' "$out/$name.log" | sed 's/^>> /    /'
}

run "make (first, to warm up)"
run "make, nothing changed"
touch build/linux/arch/arm64/kvm/psci.c
run "make, psci.c touched"
# same WHAT IMAGE: the Image of build/obj/series and IMAGE must be equal.
image=build/obj/series/arch/arm64/boot/Image
same() {
	if cmp -s "$image" "$2"; then
		echo "reproducible: $1: the same Image ($(sha256sum <"$2" | cut -c1-16))"
	else
		die "$1: the Image differs: the build is not reproducible"
	fi
}

# init/version.o is the object that records when, by whom and how many
# times the kernel was built: rebuilding it and relinking must change
# nothing.
cp "$image" "$out/Image.before"
rm -f build/obj/series/init/version.o
run "make, version.o rebuilt"
same "version.o rebuilt and relinked" "$out/Image.before"

if [ "${BENCH_COLD:-0}" = 1 ]; then
	rm -rf build/bench-cold
	run "make, cold (own build dir)" B=build/bench-cold
	same "a cold build" build/bench-cold/obj/series/arch/arm64/boot/Image
	rm -rf build/bench-cold
fi
