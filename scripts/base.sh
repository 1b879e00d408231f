#!/bin/sh
# Make the base tree: Debian's linux-source-6.1 imported into a git repo
# (tag "upstream": upstream's implementation of the ABI is in it), then the
# preparation patches of base/ applied (tag "base").
#
# The import commit is made from the tarball's content alone: its author,
# committer, date and message are fixed and name no Debian revision, so
# two revisions that ship the same source give the same commit, and the
# cover letter's base-commit stays true across them. A revision that
# changes the source gives another base: base.sh then warns, and the gates
# of make check fail until the series is tested and exported on it.
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
want="$pkgver $(patch_digest base) import-by-content"

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

# The import of each version is tagged "import-VERSION". An older import
# (tagged upstream- or stock-VERSION) named the revision in its message: its
# tree is the same, so it is committed again with the new message instead
# of being extracted anew, which would make every file look changed to
# kbuild.
import_subject() { echo "Linux $1 from Debian's linux-source-6.1"; }
import_body="The unmodified source tarball of the Debian package."
for old in "upstream-$pkgver" "stock-$pkgver"; do
	git -C "$tree" rev-parse -q --verify "refs/tags/import-$pkgver" >/dev/null 2>&1 && break
	git -C "$tree" rev-parse -q --verify "refs/tags/$old" >/dev/null 2>&1 || continue
	v=$(git -C "$tree" log -1 --format=%s "$old" | sed -n 's/^Linux \([^ ]*\) .*/\1/p')
	c=$(GIT_AUTHOR_NAME=$GIT_COMMITTER_NAME GIT_AUTHOR_EMAIL=$GIT_COMMITTER_EMAIL \
	    GIT_AUTHOR_DATE=$GIT_COMMITTER_DATE git -C "$tree" commit-tree "$old^{tree}" \
	    -m "$(import_subject "$v")" -m "$import_body")
	git -C "$tree" tag "import-$pkgver" "$c"
done
if ! git -C "$tree" rev-parse -q --verify "refs/tags/import-$pkgver" >/dev/null 2>&1; then
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
			git commit -q -m "$(import_subject "$v")" -m "$import_body"
		git tag "import-$pkgver"
		git tag -f upstream >/dev/null
	)
	rm -rf "$tree"
	mv "$tree.new" "$tree"
	echo "base: imported Linux $v in $(($(now) - start)) s"
fi

cd "$tree"
git checkout -q --detach "import-$pkgver"
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
