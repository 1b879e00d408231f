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
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

here=$(dirname "$0")
kbuild_dirs "$1" "$2"
use_ccache
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
# A neutral build identity, so that logs name no build machine, and a
# fixed one, so that the same tree and config give the same Image: the time
# is the tree's commit date (the harness's commits have a fixed one).
export KBUILD_BUILD_USER=kvm-suspend KBUILD_BUILD_HOST=harness
if commit=$(git -C "$src" rev-parse HEAD 2>/dev/null); then
	git -C "$src" diff --quiet HEAD || commit="$commit (with local changes)"
else
	commit="not a git tree"
fi
KBUILD_BUILD_TIMESTAMP=$(git -C "$src" log -1 --format=%cD 2>/dev/null) ||
	KBUILD_BUILD_TIMESTAMP="Sat, 1 Jan 2000 00:00:00 +0000"
export KBUILD_BUILD_TIMESTAMP KBUILD_BUILD_VERSION=1
make -s -C "$src" O="$obj" -j"$(nproc)" Image

# Where the Image came from, for the head of every console log.
{
	echo "kernel commit: $commit"
	echo "kernel config: sha256 $(sha256sum "$obj/.config" | cut -d' ' -f1)"
} >"$obj/provenance"
echo "$want $(stat -c '%s %Y' "$image" "$obj/.config")" >"$stamp"
