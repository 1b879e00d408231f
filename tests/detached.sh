#!/bin/sh
# The harness's quick checks in the ways a long job is started: plainly,
# under nohup, under nohup in the background (as "nohup make check &" from
# a script: SIGINT ignored too), under setsid, with no terminal at all, with
# stdin closed, and on a terminal (script(1)). In each, the clean-root
# tests (signals, mounts), a boot timeout (a fake QEMU whose guest never
# powers off) and the checks' own deadline (with_deadline) must end within
# DEADLINE seconds (120) with the verdict of the plain run. Every condition
# starts from default signal dispositions, so that how this script was
# started does not matter.
# Needs root, as the clean-root tests do. Prints its results as KTAP and
# leaves them in build/results/detached.ktap.
# Usage: tests/detached.sh
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
work=build/detached-tests

# --probe OUT: the checks, in whatever conditions this was started in;
# their verdict in OUT/verdict.
if [ "${1:-}" = --probe ]; then
	out=$2
	RESULTS=$out/clean-root.ktap sh tests/clean-root.sh >"$out/clean-root.out" 2>&1
	PATH=$top/$work/bin:$PATH sh scripts/boot.sh /dev/null /dev/null vhe \
		"$out/hung.log" 2 >"$out/boot.out" 2>&1
	. scripts/ktap.sh
	with_deadline 1 sleep 30 >"$out/deadline.out" 2>&1
	deadline_rc=$?
	{ grep -E '^(not )?ok ' "$out/clean-root.ktap"
	  echo "boot: $(cat "$out/hung.log.status" 2>/dev/null || echo "no status")"
	  echo "deadline: status $deadline_rc, $(grep -c '^  [0-9]*: sleep 30 $' "$out/deadline.out") killed"
	} >"$out/verdict.tmp" && mv "$out/verdict.tmp" "$out/verdict"
	exit 0
fi

deadline=${DEADLINE:-120}
. scripts/ktap.sh
rm -rf "$work"
mkdir -p "$work/bin"
cat >"$work/bin/qemu-system-aarch64" <<'EOF'
#!/bin/sh
[ "$1" = --version ] && { echo "QEMU emulator version 0 (fake)"; exit 0; }
echo "Booting Linux on physical CPU 0x0"
exec sleep 600
EOF
chmod +x "$work/bin/qemu-system-aarch64"

# run_in CONDITION OUT: the probe under CONDITION (the commands are split
# on purpose).
# shellcheck disable=SC2086
run_in() {
	probe="sh tests/detached.sh --probe $2"
	case $1 in
	plain)	env --default-signal $probe ;;
	nohup)	env --default-signal nohup $probe ;;
	nohup-background)
		env --default-signal sh -c "nohup $probe & wait \$!" ;;
	setsid)	env --default-signal setsid -w $probe ;;
	no-tty)	env --default-signal setsid -w $probe </dev/null ;;
	stdin-closed)
		env --default-signal $probe <&- ;;
	tty)	env --default-signal script -qec "$probe" /dev/null </dev/null ;;
	esac
}

for c in plain nohup nohup-background setsid no-tty stdin-closed tty; do
	out=$work/$c
	mkdir -p "$out"
	start=$(date +%s)
	with_deadline "$deadline" run_in "$c" "$out" >"$out/run.out" 2>&1
	rc=$?
	secs=$(($(date +%s) - start))
	if [ "$rc" = 124 ] || [ ! -f "$out/verdict" ]; then
		ktap_result 1 "$c: the checks end with a verdict"
		{ echo "exit status $rc after $secs s (deadline $deadline s); output:"
		  tail -n 20 "$out/run.out"; } | ktap_diag
	elif [ "$c" = plain ]; then
		ktap_result 0 "$c: the checks end with a verdict ($secs s)"
	elif [ -f "$work/plain/verdict" ] && cmp -s "$work/plain/verdict" "$out/verdict"; then
		ktap_result 0 "$c: the verdict of the plain run ($secs s)"
	else
		ktap_result 1 "$c: the verdict of the plain run ($secs s)"
		{ echo "against the plain run (< plain, > $c):"
		  diff "$work/plain/verdict" "$out/verdict" | grep '^[<>]'
		  grep -A3 '^not ok' "$out/clean-root.ktap"; } 2>&1 | ktap_diag
	fi
done
# What a probe killed at its deadline left mounted in the clean-root tests'
# root (their next run takes it down too).
awk -v r="$top/build/clean-root-tests/root" 'index($2, r "/") == 1 { print $2 }' \
	/proc/self/mounts | sort -r | while read -r m; do umount -l "$m"; done

[ -f "$work/plain/verdict" ] && ! grep -q '^not ok' "$work/plain/verdict" &&
	grep -qx 'boot: timeout after 2 s' "$work/plain/verdict" &&
	grep -qx 'deadline: status 124, 1 killed' "$work/plain/verdict"
ktap_result $? "plain: the checks pass (a verdict of failures would be the same everywhere too)"

ktap_done "${RESULTS:-$top/build/results/detached.ktap}"
