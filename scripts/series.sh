#!/bin/sh
# Apply series/ with git am, in quilt order, onto the base of a kernel tree
# (branch "series"). Leaves a tree with unexported work alone.
# Usage: scripts/series.sh TREE [PATCHDIR]
set -eu
me=series
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

tree=$(realpath "$1")
dir=${2:-series}
stamp=$tree/.git/harness-series
want=$(patch_digest "$dir")

if [ -f "$stamp" ] && [ "$(sed -n 1p "$stamp")" = "$want" ]; then
	if tree_has_local_work "$tree" "$stamp"; then
		echo "series: $tree has work that is not in $dir/ yet;" \
		     "building it as it is ('make export' writes it to $dir/)"
	fi
	exit 0
fi
if tree_has_local_work "$tree" "$stamp"; then
	die "$dir/ changed, but $tree holds uncommitted or unexported work;" \
	    "commit and 'make export' it, or move the tree away, first"
fi

base=$(git -C "$tree" rev-parse --short=12 base)
git -C "$tree" checkout -q -B series base
n=0
for p in $(patch_order "$dir"); do
	if ! git -C "$tree" am -q "$(realpath "$p")" >/dev/null 2>&1; then
		git -C "$tree" am --abort 2>/dev/null || true
		git -C "$tree" checkout -q -B series base
		die "$p does not apply to the base $base" \
		    "($(git -C "$tree" log -1 --format=%s upstream) + base/);" \
		    "try: git -C $tree am $(realpath "$p")"
	fi
	n=$((n + 1))
done
printf '%s\n%s\n' "$want" "$(git -C "$tree" rev-parse HEAD)" >"$stamp"
echo "series: applied $n patches of $dir/ onto base $base"
