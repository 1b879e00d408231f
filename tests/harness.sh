#!/bin/sh
# Fast tests of the harness itself, on recorded console logs and small fake
# trees: no kernel build, no QEMU. Run by "make check" before anything else.
# Prints its results as KTAP (scripts/ktap.sh) and leaves them in
# build/results/harness-tests.ktap for the final verdict.
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 1
logs=tests/logs
work=$top/build/harness-tests
verdict=$top/build/host/verdict
rm -rf "$work"
mkdir -p "$work" "$(dirname "$verdict")" "$top/build/kunit"
${MAKE:-make} -s --no-print-directory build/host/verdict || exit 1	# the Makefile's rule

. scripts/ktap.sh

# expect DESCRIPTION STATUS PATTERN COMMAND...: the command must exit with
# STATUS and print (stdout or stderr) a line matching the extended regex
# PATTERN, if it is not empty; one still running after DEADLINE seconds
# (300 by default) is killed, and fails.
expect() {
	desc=$1 want=$2 pattern=$3
	shift 3
	with_deadline "${DEADLINE:-300}" "$@" >"$work/out" 2>&1
	got=$?
	if [ "$got" = "$want" ] &&
	   { [ -z "$pattern" ] || grep -Eq -- "$pattern" "$work/out"; }; then
		ktap_result 0 "$desc"
	else
		ktap_result 1 "$desc"
		{ echo "exit status $got (expected $want), output (expected /$pattern/):"
		  sed 's/^/  /' "$work/out" | tail -n 25; } | ktap_diag
	fi
}

run_verdict() { # LOG [VERDICT OPTIONS...]
	log=$1
	shift
	"$verdict" -l guest/tests.list "$@" -r "vhe:$logs/$log:$logs/suspend.list"
}

# The deadline every check's command has: one that overruns it is killed,
# with what it started, and named.
# shellcheck disable=SC2016 # the script's own $$ and $1
printf '%s\n' 'echo $$ >"$1"' 'exec sleep 30' >"$work/sleeper.sh"
with_deadline 1 sh -c "sh '$work/sleeper.sh' '$work/sleeper'; :" >"$work/deadline.out" 2>&1
got=$?
if [ "$got" = 124 ] && grep -q '^  [0-9]*: sleep 30 $' "$work/deadline.out" &&
   ! ktap_alive "$(cat "$work/sleeper")"; then
	ktap_result 0 "deadline: a command past it is killed, with its children, and named"
else
	ktap_result 1 "deadline: a command past it is killed, with its children, and named"
	{ echo "status $got (expected 124):"; cat "$work/deadline.out"; } | ktap_diag
fi

# The KTAP reader and the splat detector, on recorded console logs.
expect "verdict: a clean run passes, subtests counted" 0 \
	'^13 passed, 0 failed, 0 skipped$' run_verdict good.log
expect "verdict: a failed subtest fails its test and the run" 1 \
	'system_suspend_exit_smc64 +FAIL' run_verdict failing.log
expect "verdict: a log cut in the middle of a KTAP line is no pass" 1 \
	'cut in the middle of a line' run_verdict truncated.log
expect "verdict: a kernel panic fails the run and the tests it cut off" 1 \
	'kernel splat: Unable to handle kernel' run_verdict panicked.log
expect "verdict: tests after a panic are reported missing" 1 \
	'^hypercalls +MISSING' run_verdict panicked.log
expect "verdict: a WARNING fails the run although every test passed" 1 \
	'run vhe FAILED: kernel splat: ------------\[ cut here \]' run_verdict splat.log
expect "verdict: a required test that skips fails" 1 \
	'^psci_test +FAIL' run_verdict skipped.log
expect "verdict: the series' psci_test on the base (recorded) skips, and fails" 1 \
	'^  psci_test: system_suspend_honour +FAIL' \
	"$verdict" -l guest/tests.list -r "base:$logs/on-base.log:$logs/psci.list"
expect "verdict: linux_suspend on the base (recorded): no deep, and it fails" 1 \
	"^  linux_suspend: cycles_deep_offered +FAIL" \
	"$verdict" -l guest/tests.list -r "base:$logs/linux-suspend-on-base.log:$logs/linux_suspend.list"
