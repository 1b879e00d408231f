#!/bin/sh
# Configure an out-of-tree kernel build: allnoconfig plus kconfig fragments,
# merged with the kernel's merge_config.sh, then checked: an option that
# Kconfig dropped fails the run, named. Does nothing when the fragments are
# unchanged since the last run.
# Usage: scripts/kernel-config.sh SRC OBJ FRAGMENT...
set -eu
me=kernel-config
# shellcheck source=scripts/lib.sh
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
if [ -f "$obj/.config" ] && [ "$(cat "$obj/.harness-config" 2>/dev/null)" = "$want" ]; then
	exit 0
fi
rm -f "$obj/.harness-config"
# shellcheck disable=SC2086
(cd "$src" && scripts/kconfig/merge_config.sh -n -O "$obj" $frags) \
	>"$obj/merge_config.log" 2>&1 ||
	{ cat "$obj/merge_config.log" >&2; die "merge_config.sh failed"; }
# shellcheck disable=SC2086
sh "$(dirname "$0")/config-check.sh" "$obj/.config" $frags
echo "$want" >"$obj/.harness-config"
