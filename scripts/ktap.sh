# KTAP for the harness's own checks (tests/harness.sh, tests/faults.sh,
# scripts/gates.sh); sourced, not run. Results are kept until ktap_done,
# which writes them as one KTAP document with the plan it counted.

ktap_buf=$(mktemp)
ktap_n=0 ktap_passed=0 ktap_failed=0 ktap_skipped=0

# ktap_result STATUS DESCRIPTION: STATUS 0 is "ok", "skip" a skip, anything
# else "not ok".
ktap_result() {
	ktap_n=$((ktap_n + 1))
	case $1 in
	0)	ktap_passed=$((ktap_passed + 1))
		echo "ok $ktap_n $2" ;;
	skip)	ktap_skipped=$((ktap_skipped + 1))
		echo "ok $ktap_n $2 # SKIP" ;;
	*)	ktap_failed=$((ktap_failed + 1))
		echo "not ok $ktap_n $2" ;;
	esac >>"$ktap_buf"
}

# ktap_diag: its standard input as diagnostic lines, after the last result.
ktap_diag() {
	sed 's/^/# /' >>"$ktap_buf"
}

# ktap_done [RESULT-FILE]: print the document, and write it to RESULT-FILE
# too if given (the final verdict reads it: verdict -k); true when nothing
# failed.
ktap_done() {
	[ -z "${1:-}" ] || mkdir -p "$(dirname "$1")"
	{
		echo "KTAP version 1"
		echo "1..$ktap_n"
		cat "$ktap_buf"
	} | tee "${1:-/dev/null}"
	rm -f "$ktap_buf"
	[ "$ktap_failed" = 0 ]
}

# with_deadline SECONDS COMMAND...: run COMMAND (a shell function too) with
# this shell's standard input; if it has not ended after SECONDS, say on
# standard error what still runs of it, kill it and what it started, and
# return 124 (as timeout(1) does); else return its status.
with_deadline() {
	wd_ticks=$(($1 * 20))
	shift
	if [ -e /proc/self/fd/0 ] || [ -L /proc/self/fd/0 ]; then exec 3<&0; else exec 3</dev/null; fi
	"$@" <&3 3<&- &
	wd_pid=$!
	exec 3<&-
	while ktap_alive "$wd_pid"; do
		if [ "$wd_ticks" -le 0 ]; then
			wd_tree=$(ktap_tree "$wd_pid")
			echo "deadline: still running, killed:" >&2
			for p in $wd_tree; do
				printf '  %s: %s\n' "$p" \
					"$(tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null)" >&2
			done
			# shellcheck disable=SC2086
			kill -KILL $wd_tree 2>/dev/null
			wait "$wd_pid"
			return 124
		fi
		sleep 0.05
		wd_ticks=$((wd_ticks - 1))
	done
	wait "$wd_pid"
}

# ktap_alive PID: whether PID runs (a zombie has ended).
ktap_alive() {
	case $(sed -n 's/^State:[[:space:]]*\(.\).*/\1/p' "/proc/$1/status" 2>/dev/null) in
	''|Z) return 1 ;;
	esac
}

# ktap_tree PID: PID and its descendants.
ktap_tree() {
	for s in /proc/[0-9]*/stat; do
		cat "$s" 2>/dev/null
		echo
	done | sed -n 's/^\([0-9]*\) .*) . \([0-9]*\) .*/\1 \2/p' |
	awk -v top="$1" '{ parent[$1] = $2 } END {
		want[top] = 1; print top
		do { more = 0
			for (p in parent) if (!(p in want) && (parent[p] in want)) {
				want[p] = 1; print p; more = 1 } } while (more) }'
}