grep -q "not ok 1 cycles_deep_offered # mem_sleep is '\[s2idle\]'" "$logs/linux-suspend-on-base.log"
ktap_result $? "linux_suspend on the base (recorded) says why: mem_sleep is '[s2idle]'"
# make check judges 19 runs at once (four runs of each kernel, three of the
# base); the verdict has no limit of runs or tests: 70 runs (twice the old
# table's 32, and more) and a run of 300 tests (the old table had 256 rows),
# with 300 known failures (the 300th, which fails, is xfail) and 300
# required tests (the 299th, which skips, fails).
awk 'BEGIN { print "KTAP version 1"; print "1..300"
	for (i = 1; i <= 300; i++) { print "# running big" i
		print (i == 300 ? "not ok " : "ok ") i " big" i (i == 299 ? " # SKIP why" : "") }
	print "# init: all tests done, powering off" }' >"$work/big.log"
echo ok >"$work/big.log.status"
seq 1 300 | sed 's/.*/big& 60 - big/' >"$work/big.list"
seq 1 300 | sed 's/.*/big& 60 required big/' >"$work/big-tests.list"
seq 1 300 | sed 's/.*/big& fails here (recorded for this test)/' >"$work/big-xfail.list"
set --
for i in $(seq 1 70); do
	set -- "$@" -r "line$((i % 2))/run$i:$logs/good.log:$logs/suspend.list"
done
expect "verdict: 70 runs and a run of 300 tests are judged, not refused" 0 \
	'^1209 passed, 0 failed, 2 skipped$' \
	"$verdict" -l guest/tests.list -x "$work/big-xfail.list" "$@" \
	-r "big/run:$work/big.log:$work/big.list"
grep -Ec '^big[0-9]+ +(xpass|xfail|skip)$' "$work/out" >"$work/big.rows"
[ "$(cat "$work/big.rows")" = 300 ]
ktap_result $? "verdict: ... its table has the 300 rows (found $(cat "$work/big.rows")), the 300th known failure xfail"
expect "verdict: ... and the 299th required test's skip fails" 1 \
	'^1209 passed, 2 failed, 0 skipped$' \
	"$verdict" -l "$work/big-tests.list" "$@" -r "big/run:$work/big.log:$work/big.list"

# The runs of make check, in tables that fit in 80 columns: one a group of
# runs (series/, upstream/, ...), the whole matrix in a file (-m), and the
# counts as before (the recorded figure is that of the one-table verdict).
set --
for m in vhe nvhe protected a57; do
	set -- "$@" -r "series/$m:$logs/good.log:$logs/suspend.list" \
		-r "upstream/$m:$logs/good.log:$logs/suspend.list" \
		-r "upstream-psci-test/$m:$logs/on-base.log:$logs/psci.list" \
		-r "debug/$m:$logs/good.log:$logs/suspend.list"
done
for m in vhe nvhe protected; do
	set -- "$@" -b "base/$m:$logs/failing.log:$logs/suspend.list" -R "series/$m:base/$m"
done
expect "verdict: make check's 19 runs, as before: 186 passed, 34 failed" 1 \
	'^186 passed, 34 failed, 0 skipped$' \
	"$verdict" -l guest/tests.list -m "$work/matrix.txt" "$@" \
	-r "series/hung:$logs/hung.log:$logs/suspend.list"
grep -Ev '^(log|reproduce|run|regression|plan|matrix:|expected failure:) ' "$work/out" |
	awk 'length > 80 { print NR ": " length " columns: " $0; bad = 1 } END { exit bad }' \
	>"$work/wide"
ktap_result $? "verdict: ... every line of its tables fits in 80 columns"
ktap_diag <"$work/wide"
for g in series upstream upstream-psci-test debug "base (reference, not counted)"; do
	grep -qx "$g" "$work/out" || echo "no table $g"
