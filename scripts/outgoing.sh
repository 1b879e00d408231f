#!/bin/sh
# Write a copy of series/ ready for git send-email: the person who runs it
# (git's user.name and user.email) adds a Signed-off-by to every patch, and
# the recipients come from the kernel's scripts/get_maintainer.pl: the
# maintainers and reviewers in To:, the mailing lists in Cc:, the same on
# every mail of the series. series/ itself is left as it is.
# Usage: scripts/outgoing.sh TREE [OUTDIR]
#   TREE: a kernel tree with scripts/get_maintainer.pl and MAINTAINERS
#   OUTDIR: default build/outgoing; then: git send-email OUTDIR/*.patch
set -eu
me=outgoing
. "$(dirname "$0")/lib.sh"

tree=$(realpath "$1")
dir=${2:-build/outgoing}
name=$(git config user.name || true)
email=$(git config user.email || true)
{ [ -n "$name" ] && [ -n "$email" ]; } ||
	die "git has no identity to sign the patches with; set it with" \
	    "'git config --global user.name \"Your Name\"' and" \
	    "'git config --global user.email you@example.org', then run again"
sob="Signed-off-by: $name <$email>"

patches=$(patch_order series)
[ -n "$patches" ] || die "series/ holds no patches"
getm() {
	# shellcheck disable=SC2046 # one argument per patch path
	(cd "$tree" && perl scripts/get_maintainer.pl --no-git --no-git-fallback \
		--norolestats "$@" $(for p in $patches; do realpath "$OLDPWD/$p"; done))
}
to=$(getm --no-l | paste -sd, - | sed 's/,/, /g')
cc=$(getm --no-m --no-r --l | paste -sd, - | sed 's/,/, /g')
[ -n "$to" ] || die "get_maintainer.pl names no maintainer for series/"

rm -rf "$dir"
mkdir -p "$dir"
for p in series/0000-cover-letter.patch $patches; do
	[ -f "$p" ] || continue
	# To: and Cc: after Subject: (and its continuation lines); the
	# Signed-off-by after the last trailer, unless it is there already.
	awk -v to="$to" -v cc="$cc" -v sob="$sob" -v cover="${p##*/0000-*}" '
		hdr && /^Subject:/ { subj = 1; print; next }
		hdr && subj && /^ / { print; next }
		hdr && subj { print "To: " to; print "Cc: " cc; subj = 0 }
		hdr && /^$/ { hdr = 0 }
		!hdr && !done && cover != "" && /^---$/ {
			if (last != sob) print sob
			done = 1
		}
		{ if (NF) last = $0; print }
		BEGIN { hdr = 1 }
	' "$p" >"$dir/${p##*/}"
done
n=$(find "$dir" -name '*.patch' | wc -l)
echo "outgoing: $n mails in $dir/, signed off by $name <$email>"
echo "outgoing: To: $to"
echo "outgoing: Cc: $cc"
echo "outgoing: check them, then: git send-email $dir/*.patch"
