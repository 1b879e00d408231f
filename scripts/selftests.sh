#!/bin/sh
# Install the uapi headers of a kernel build and build the whole arm64 KVM
# selftest directory against them, statically linked.
# Usage: scripts/selftests.sh SRC OBJ
#   The programs land in OBJ/kselftest/kvm.
set -eu
me=selftests
. "$(dirname "$0")/lib.sh"

src=$(realpath "$1")
obj=$(realpath -m "$2")
export ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu-

make -s -C "$src" O="$obj" headers_install INSTALL_HDR_PATH="$obj/usr"
mkdir -p "$obj/kselftest/kvm"
make -s -C "$src/tools/testing/selftests/kvm" -j"$(nproc)" \
	OUTPUT="$obj/kselftest/kvm" INSTALL_HDR_PATH="$obj/usr" \
	LDFLAGS="-static -pthread" >"$obj/kselftest/build.log" 2>&1 || {
	tail -n 30 "$obj/kselftest/build.log" >&2
	die "building tools/testing/selftests/kvm failed (log: $obj/kselftest/build.log)"
}
