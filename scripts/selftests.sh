#!/bin/sh
# Install the uapi headers of a kernel build and build the whole arm64 KVM
# selftest directory against them, statically linked.
# Usage: scripts/selftests.sh SRC OBJ [PROGRAM...]
#   The programs land in OBJ/kselftest/kvm; PROGRAM (aarch64/psci_test,
#   say) builds only those instead of the whole directory.
set -eu
me=selftests
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

src=$(realpath "$1")
obj=$(realpath -m "$2")
out=$obj/kselftest/kvm
shift 2
export ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu-
use_ccache

# As in kernel.sh: nothing to do when no input changed and the output is
# the one the last build left.
stamp=$obj/kselftest/.harness-selftests
# The selftests read tools/, the uapi headers and kbuild's scripts: an edit
# elsewhere (arch/arm64/kvm, say) does not rebuild them.
want="$(TREE_PATHS='tools include/uapi arch/arm64/include/uapi scripts Makefile' \
	build_inputs "$src" "$0" "$(dirname "$0")/lib.sh") $*"
output() {
	# harness/ is the guest tests' (guest/tests), not this build's output.
	# shellcheck disable=SC2012 # a listing to digest, not names to use
	ls -lR --ignore=harness --time-style=+%s "$out" "$obj/usr/include" 2>/dev/null | sha1sum | cut -c1-40
}
if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want $(output)" ]; then
	echo "selftests: nothing changed since the last build; kbuild not run"
	exit 0
fi
rm -f "$stamp"

make -s -C "$src" O="$obj" headers_install INSTALL_HDR_PATH="$obj/usr"
targets=
for prog in "$@"; do
	targets="$targets $obj/kselftest/kvm/$prog"
done
mkdir -p "$obj/kselftest/kvm"
# shellcheck disable=SC2086
make -s -C "$src/tools/testing/selftests/kvm" -j"$(nproc)" \
	OUTPUT="$obj/kselftest/kvm" INSTALL_HDR_PATH="$obj/usr" \
	LDFLAGS="-static -pthread" $targets >"$obj/kselftest/build.log" 2>&1 || {
	tail -n 30 "$obj/kselftest/build.log" >&2
	die "building tools/testing/selftests/kvm failed (log: $obj/kselftest/build.log)"
}
echo "$want $(output)" >"$stamp"
