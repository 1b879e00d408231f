#!/bin/sh
# The checks a maintainer runs before trusting a series, each a named gate
# with a verdict line "gate NAME: ok" or "gate NAME: FAIL: why". Works in a
# work tree of its own (build/gates/tree), never in build/linux.
#
#   applies      quilt push -a on a plain copy of the base, no fuzz or
#                offset; git am of every patch on a fresh base
#   base-commit  the cover letter's base-commit: is the base made here
#                from the installed linux-source-6.1
#   checkpatch   scripts/checkpatch.pl --strict on every patch: silent
#   codespell    no misspelling in the lines the series adds
#   bisect       after each patch the test kernel and the KVM selftests
#                build, with no warning the base build does not have
#   w1, sparse   make W=1 / C=2 on arch/arm64/kvm: nothing new
#   uapi         CONFIG_UAPI_HEADER_TEST builds; linux/kvm.h has the ABI
#   docs         make SPHINXDIRS=virt htmldocs: no new warning
#   distro       arch/arm64/kvm with Debian's arm64 config: no warning
#   footprint    vmlinux growth, series and upstream (reported only)
#   kvmtool      vmm/kvmtool applies with git am to kvmtool ($KVMTOOL, the
#                snapshot by default), whose build then has no warning
#                the unpatched kvmtool's does not have
#   qemu         vmm/qemu applies with git am to QEMU ($QEMU, Debian 13's
#                source package by default), whose build then has no
#                warning the unpatched QEMU's does not have
#   mutants      every wrong kernel of tests/mutants/ fails the tests
#                (scripts/mutants.sh)
#
# It also leaves what the regression run needs: the base kernel and an
# initramfs of the base's own selftests, in build/gates/base.
# Usage: scripts/gates.sh INIT [PATCHDIR]
#   PATCHDIR: the series to judge (default series/). CONFIGS: the kconfig
#   fragments of the kernels (the Makefile's). Results go to
#   build/results/gates.ktap, for the final verdict;
#   exits 0 when the gates could run.
set -u
me=gates
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

top=$(pwd)
init=$(realpath "$1")
g=$top/build/gates
tree=$g/tree
kobj=$top/build/obj/base
out=$g/out
# The kconfig fragments of the kernel under test: the Makefile's CONFIGS.
configs=$(for c in ${CONFIGS:?"set CONFIGS to the kconfig fragments (make gates does)"}; do
	realpath "$c"; done)
export ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu-
use_ccache
export KBUILD_BUILD_USER=kvm-suspend KBUILD_BUILD_HOST=harness

. "$top/scripts/ktap.sh"
pass() {
	echo "gate $1: ok${2:+ ($2)}"
	ktap_result 0 "gate $1"
}
fail() {
	echo "gate $1: FAIL: $2"
	ktap_result 1 "gate $1"
	echo "$2" | ktap_diag
}
# The gates' results as KTAP, for the final verdict.
gates_done() {
	ktap_done "$top/build/results/gates.ktap" >/dev/null
	echo "gates: $ktap_passed of $ktap_n passed (logs: $out, results: build/results/gates.ktap)"
}

# Warning lines without line and column numbers, sorted, so that sets from
# different builds compare; PATH: WARNING text for Sphinx.
warnings() {
	grep -E 'warning:|error:|WARNING|ERROR' "$@" 2>/dev/null |
		sed -E -e "s|$tree/||g" -e 's/:[0-9]+(:[0-9]+)?:/:/' | sort -u
}
new_warnings() { # BASE-SET NEW-SET
	comm -13 "$1" "$2"
}

sdir=$(realpath "${2:-series}")
patches=$(patch_order "$sdir")
rm -rf "$out"
mkdir -p "$out" "$g/base"

# A work tree of build/linux at the base, clean. One whose repository is
# gone (build/linux imported anew) is made again.
if [ -e "$tree/.git" ] && git -C "$tree" rev-parse -q --verify HEAD >/dev/null 2>&1; then
	git -C "$tree" am --abort >/dev/null 2>&1
	rm -rf "$tree/.pc"
	git -C "$tree" checkout -q -f --detach base && git -C "$tree" clean -qfdx -e '/obj-*'
