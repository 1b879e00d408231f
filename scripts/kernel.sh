#!/bin/sh
# Configure (scripts/kernel-config.sh) and build an arm64 Image out of tree.
# Usage: scripts/kernel.sh SRC OBJ FRAGMENT...
#   SRC: kernel source tree; OBJ: build directory (O=);
#   FRAGMENT: kconfig fragments merged on top of allnoconfig.
# When nothing kbuild reads has changed since the last build (the tree's
# HEAD and changes, the fragments, the toolchain, these scripts; see
# build_inputs) and the Image is the one it made, kbuild is not run: with a
# cold page cache, walking the tree alone takes seconds.
set -eu
me=kernel
. "$(dirname "$0")/lib.sh"

here=$(dirname "$0")
src=$(realpath "$1")
obj=$(realpath -m "$2")
image=$obj/arch/arm64/boot/Image
stamp=$obj/.harness-kernel
shift 2
# Taken before the build: a tree changed while it runs is built again.
want=$(build_inputs "$src" "$@" "$here/kernel.sh" "$here/kernel-config.sh" \
	"$here/config-check.sh" "$here/lib.sh")
if [ -f "$stamp" ] && [ -f "$image" ] && [ -f "$obj/.config" ] &&
	[ "$(cat "$stamp")" = "$want $(stat -c '%s %Y' "$image" "$obj/.config")" ]; then
	echo "kernel: nothing changed since the last build; kbuild not run"
	exit 0
fi
rm -f "$stamp"
sh "$here/kernel-config.sh" "$src" "$obj" "$@"

export ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu-
# A neutral build identity, so that logs name no build machine.
export KBUILD_BUILD_USER=kvm-suspend KBUILD_BUILD_HOST=harness
make -s -C "$src" O="$obj" -j"$(nproc)" Image
echo "$want $(stat -c '%s %Y' "$image" "$obj/.config")" >"$stamp"
