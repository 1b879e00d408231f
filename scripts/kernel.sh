#!/bin/sh
# Configure (scripts/kernel-config.sh) and build an arm64 Image out of tree.
# Usage: scripts/kernel.sh SRC OBJ FRAGMENT...
#   SRC: kernel source tree; OBJ: build directory (O=);
#   FRAGMENT: kconfig fragments merged on top of allnoconfig.
set -eu
me=kernel
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

src=$(realpath "$1")
obj=$(realpath -m "$2")
sh "$(dirname "$0")/kernel-config.sh" "$@"

export ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu-
# A neutral build identity, so that logs name no build machine.
export KBUILD_BUILD_USER=kvm-suspend KBUILD_BUILD_HOST=harness
make -s -C "$src" O="$obj" -j"$(nproc)" Image