else
	rm -rf "$tree"
	git -C build/linux worktree prune
	git -C build/linux worktree add -q --detach "$tree" base
fi || die "cannot make the work tree $tree at the base"

# applies: quilt, the way a distribution's packaging applies patches.
(cd "$tree" && QUILT_PATCHES="$sdir" quilt push -a) >"$out/quilt.log" 2>&1
rc=$?
if [ $rc != 0 ]; then
	fail applies-quilt "quilt push -a failed: $(grep -m1 -iE 'fail|error' "$out/quilt.log")"
elif grep -qiE 'offset|fuzz' "$out/quilt.log"; then
	fail applies-quilt "$(grep -m1 -iE 'offset|fuzz' "$out/quilt.log")"
else
	pass applies-quilt "$(grep -c '^Applying patch' "$out/quilt.log") patches, no fuzz, no offset"
fi
(cd "$tree" && QUILT_PATCHES="$sdir" quilt pop -a -q) >/dev/null 2>&1
rm -rf "$tree/.pc"
git -C "$tree" checkout -q -f --detach base

# base-commit: the cover letter names the tree the series was tested on.
# The base is made from the tarball's content (scripts/base.sh), so only
# a linux-source-6.1 with other source gives another one.
made=$(sed -n 's/^base-commit: //p' "$sdir/0000-cover-letter.patch")
have=$(git -C build/linux rev-parse base)
pkgver=$(dpkg-query -W -f='${Version}' linux-source-6.1 2>/dev/null)
if [ "$made" = "$have" ]; then
	pass base-commit "$have, from linux-source-6.1 $pkgver"
else
	fail base-commit "the cover letter's base-commit ${made:-(none)} is not $have, the base made from linux-source-6.1 $pkgver: test the series on it, then 'make export'"
fi

# checkpatch and codespell need no build. checkpatch runs from the top of
# the tree: elsewhere it takes the patch for a plain file. The base is a
# tarball import with no upstream history, so the commits the messages
# cite (in the form checkpatch checks) cannot be looked up here:
# UNKNOWN_COMMIT_ID is left to a maintainer's tree.
cp_out=$(cd "$tree" && for p in $patches; do
	perl scripts/checkpatch.pl --strict --terse --no-summary \
		--ignore UNKNOWN_COMMIT_ID "$p" 2>&1
done)
if [ -z "$cp_out" ]; then
	pass checkpatch "--strict, $(echo "$patches" | wc -w) patches"
else
	fail checkpatch "$(echo "$cp_out" | head -n 3)"
fi
for p in $patches; do
	sed -n 's/^+\([^+]\|$\)/\1/p' "$p"
done >"$out/added-lines"
if codespell "$out/added-lines" >"$out/codespell.log" 2>&1; then
	pass codespell "$(wc -l <"$out/added-lines") added lines"
else
	fail codespell "$(head -n 3 "$out/codespell.log")"
fi

# The base: kernel, selftests, W=1, sparse, docs. Each warning set is the
# reference for the same check after the series.
build_kernel() { # LOG
	# shellcheck disable=SC2086 # one argument per fragment
	sh "$top/scripts/kernel.sh" "$tree" "$kobj" $configs 2>"$1"
}
build_selftests() { # LOG
	sh "$top/scripts/selftests.sh" "$tree" "$kobj" >/dev/null 2>&1
	rc=$?
	cp "$kobj/kselftest/build.log" "$1"
	return $rc
}
kvm_checks() { # NAME
	make -s -C "$tree" O="$kobj" -j"$(nproc)" W=1 arch/arm64/kvm/ \
		2>"$out/w1-$1.log" >/dev/null
	make -s -C "$tree" O="$kobj" -j"$(nproc)" C=2 arch/arm64/kvm/ \
		2>"$out/sparse-$1.log" >/dev/null
	warnings "$out/w1-$1.log" >"$out/w1-$1.set"
	warnings "$out/sparse-$1.log" >"$out/sparse-$1.set"
}
docs() { # NAME
	make -s -C "$tree" O="$g/docs" SPHINXDIRS=virt htmldocs \
		>"$out/docs-$1.log" 2>&1
	warnings "$out/docs-$1.log" >"$out/docs-$1.set"
}