done >"$work/groups"
grep -Eq '^test +vhe +nvhe +protected +a57 +hung$' "$work/out" ||
	echo "no table with columns vhe nvhe protected a57 hung" >>"$work/groups"
[ ! -s "$work/groups" ]
ktap_result $? "verdict: ... a table a group, a column a run"
ktap_diag <"$work/groups"
grep -Eq '^failed in series/hung:$' "$work/out" && grep -Eq '^  hypercalls TIMEOUT$' "$work/out"
ktap_result $? "verdict: ... and each failed test on a line of its own, by run"
grep -Eq '^test +series/vhe +upstream/vhe +upstream-psci-test/vhe +debug/vhe +series/nvhe .* base/protected +series/hung$' \
	"$work/matrix.txt" &&
	[ "$(grep -c '^  psci_test: system_suspend_honour ' "$work/matrix.txt")" = 1 ]
ktap_result $? "verdict: ... and the whole matrix, a column each of the 20 runs, in its file"
expect "verdict: a hung guest fails with its timeout" 1 \
	'run vhe FAILED: guest hung: timeout after 5 s' run_verdict hung.log
expect "verdict: a test cut off by the hang is a timeout" 1 \
	'^hypercalls +TIMEOUT' run_verdict hung.log

# A line far longer than a page, as init relays it, is one line.
awk '{ print } /^    1\.\.10/ { printf "    # "; for (i = 0; i < 10000; i++) printf "x"; print "" }' \
	$logs/good.log >"$work/long-line.log"
cp $logs/good.log.status "$work/long-line.log.status"
expect "verdict: a line of 10000 bytes is read whole, not taken for a cut log" 0 \
	'^13 passed, 0 failed, 0 skipped$' \
	"$verdict" -l guest/tests.list -r "vhe:$work/long-line.log:$logs/suspend.list"

# Plans: a subtest result missing or one too many fails the test; a test
# result missing fails the run.
grep -v '^  ok 7 system_suspend_honour' $logs/good.log >"$work/sub-missing.log"
sed 's/^  ok 10 system_suspend_cap_per_vm/&\n  ok 11 one_more/' $logs/good.log \
	>"$work/sub-extra.log"
grep -v '^ok 2 hypercalls' $logs/good.log >"$work/missing.log"
for f in sub-missing sub-extra missing; do
	cp $logs/good.log.status "$work/$f.log.status"
done
expect "verdict: a subtest result missing from its plan fails the test" 1 \
	'^plan vhe: psci_test planned 10 subtests, reported 9$' \
	"$verdict" -l guest/tests.list -r "vhe:$work/sub-missing.log:$logs/suspend.list"
expect "verdict: a subtest result beyond its plan fails the test" 1 \
	'^psci_test +FAIL' \
	"$verdict" -l guest/tests.list -r "vhe:$work/sub-extra.log:$logs/suspend.list"
expect "verdict: a test result missing from init's plan fails the run" 1 \
	'run vhe FAILED: /init planned 2 tests, reported 1' \
	"$verdict" -l guest/tests.list -r "vhe:$work/missing.log:$logs/suspend.list"

sed 's/^ok 2 hypercalls/not ok 2 hypercalls # exit status 254/' \
	$logs/good.log >"$work/xfail.log"
cp $logs/good.log.status "$work/xfail.log.status"
echo "hypercalls  fails on the base too (recorded for this test)" >"$work/xfail.list"
echo "hypercalls  timing: fails by chance (recorded for this test)" >"$work/xfail-timing.list"
expect "verdict: a listed known failure is shown as xfail, not hidden" 0 \
	'^hypercalls +xfail' \
	"$verdict" -l guest/tests.list -x "$work/xfail.list" \
	-r "vhe:$work/xfail.log:$logs/suspend.list"
expect "verdict: the same failure unlisted fails" 1 '^hypercalls +FAIL' \
	"$verdict" -l guest/tests.list -r "vhe:$work/xfail.log:$logs/suspend.list"
sed 's/^not ok 2 hypercalls # exit status 254/not ok 2 hypercalls # TIMEOUT after 60 s/' \
	"$work/xfail.log" >"$work/xfail-timeout.log"
