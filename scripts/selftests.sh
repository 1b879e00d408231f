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
export ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu-

make -s -C "$src" O="$obj" headers_install INSTALL_HDR_PATH="$obj/usr"
shift 2
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
