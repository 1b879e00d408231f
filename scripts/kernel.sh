#!/bin/sh
# Configure and build an arm64 Image out of tree.
# Usage: scripts/kernel.sh SRC OBJ FRAGMENT...
#   SRC: kernel source tree; OBJ: build directory (O=);
#   FRAGMENT: kconfig fragments merged on top of allnoconfig.
set -eu
me=kernel
. "$(dirname "$0")/lib.sh"

src=$(realpath "$1")
obj=$(realpath -m "$2")
shift 2
frags=
for f in "$@"; do
	frags="$frags $(realpath "$f")"
done

export ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu-
mkdir -p "$obj"
# shellcheck disable=SC2086
want=$(cat $frags | sha1sum | cut -c1-40)
if [ ! -f "$obj/.config" ] || [ "$(cat "$obj/.harness-config" 2>/dev/null)" != "$want" ]; then
	rm -f "$obj/.harness-config"
	# shellcheck disable=SC2086
	(cd "$src" && scripts/kconfig/merge_config.sh -n -O "$obj" $frags) \
		>"$obj/merge_config.log" 2>&1 ||
		{ cat "$obj/merge_config.log" >&2; die "merge_config.sh failed"; }
	sh "$(dirname "$0")/config-check.sh" "$obj/.config" $frags
	echo "$want" >"$obj/.harness-config"
fi

# A neutral build identity, so that logs name no build machine.
export KBUILD_BUILD_USER=kvm-suspend KBUILD_BUILD_HOST=harness
make -s -C "$src" O="$obj" -j"$(nproc)" Image