cp $logs/good.log.status "$work/xfail-timeout.log.status"
expect "verdict: a listed known failure that times out is xfail too" 0 \
	'^hypercalls +xfail' \
	"$verdict" -l guest/tests.list -x "$work/xfail.list" \
	-r "vhe:$work/xfail-timeout.log:$logs/suspend.list"

expect "verdict: a test that does worse than on the base is a regression" 1 \
	'^regression new against base: FAIL:.* psci_test: system_suspend_exit_smc64 \(FAIL, was ok\)' \
	"$verdict" -l guest/tests.list -R new:base \
	-r "new:$logs/failing.log:$logs/suspend.list" \
	-b "base:$logs/good.log:$logs/suspend.list"
expect "verdict: a known failure that passed on the base is a regression" 1 \
	'^regression new against base: FAIL: hypercalls \(xfail, was xpass\)' \
	"$verdict" -l guest/tests.list -x "$work/xfail.list" -R new:base \
	-r "new:$work/xfail.log:$logs/suspend.list" \
	-b "base:$logs/good.log:$logs/suspend.list"
expect "verdict: unless it fails by timing, as xfail.list says" 0 \
	'^regression new against base: ok, nothing worse' \
	"$verdict" -l guest/tests.list -x "$work/xfail-timing.list" -R new:base \
	-r "new:$work/xfail.log:$logs/suspend.list" \
	-b "base:$logs/good.log:$logs/suspend.list"
expect "verdict: a reference run's failures are shown, not counted" 0 \
	'^14 passed, 0 failed, 0 skipped$' \
	"$verdict" -l guest/tests.list -R new:base \
	-r "new:$logs/good.log:$logs/suspend.list" \
	-b "base:$logs/failing.log:$logs/suspend.list"

# An earlier check's results, a KTAP file (verdict -k): counted, each
# failure named; a file that is missing or does not match its plan fails.
printf '%s\n' "KTAP version 1" "1..3" "ok 1 gate one" "  ok 1 nested, not counted" \
	"not ok 2 gate two" "# why it failed" "ok 3 gate three # SKIP no tool" \
	>"$work/check.ktap"
expect "verdict: a check's KTAP file is counted: 1 passed, 1 failed, 1 skipped" 1 \
	'^14 passed, 1 failed, 1 skipped$' run_verdict good.log -k "gates:$work/check.ktap"
expect "verdict: ... and its failure is named" 1 \
	'^gates: not ok: gate two$' run_verdict good.log -k "gates:$work/check.ktap"
printf '%s\n' "KTAP version 1" "1..3" "ok 1 gate one" >"$work/short.ktap"
expect "verdict: a check's KTAP file with fewer results than its plan fails" 1 \
	'^gates: FAIL: .*short.ktap: results do not match the plan$' \
	run_verdict good.log -k "gates:$work/short.ktap"
expect "verdict: a check's missing KTAP file fails" 1 \
	'^gates: FAIL: .*none.ktap: no results$' \
	run_verdict good.log -k "gates:$work/none.ktap"

# A run's role is checked before anything boots.
expect "boot-modes: an unknown ROLE is refused, naming the roles" 1 \
	'ROLE=counted-twice: not counted, cross-check or reference' \
	env ROLE=counted-twice sh scripts/boot-modes.sh x none none none "$work" vhe

# The JSON summary is JSON and says what the table says.
"$verdict" -l guest/tests.list -j "$work/summary.json" \
	-r "vhe:$logs/failing.log:$logs/suspend.list" >/dev/null
valid_json() { python3 -m json.tool "$1" >/dev/null && cat "$1"; }
expect "verdict: the JSON summary parses and has the table's counts" 0 \
	'"passed": 11, "failed": 2' valid_json "$work/summary.json"

