#!/bin/sh
# Read a console log with the kernel's own KTAP parser (kunit.py parse) and
# with the verdict, and fail if they disagree about which tests and
# subtests passed. The verdict is stricter (splats, required skips, known
# failures are judged as a whole run or shown as xfail), never looser: a
# test either passes for both or for neither.
# Usage: scripts/kunit-agrees.sh KUNIT-DIR VERDICT TESTS.LIST LOG:GUEST-LIST...
#   KUNIT-DIR: a kernel tree's tools/testing/kunit; VERDICT: the built
#   scripts/verdict.c; TESTS.LIST, each LOG and its GUEST-LIST as the
#   verdict's -l and -r take them. With RESULTS=FILE in the environment,
#   a KTAP document, one result per log (they agree or not), goes to FILE.
set -eu
me='kunit-agrees'
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

kunit=$1 verdict=$2 list=$3
shift 3
[ -f "$kunit/kunit.py" ] || die "$kunit/kunit.py is missing: give a kernel tree's tools/testing/kunit"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# agree LOG GUEST-LIST
agree() {
	log=$1 guest_list=$2

	"$verdict" -l "$list" -t "$tmp/verdict.tsv" -r "run:$log:$guest_list" >/dev/null 2>&1 ||
		[ -s "$tmp/verdict.tsv" ] || { echo "$me: the verdict could not read $log" >&2; return 1; }
	awk -F '\t' '$3 == "ok" || $3 == "xpass" { print $2 }' "$tmp/verdict.tsv" |
		sort >"$tmp/verdict.passed"

	# Like the verdict, do not trust a last line that the log cut short.
	head -n "$(wc -l <"$log")" "$log" >"$tmp/complete.log"
	python3 "$kunit/kunit.py" parse "$tmp/complete.log" >"$tmp/kunit.out" 2>&1 || true
	# kunit.py prints "[PASSED] NAME" for a test without subtests, and a
	# test with subtests between "=== NAME (N subtests) ===" and
	# "=== [PASSED] NAME ===". Take the tests and their subtests, not deeper.
	sed 's/^\[[0-9:]*\] //' "$tmp/kunit.out" | awk '
		/^=+ .* \([0-9]+ subtests?\) =+$/ {
			name = $0
			sub(/^=+ /, "", name)
			sub(/ \([0-9]+ subtests?\) =+$/, "", name)
			parent[++depth] = name
			next
		}
		/^=+ \[[A-Z]+\] .* =+$/ {
			if (depth == 1 && $2 == "[PASSED]")
				print parent[1]
			depth--
			next
		}
		/^\[PASSED\] / {
			name = substr($0, 10)
			if (depth == 0)
				print name
			else if (depth == 1)
				print parent[1] ": " name
		}' | sort >"$tmp/kunit.passed"

	if ! grep -q 'Testing complete' "$tmp/kunit.out"; then
		echo "$me: kunit.py parse did not finish on $log:" >&2
		tail -n 5 "$tmp/kunit.out" >&2
		return 1
	fi
	if ! cmp -s "$tmp/verdict.passed" "$tmp/kunit.passed"; then
		echo "$me: $log: the verdict and kunit.py disagree on what passed" \
		     "(< verdict only, > kunit.py only):" >&2
		diff "$tmp/verdict.passed" "$tmp/kunit.passed" | grep '^[<>]' >&2
		return 1
	fi
	echo "$me: $log: both say $(wc -l <"$tmp/verdict.passed") passed"
}

# shellcheck source=scripts/ktap.sh
. "$(dirname "$0")/ktap.sh"
for pair; do
	if agree "${pair%%:*}" "${pair#*:}"; then r=0; else r=1; fi
	ktap_result "$r" "kunit.py parse agrees: ${pair%%:*}"
done
ktap_done "${RESULTS:-}" >/dev/null
