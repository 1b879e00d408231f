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