echo "gates: building the base (log: $out)"
if ! build_kernel "$out/kernel-base.log" || ! build_selftests "$out/selftests-base.log"; then
	die "the base does not build: $out/kernel-base.log, $out/selftests-base.log"
fi
warnings "$out/kernel-base.log" >"$out/kernel-base.set"
warnings "$out/selftests-base.log" >"$out/selftests-base.set"
cp "$kobj/vmlinux" "$g/base/vmlinux"
cp "$kobj/arch/arm64/boot/Image" "$g/base/Image"
for o in psci arm; do
	cp "$kobj/arch/arm64/kvm/$o.o" "$g/base/$o.o"
done
sh "$top/scripts/initramfs.sh" "$g/base/all.cpio" "$kobj" "$init" \
	"$top/guest/tests.list" -harness "$kobj/kselftest/kvm" ||
	die "cannot make the base's initramfs"
kvm_checks base
docs base

# bisect: each patch on its own, in order, with git am.
n=0 bisect_bad='' am_bad=''
for p in $patches; do
	n=$((n + 1))
	if ! git -C "$tree" am -q "$p" >"$out/am-$n.log" 2>&1; then
		am_bad="$p"
		git -C "$tree" am --abort >/dev/null 2>&1
		break
	fi
	build_kernel "$out/kernel-$n.log" || bisect_bad="$bisect_bad $p (kernel does not build)"
	build_selftests "$out/selftests-$n.log" || bisect_bad="$bisect_bad $p (selftests do not build)"
	for what in kernel selftests; do
		warnings "$out/$what-$n.log" >"$out/$what-$n.set"
		new=$(new_warnings "$out/$what-base.set" "$out/$what-$n.set")
		[ -z "$new" ] || bisect_bad="$bisect_bad $p (new $what warning: $(echo "$new" | head -n 1))"
	done
done
if [ -n "$am_bad" ]; then
	fail applies-git-am "$am_bad does not apply to the base: $(head -n 2 "$out/am-$n.log")"
	fail bisect "not run: a patch does not apply"
	gates_done
	exit 0
fi
pass applies-git-am "$n patches on a fresh base"
if [ -z "$bisect_bad" ]; then
	pass bisect "kernel and selftests build after each of $n patches, no new warning"
else
	fail bisect "$bisect_bad"
fi

kvm_checks series
for what in w1 sparse; do
	new=$(new_warnings "$out/$what-base.set" "$out/$what-series.set")
	if [ -z "$new" ]; then
		pass "$what" "arch/arm64/kvm: $(wc -l <"$out/$what-series.set") warnings, all on the base too"
	else
		fail "$what" "$(echo "$new" | head -n 3)"
	fi
done

docs series
new=$(new_warnings "$out/docs-base.set" "$out/docs-series.set")
if [ ! -s "$g/docs/Documentation/output/virt/kvm/api.html" ]; then
	fail docs "no api.html (log: $out/docs-series.log)"
elif [ -z "$new" ]; then
	pass docs "SPHINXDIRS=virt: $(wc -l <"$out/docs-series.set") warnings, all on the base too"
else
	fail docs "$(echo "$new" | head -n 3)"
fi

# uapi: every exported header compiles on its own; the ABI numbers.
uobj=$top/build/obj/uapi
printf 'CONFIG_HEADERS_INSTALL=y\nCONFIG_UAPI_HEADER_TEST=y\n' >"$out/uapi.config"
if sh "$top/scripts/kernel-config.sh" "$tree" "$uobj" "$out/uapi.config" >"$out/uapi.log" 2>&1 &&
   make -s -C "$tree" O="$uobj" -j"$(nproc)" headers usr/include/ >>"$out/uapi.log" 2>&1; then
	pass uapi-header-test "CONFIG_UAPI_HEADER_TEST=y builds"
