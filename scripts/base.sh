#!/bin/sh
# Make the base tree: Debian's linux-source-6.1 imported into a git repo
# (tag "upstream": upstream's implementation of the ABI is in it), then the
# preparation patches of base/ applied (tag "base").
# Usage: scripts/base.sh TREE
set -eu
me=base
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

tree=$(realpath -m "$1")
stamp=$tree/.git/harness-base
top=$(pwd)

tarball=$(dpkg -L linux-source-6.1 2>/dev/null | grep '/linux-source-6\.1\.tar\.xz$' | head -n 1)
[ -f "$tarball" ] ||
	die "linux-source-6.1 is not installed (scripts/deps.sh installs it)"
pkgver=$(dpkg-query -W -f='${Version}' linux-source-6.1)
want="$pkgver $(patch_digest base) tag upstream"

# The cover letter's base-commit: was made from one linux-source-6.1;
# another version gives another base, on which the series may not apply.
check_base_commit() {
	made=$(sed -n 's/^base-commit: //p' "$top/series/0000-cover-letter.patch" 2>/dev/null)
	have=$(git -C "$tree" rev-parse base)
	[ -z "$made" ] || [ "$made" = "$have" ] ||
		echo "base: warning: linux-source-6.1 $pkgver gives the base $have," \
		     "not the cover letter's base-commit $made: the series was made" \
		     "on another version of linux-source-6.1" >&2
}

if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$want" ]; then
	check_base_commit
	exit 0
fi

if [ -d "$tree/.git" ]; then
	if tree_has_local_work "$tree" "$tree/.git/harness-series"; then
		die "$tree must be remade (linux-source-6.1 or base/ changed)," \
		    "but it holds uncommitted or unexported work: commit and" \
		    "'make export', or move it away"
	fi
fi

# Trees imported before the tag was renamed carry "stock-VERSION".
if git -C "$tree" rev-parse -q --verify "refs/tags/stock-$pkgver" >/dev/null 2>&1 &&
   ! git -C "$tree" rev-parse -q --verify "refs/tags/upstream-$pkgver" >/dev/null 2>&1; then
	git -C "$tree" tag "upstream-$pkgver" "stock-$pkgver"
fi
if ! git -C "$tree" rev-parse -q --verify "refs/tags/upstream-$pkgver" >/dev/null 2>&1; then
	start=$(now)
	echo "base: importing $tarball (linux-source-6.1 $pkgver)"
	rm -rf "$tree.new"
	mkdir -p "$tree.new"
	tar -xf "$tarball" -C "$tree.new" --strip-components=1
	v=$(make -s -C "$tree.new" kernelversion)
	(
		cd "$tree.new"
		git init -q
		git config advice.detachedHead false
		# Debian's .gitignore ignores every top-level entry: force-add.
		git -c core.looseCompression=0 add -f -A
		GIT_AUTHOR_NAME=$GIT_COMMITTER_NAME \
		GIT_AUTHOR_EMAIL=$GIT_COMMITTER_EMAIL \
		GIT_AUTHOR_DATE=$GIT_COMMITTER_DATE \
			git commit -q -m "Linux $v from Debian linux-source-6.1 $pkgver" \
			-m "The unmodified source tarball of the Debian package."
		git tag "upstream-$pkgver"
		git tag -f upstream >/dev/null
	)
	rm -rf "$tree"
	mv "$tree.new" "$tree"
	echo "base: imported Linux $v in $(($(now) - start)) s"
fi

cd "$tree"
git checkout -q --detach "upstream-$pkgver"
git tag -f upstream >/dev/null
for p in $(cd "$top" && patch_order base); do
	if ! git am -q "$top/$p" >/dev/null 2>&1; then
		git am --abort 2>/dev/null || true
		die "$p does not apply to Linux $(make -s kernelversion)" \
		    "(Debian linux-source-6.1 $pkgver)"
	fi
done
git tag -f base >/dev/null
git checkout -q -B series base
rm -f .git/harness-series
echo "$want" >"$stamp"
echo "base: $(git log -1 --format='%h %s' base)"
check_base_commit