# The kernel's own KTAP parser agrees with the verdict on what passed, on
# every recorded log and on those made from them above. kunit.py comes
# from the base tree if it is there, else from the Debian source package.
kunit=$top/build/linux/tools/testing/kunit
if [ ! -f "$kunit/kunit.py" ]; then
	kunit=$top/build/kunit/tools/testing/kunit
	[ -f "$kunit/kunit.py" ] ||
		tar -xJf /usr/src/linux-source-6.1.tar.xz -C "$top/build/kunit" \
			--strip-components=1 --wildcards '*/tools/testing/kunit/*' ||
		echo "# cannot extract kunit.py from linux-source-6.1"
fi
# (Not sub-extra.log: where a result beyond a plan belongs is the reader's
# guess; kunit.py takes it for the next test's.)
for log in "$logs"/*.log "$work"/*.log; do
	case $log in
	*/sub-extra.log) continue ;;
	*/on-base.log) list=$logs/psci.list ;;
	*/linux-suspend-on-base.log) list=$logs/linux_suspend.list ;;
	*) list=$logs/suspend.list ;;
	esac
	expect "kunit.py parse agrees with the verdict on ${log#"$top"/}" 0 \
		'both say [0-9]+ passed' \
		sh scripts/kunit-agrees.sh "$kunit" "$verdict" guest/tests.list \
		"$log:$list"
done