else
	fail uapi-header-test "$(grep -m 3 -E 'error|Error' "$out/uapi.log")"
fi
kvm_h=$kobj/usr/include/linux/kvm.h
if grep -qE '^#define KVM_CAP_ARM_SYSTEM_SUSPEND 216$' "$kvm_h" &&
   grep -qE '^#define KVM_SYSTEM_EVENT_SUSPEND +5$' "$kvm_h"; then
	pass uapi-abi "installed linux/kvm.h: KVM_CAP_ARM_SYSTEM_SUSPEND 216, KVM_SYSTEM_EVENT_SUSPEND 5"
else
	fail uapi-abi "installed linux/kvm.h lacks the upstream values"
fi

# distro: Debian's own arm64 configuration, arch/arm64/kvm only.
dconf=$(ls "$top"/build/deps/linux-config-6.1_arm64/usr/src/linux-config-6.1/config.arm64_none_arm64.xz 2>/dev/null)
if [ -z "$dconf" ]; then
	fail distro "Debian's arm64 config is missing (scripts/deps.sh fetches it)"
else
	dobj=$top/build/obj/distro
	mkdir -p "$dobj"
	xz -dc "$dconf" >"$dobj/.config"
	# Debian's signing keys are not in the source package.
	"$tree/scripts/config" --file "$dobj/.config" \
		--set-str SYSTEM_TRUSTED_KEYS "" --set-str SYSTEM_REVOCATION_KEYS "" \
		--set-str MODULE_SIG_KEY "certs/signing_key.pem"
	if make -s -C "$tree" O="$dobj" olddefconfig >"$out/distro.log" 2>&1 &&
	   make -s -C "$tree" O="$dobj" -j"$(nproc)" arch/arm64/kvm/ >>"$out/distro.log" 2>&1; then
		if [ -z "$(warnings "$out/distro.log")" ]; then
			pass distro "arch/arm64/kvm with config.arm64_none_arm64: no warning"
		else
			fail distro "$(warnings "$out/distro.log" | head -n 3)"
		fi
	else
		fail distro "build failed: $(grep -m 3 -E 'error|Error' "$out/distro.log")"
	fi
fi

# kvmtool: both builds are kept under build/gates and redone only when
# their inputs change.
ksrc=${KVMTOOL:-../shared/vendor/kvmtool-ca0ddafa941d.tar.xz}
if ! sh "$top/scripts/kvmtool.sh" "$ksrc" "$tree" - "$g/kvmtool-base" \
	>"$out/kvmtool-base.log" 2>&1; then
	fail kvmtool "unpatched kvmtool: $(grep -m 1 'kvmtool:' "$out/kvmtool-base.log")"
elif ! sh "$top/scripts/kvmtool.sh" "$ksrc" "$tree" "$top/vmm/kvmtool" \
	"$g/kvmtool" >"$out/kvmtool.log" 2>&1; then
	fail kvmtool "$(grep -m 1 'kvmtool:' "$out/kvmtool.log")"
else
	warnings "$g/kvmtool-base/build.log" >"$out/kvmtool-base.set"
	warnings "$g/kvmtool/build.log" >"$out/kvmtool.set"
	new=$(new_warnings "$out/kvmtool-base.set" "$out/kvmtool.set")
	if [ -z "$new" ]; then
		pass kvmtool "$(patch_order "$top/vmm/kvmtool" | wc -l) patches with git am, lkvm-static builds, no new warning"
	else
		fail kvmtool "$(echo "$new" | head -n 3)"
	fi
fi

