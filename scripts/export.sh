#!/bin/sh
# Write the commits of a kernel tree's "series" branch back to series/ as
# git format-patch files with stable options, so that an unchanged commit
# gives a byte-identical file. The cover letter's text is kept; its subject
# count and its closing part (shortlog, diffstat, base-commit:) are made
# anew from the commits. The cover letter's subject prefix ("PATCH v2") is
# the series': every patch gets it.
# Usage: scripts/export.sh TREE [PATCHDIR]
set -eu
me='export'
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

tree=$(realpath "$1")
dir=${2:-series}
[ -z "$(git -C "$tree" status --porcelain)" ] ||
	die "$tree has uncommitted changes: commit them first"

cover=$dir/0000-cover-letter.patch
prefix=$(sed -n 's|^Subject: \[\(.*\) [0-9]*/[0-9]*\].*|\1|p' "$cover" 2>/dev/null | head -n 1)
prefix=${prefix:-PATCH}

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
git -C "$tree" format-patch -q --no-signature --zero-commit --abbrev=12 \
	--numbered --subject-prefix="$prefix" -o "$tmp" base..HEAD
n=$(find "$tmp" -type f | wc -l)
base=$(git -C "$tree" rev-parse base)

mkdir -p "$dir"
for p in "$dir"/[0-9][0-9][0-9][0-9]-*.patch; do
	case "$p" in "$dir/0000-"*|*'*'*) ;; *) rm -f "$p" ;; esac
done
mv "$tmp"/*.patch "$dir"/ 2>/dev/null || true
if [ -f "$cover" ]; then
	# The closing part starts at the shortlog's first line, "Name (N):".
	sed -e "s|^\(Subject: \[$prefix \)[0-9]*/[0-9]*\]|\10/$n]|" \
	    -e '/^[^ ].* ([0-9]*):$/,$d' "$cover" >"$tmp/cover"
	{
		git -C "$tree" shortlog base..HEAD
		git -C "$tree" diff --stat=72 base HEAD
		echo
		echo "base-commit: $base"
	} >>"$tmp/cover"
	mv "$tmp/cover" "$cover"
fi
for p in "$dir"/[0-9][0-9][0-9][0-9]-*.patch; do
	case ${p##*/} in
	0000-*) ;;
	*) if [ -e "$p" ]; then echo "${p##*/}"; fi ;;
	esac
done >"$dir/series"
printf '%s\n%s\n' "$(patch_digest "$dir")" "$(git -C "$tree" rev-parse HEAD)" \
	>"$tree/.git/harness-series"
echo "export: $n patches in $dir/ (base $base)"
