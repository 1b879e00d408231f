#!/bin/sh
# "make bench": the figures of the ABI and of the harness. Reports; fails
# only when something could not be measured, never on timing.
#
#  1. The ABI: guest/tests/suspend_bench, one boot per mode (MODES), one
#     after the other: the SUSPEND exit against an MMIO exit and an
#     in-kernel call, the wake-up from SUSPENDED against the one from WFI,
#     an honoured cycle step by step. One table, a column per mode.
#  2. The harness: "make" cold (in a build directory of its own; skipped
#     with BENCH_COLD=0), with nothing changed, after a touch of psci.c, and
#     after an edit of it, each with its stages, each also with the page
#     cache dropped first (as root); "make check" too with BENCH_CHECK=1
#     (30 minutes and more).
#
# Fails, too, when the Image is not reproducible: the two cold builds must
# give the same file, and so must a rebuild of init/version.o (the build's
# date, user and count) and a relink.
#
# Usage: scripts/bench.sh (from the top of the checkout; make bench)
set -eu
me=bench
. "$(dirname "$0")/lib.sh"

out=build/bench
logs=build/logs
modes=${MODES:-vhe nvhe protected}
psci=build/linux/arch/arm64/kvm/psci.c
mkdir -p "$out"

can_drop=0
[ "$(id -u)" = 0 ] && [ -w /proc/sys/vm/drop_caches ] && can_drop=1

drop_caches() {
	sync
	echo 3 >/proc/sys/vm/drop_caches
}

# run NAME MAKE-ARGS...: time "make ARGS" and show its stages: the time
# until the first guest boots (the harness's part), the total, and the
# longest boot (the modes of make boot side by side; bench-guests' boot
# one after the other, and the rest of the total is theirs).
run() {
	name=$1
	shift
	log=$out/$(echo "$name" | tr -c 'a-zA-Z0-9\n' _).log
	rm -f "$out/status" "$out/first-boot"
	start=$(date +%s.%N)
	{ make "$@" 2>&1; echo $? >"$out/status"; } |
	while IFS= read -r line; do
		case $line in
		">> boot "*) [ -f "$out/first-boot" ] ||
				date +%s.%N >"$out/first-boot" ;;
		esac
		printf '%s\n' "$line"
	done >"$log"
	total=$(echo "$(date +%s.%N) - $start" | bc)
	if [ "$(cat "$out/status")" != 0 ]; then
		tail -n 20 "$log" >&2
		die "make $* failed (log: $log)"
	fi
	before=$total
	[ -f "$out/first-boot" ] && before=$(echo "$(cat "$out/first-boot") - $start" | bc)
	boots=$(sed -n 's/^>> boot .* done in \([0-9.]*\) s$/\1/p' "$log" |
		sort -n | tail -n 1)
	printf '%-38s %6.1f s before the guests boot, %6.1f s in all, longest boot %5.1f s\n' \
		"$name" "$before" "$total" "${boots:-0}"
	grep '^>> .* done in' "$log" | grep -v '^>> boot ' | sed 's/^>> /    /'
	grep -h '^kernel: nothing changed\|^selftests: nothing changed' "$log" |
		sed 's/^/    /' || true
}

# run_both NAME SETUP [MAKE-ARGS...]: SETUP (a shell command), then "make
# ARGS" with the page cache as it is; then, as root, SETUP again and "make
# ARGS" with the page cache dropped.
run_both() {
	name=$1 setup=$2
	shift 2
	eval "$setup"
	run "$name" "$@"
	if [ "$can_drop" = 1 ]; then
		eval "$setup"
		drop_caches
		run "$name, cold cache" "$@"
	fi
}