# qemu: the same for vmm/qemu on QEMU ($QEMU, Debian 13's source package
# by default): the patched build is the one make built for the tests, and
# the unpatched one takes its downloads. Warnings are compared by source
# path, as each build has its own directory.
qsrc=${QEMU:-debian}
qemu_warnings() {
	warnings "$1" | sed -E 's|[^ :]*/obj/\.\./src/||g' | sort -u
}
mkdir -p "$g/qemu-base"
[ -e "$g/qemu-base/dl" ] || [ ! -d "$top/build/qemu/dl" ] ||
	ln -s "$top/build/qemu/dl" "$g/qemu-base/dl"
if ! sh "$top/scripts/qemu.sh" "$qsrc" - "$g/qemu-base" >"$out/qemu-base.log" 2>&1; then
	fail qemu "unpatched QEMU: $(tail -n 1 "$out/qemu-base.log")"
elif ! sh "$top/scripts/qemu.sh" "$qsrc" "$top/vmm/qemu" "$top/build/qemu" \
	>"$out/qemu.log" 2>&1; then
	fail qemu "$(tail -n 1 "$out/qemu.log")"
else
	qemu_warnings "$g/qemu-base/build.log" >"$out/qemu-base.set"
	qemu_warnings "$top/build/qemu/build.log" >"$out/qemu.set"
	new=$(new_warnings "$out/qemu-base.set" "$out/qemu.set")
	if [ -z "$new" ]; then
		pass qemu "$(patch_order "$top/vmm/qemu" | wc -l) patches with git am, qemu-system-aarch64 builds, no new warning"
	else
		fail qemu "$(echo "$new" | head -n 3)"
	fi
fi

# footprint: reported, never failed on.
size_of() { aarch64-linux-gnu-size "$1" | awk 'NR == 2 { print $1, $2 }'; }
report() { # NAME OLD NEW
	# shellcheck disable=SC2046 # size_of prints the three sizes
	set -- "$1" $(size_of "$2") $(size_of "$3")
	printf 'footprint %-22s text %+6d B, data %+6d B\n' "$1" $(($4 - $2)) $(($5 - $3))
}
report "vmlinux, series" "$g/base/vmlinux" "$kobj/vmlinux"
for o in psci arm; do
	report "$o.o, series" "$g/base/$o.o" "$kobj/arch/arm64/kvm/$o.o"
done
sobj=$top/build/obj/upstream
if [ -f "$sobj/vmlinux" ]; then
	report "vmlinux, upstream" "$g/base/vmlinux" "$sobj/vmlinux"
	for o in psci arm; do
		report "$o.o, upstream" "$g/base/$o.o" "$sobj/arch/arm64/kvm/$o.o"
	done
fi
"$tree/scripts/bloat-o-meter" "$g/base/vmlinux" "$kobj/vmlinux" >"$out/bloat-series.txt" 2>&1 &&
	sed -n '1p;$p' "$out/bloat-series.txt" | sed 's/^/footprint series:   /'
[ -f "$sobj/vmlinux" ] &&
	"$tree/scripts/bloat-o-meter" "$g/base/vmlinux" "$sobj/vmlinux" >"$out/bloat-upstream.txt" 2>&1 &&
	sed -n '1p;$p' "$out/bloat-upstream.txt" | sed 's/^/footprint upstream: /'

# mutants: every plausible wrong kernel of tests/mutants/ fails the
# SYSTEM_SUSPEND tests (scripts/mutants.sh), in the gates' tree, where the
# bisect gate left the series built: each mutant is an incremental build.
MUTANTS_TREE=$tree MUTANTS_OBJ=$kobj sh "$top/scripts/mutants.sh" "$init" \
	>"$out/mutants.log" 2>&1
rc=$?
grep '^mutant ' "$out/mutants.log"
caught=$(sed -n 's/^gate mutants: \([0-9]*\/[0-9]*\) caught.*/\1/p' "$out/mutants.log")
if [ $rc = 0 ] && [ -n "$caught" ]; then
	pass mutants "$caught caught"
else
	fail mutants "${caught:-no} caught; $(grep -m 1 -E '^mutants not caught|^mutants: ' "$out/mutants.log")"
fi


gates_done