# The shell of the harness, by shellcheck (settings in .shellcheckrc).
expect "shellcheck: scripts/ and tests/ are silent" 0 '' \
	shellcheck -x scripts/*.sh tests/*.sh

# The config check on a fragment with an option Kconfig dropped.
printf 'CONFIG_KVM=y\nCONFIG_DEBUG_FS=y\n# CONFIG_SWAP is not set\n' >"$work/frag.config"
printf 'CONFIG_KVM=y\n# CONFIG_DEBUG_FS is not set\n# CONFIG_SWAP is not set\n' >"$work/.config"
expect "config-check: names the option the .config lacks" 1 \
	'CONFIG_DEBUG_FS=y: got # CONFIG_DEBUG_FS is not set' \
	sh scripts/config-check.sh "$work/.config" "$work/frag.config"
printf 'CONFIG_KVM=y\nCONFIG_DEBUG_FS=y\n' >"$work/.config"
expect "config-check: a .config with every option passes" 0 '' \
	sh scripts/config-check.sh "$work/.config" "$work/frag.config"

# The timeout path, with a fake QEMU whose guest never powers off.
mkdir -p "$work/bin"
cat >"$work/bin/qemu-system-aarch64" <<'EOF'
#!/bin/sh
[ "$1" = --version ] && { echo "QEMU emulator version 0 (fake)"; exit 0; }
echo "Booting Linux on physical CPU 0x0"
echo "KTAP version 1"
echo "# running psci_test"
exec sleep 600
EOF
chmod +x "$work/bin/qemu-system-aarch64"
expect "boot: a hung guest is a timeout that shows the last console lines" 0 \
	'^  \| # running psci_test' \
	env PATH="$work/bin:$PATH" sh scripts/boot.sh /dev/null /dev/null vhe \
	"$work/hung-guest.log" 2
[ "$(cat "$work/hung-guest.log.status" 2>/dev/null)" = "timeout after 2 s" ]
ktap_result $? "boot: the timeout is recorded for the verdict"

# deps.sh with a fake apt, as on a release whose linux-source is 6.12
# (apt-cache answers a name it lacks with the matches of that name taken
# as a regex), and a fake dpkg: names are looked up exactly, and what the
# release lacks is named in one line, with the releases that have it.
mkdir -p "$work/apt"
cat >"$work/apt/apt-cache" <<'EOF'
#!/bin/sh
for a; do name=$a; done
case $name in
linux-source-6.1) printf 'Package: linux-source-6.12\nVersion: 6.12.1-1\n\nPackage: linux-source-6.13\n' ;;
hello) printf 'Package: hello\nVersion: 1-1\n' ;;
esac
EOF
cat >"$work/apt/apt-get" <<'EOF'
#!/bin/sh
echo "apt-get $*" >>"$FAKE_APT_LOG"
case "$* " in "install "*" hello "*) [ -z "$FAKE_APT_INSTALLS" ] || : >"$FAKE_APT_LOG.hello" ;; esac
EOF
cat >"$work/apt/dpkg-query" <<'EOF'
#!/bin/sh
[ ! -e "$FAKE_APT_LOG.hello" ] || echo "hello install ok installed"
EOF
printf '%s\n' '#!/bin/sh' 'echo 0' >"$work/apt/id"
chmod +x "$work/apt"/*
echo 'PRETTY_NAME="Debian GNU/Linux 13 (trixie)"' >"$work/apt/os-release"
printf '%s\n' "linux-source-6.1  [bookworm] the source" "hello  a greeting" \
	>"$work/apt/packages"
printf '%s\n' "linux-source-6.1  the source" >"$work/apt/packages.bare"
fake_deps() { # INSTALLS LIST [NAME...]: INSTALLS empty, apt-get installs nothing
	rm -f "$work/apt/log.hello"
	: >"$work/apt/log"
	inst=$1
	shift
	env PATH="$work/apt:$PATH" FAKE_APT_LOG="$work/apt/log" FAKE_APT_INSTALLS="$inst" \
		OS_RELEASE="$work/apt/os-release" sh scripts/deps.sh "$@"
}
expect "deps: a package the release lacks is named, with the releases that have it" 1 \
	'^deps: linux-source-6\.1 is not a package of Debian GNU/Linux 13 \(trixie\); the releases that have it: bookworm$' \
	fake_deps 1 "$work/apt/packages"
! grep -q install "$work/apt/log"
ktap_result $? "deps: ... and nothing is installed in its place"
expect "deps: ... also when the list does not say which releases have it" 1 \
	'^deps: linux-source-6\.1 is not a package of .*; .*packages\.bare does not say which releases have it$' \
	fake_deps 1 "$work/apt/packages.bare"
expect "deps: a package the release has is installed by its exact name" 0 \
	'^deps: installing hello$' fake_deps 1 "$work/apt/packages" hello
grep -qx 'apt-get install -y -qq --no-install-recommends hello' "$work/apt/log"
ktap_result $? "deps: ... apt-get is given that name and nothing else"
expect "deps: an install that leaves the package missing fails, naming it" 1 \
	'^deps: apt-get install ended well but did not install: hello$' \
	fake_deps '' "$work/apt/packages" hello

# A series with a patch that does not apply, on a small fake tree.
sh tests/fake-tree.sh "$work/tree" "$work/series" >"$work/fake-tree.log" 2>&1 ||
	{ cat "$work/fake-tree.log"; exit 1; }
expect "series: a patch that does not apply is named, with the base" 1 \
	'0002-break-hello.patch does not apply to the base [0-9a-f]{12}' \
	sh scripts/series.sh "$work/tree" "$work/series"

# Unexported work in the tree is never reset by a new series.
git -C "$work/tree" checkout -q -B series base
echo local >"$work/tree/local.txt"
git -C "$work/tree" add local.txt
git -C "$work/tree" -c user.name=t -c user.email=t@t commit -qm "local work"
printf '%s\n%s\n' old "$(git -C "$work/tree" rev-parse base)" >"$work/tree/.git/harness-series"
expect "series: a tree with unexported commits is not reset" 1 \
	'holds uncommitted or unexported work' \
	sh scripts/series.sh "$work/tree" "$work/series"
[ "$(git -C "$work/tree" log -1 --format=%s)" = "local work" ]
ktap_result $? "series: the local commit is still there"

# The hand-assembled AArch32 guest code matches its assembly, and a wrong
# encoding is caught.
expect "aarch32-encodings: aarch32_suspend's A32/T32 code is what it says" 0 \
	'^T32 0xe7fe b.n .$' \
	sh tests/aarch32-encodings.sh guest/tests/aarch32_suspend.c
sed 's/0xe1400070,/0xe1400071,/' guest/tests/aarch32_suspend.c >"$work/bad-encoding.c"
expect "aarch32-encodings: a wrong encoding is named" 1 \
	"'hvc #0' is 0xe1400070, the source says 0xe1400071" \
	sh tests/aarch32-encodings.sh "$work/bad-encoding.c"


ktap_done "$top/build/results/harness-tests.ktap"