# The ABI's table from the "# bench KEY VALUE..." lines of each mode's log.
abi_table() {
	for m in $modes; do
		f=$logs/bench-$m.log
		[ -f "$f" ] || die "$f is missing"
		if grep -q 'not ok [0-9]' "$f" ||
		   ! grep -q '^ok [0-9]* suspend_bench' "$f"; then
			grep -h 'not ok\|Assertion\|suspend_bench\.c:' "$f" >&2 || true
			die "suspend_bench could not measure everything in mode $m (log: $f)"
		fi
		# Numbers only: a kernel message may land in the middle of a line.
		sed -n "s/^.*# bench \([a-z0-9_]*\) \([0-9. ]*\).*$/$m \1 \2/p" "$f"
	done | awk -v modes="$modes" '
	{ v[$1, $2] = $3; if (NF > 3) s[$1, $2] = $4 "-" $5 }
	function row(label, key, spread,   i, x) {
		printf "  %-40s", label
		for (i = 1; i <= n; i++) {
			x = v[m[i], key]
			if (x == "") x = "?"
			else if (spread && s[m[i], key] != "") x = x " (" s[m[i], key] ")"
			printf " %22s", x
		}
		printf "\n"
	}
	END {
		n = split(modes, m, " ")
		printf "  %-40s", ""
		for (i = 1; i <= n; i++) printf " %22s", m[i]
		printf "\n"
		print "exit round trip, calls/s"
		row("SYSTEM_SUSPEND, denied", "exit_suspend_per_s")
		row("MMIO write (floor)", "exit_mmio_per_s")
		row("MMIO write + SET_ONE_REG x0", "exit_mmio_reg_per_s")
		row("PSCI_VERSION, no exit", "exit_version_per_s")
		row("ratio SUSPEND/MMIO", "exit_ratio_suspend_mmio")
		row("ratio SUSPEND/(MMIO + SET_ONE_REG)", "exit_ratio_suspend_mmio_reg")
		print "wake-up, us: p50 (p10-p90)"
		row("SPI/vGIC: SUSPENDED to WAKEUP exit", "wake_spi_suspended_us", 1)
		row("SPI/vGIC: WFI to MMIO exit (floor)", "wake_spi_wfi_us", 1)
		row("SPI/vGIC: ratio SUSPENDED/WFI", "wake_spi_ratio")
		row("IRQ line: SUSPENDED to WAKEUP exit", "wake_line_suspended_us", 1)
		row("IRQ line: WFI to MMIO exit (floor)", "wake_line_wfi_us", 1)
		row("IRQ line: ratio SUSPENDED/WFI", "wake_line_ratio")
		print "honoured cycle, us: p50 (p10-p90)"
		row("KVM_RUN to the SUSPEND exit", "cycle_exit_us", 1)
		row("GET_ONE_REG x1, x2", "cycle_read_args_us", 1)
		row("SET_MP_STATE SUSPENDED", "cycle_set_suspended_us", 1)
		row("KVM_RUN until asleep (halt polling)", "cycle_to_sleep_us", 1)
		row("KVM_IRQ_LINE to the WAKEUP exit", "cycle_wakeup_us", 1)
		row("KVM_ARM_VCPU_INIT", "cycle_vcpu_init_us", 1)
		row("SET_ONE_REG PC, x0", "cycle_regs_us", 1)
		row("SET_MP_STATE RUNNABLE", "cycle_set_runnable_us", 1)
		row("KVM_RUN to the entry point exit", "cycle_resume_us", 1)
		row("sum of the p50s but until asleep", "cycle_sum_us")
	}'
}

echo "== the ABI: guest/tests/suspend_bench, one boot per mode, one after the other"
echo "   (times in the host KVM runs in, a QEMU TCG guest: compare the ratios)"
run "make bench-guests" bench-guests
abi_table

echo "== the harness: make (each also with the page cache dropped first)"
[ "$can_drop" = 1 ] ||
	echo "   (not root: the page cache cannot be dropped; warm figures only)"
if [ "${BENCH_COLD:-1}" = 1 ]; then
	# A build directory of its own: the tree imported and built anew,
	# twice (the second time with the page cache dropped, as root), each
	# time compiling every file (no compiler cache: scripts/lib.sh).
	export CCACHE_DISABLE=1
	cold=build/bench-cold/obj/series/arch/arm64/boot/Image
	rm -rf build/bench-cold
	run "make, cold (own build dir)" B=build/bench-cold
	cp "$cold" "$out/Image.cold"
	rm -rf build/bench-cold
	name="make, cold (own build dir), again"
	if [ "$can_drop" = 1 ]; then
		drop_caches
		name="make, cold (own build dir), cold cache"
	fi
	run "$name" B=build/bench-cold
	if cmp -s "$cold" "$out/Image.cold"; then
		echo "reproducible: two cold builds: the same Image" \
			"($(sha256sum <"$cold" | cut -c1-16))"
	else
		die "two cold builds give different Images ($out/Image.cold, $cold):" \
			"the build is not reproducible"
	fi
	rm -rf build/bench-cold
	unset CCACHE_DISABLE
fi
run "make, to start from a built tree"
run_both "make, nothing changed" true

# init/version.o records when, by whom and how many times the kernel was
# built: rebuilding it and relinking must give the same Image. The stamp
# goes too, or the kernel stage would see nothing to do.
image=build/obj/series/arch/arm64/boot/Image
cp "$image" "$out/Image.before"
rm -f build/obj/series/init/version.o build/obj/series/.harness-kernel
run "make, version.o rebuilt"
if cmp -s "$image" "$out/Image.before"; then
	echo "reproducible: version.o rebuilt and relinked: the same Image" \
		"($(sha256sum <"$image" | cut -c1-16))"
else
	die "version.o rebuilt and relinked: the Image differs: the build is not reproducible"
fi
# Content unchanged: the kernel stage must see that nothing changed.
run_both "make, psci.c touched" "touch $psci"
# A change of content and its undoing, each built; psci.c is put back as
# it was (a copy, not git: the tree may hold work of its own).
cp "$psci" "$out/psci.c.orig"
trap 'cp "$out/psci.c.orig" "$psci"' EXIT
edit="echo '/* make bench */' >>$psci"
undo="cp $out/psci.c.orig $psci"
eval "$edit"
run "make, psci.c edited"
eval "$undo"
run "make, psci.c edit undone"
if [ "$can_drop" = 1 ]; then
	eval "$edit"
	drop_caches
	run "make, psci.c edited, cold cache"
	eval "$undo"
	drop_caches
	run "make, psci.c edit undone, cold cache"
fi
trap - EXIT
if [ "${BENCH_CHECK:-0}" = 1 ]; then
	run_both "make check" true check
fi
