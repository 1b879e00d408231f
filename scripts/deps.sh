#!/bin/sh
# Install the Debian packages listed in the file "packages" that are missing.
# A package of another architecture (NAME:ARCH) is not installed: it is
# downloaded and unpacked under build/deps/NAME_ARCH, for the files it holds.
# Usage: scripts/deps.sh [PACKAGE-LIST [NAME...]]
#   With NAMEs, only those packages of the list (they must be in it).
set -eu
list=${1:-packages}
[ $# -gt 0 ] && shift

wanted=$(sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$list" | awk '{ print $1 }')
if [ $# -gt 0 ]; then
	for name in "$@"; do
		echo "$wanted" | grep -qx "$name" ||
			{ echo "deps: $name is not listed in $list" >&2; exit 1; }
	done
	wanted=$*
fi

missing='' foreign='' native=''
for pkg in $wanted; do
	case "$pkg" in
	*:*)	[ -d "build/deps/$(echo "$pkg" | tr : _)" ] || foreign="$foreign $pkg" ;;
	*)	native="$native $pkg" ;;
	esac
done
# One dpkg-query for all: this runs on every make, and each call reads
# dpkg's whole status file.
# shellcheck disable=SC2086
installed=" $(dpkg-query -W -f='${Package} ${Status}\n' $native 2>/dev/null |
	awk '$NF == "installed" { printf "%s ", $1 }')"
for pkg in $native; do
	case "$installed" in
	*" $pkg "*) ;;
	*) missing="$missing $pkg" ;;
	esac
done

[ -z "$missing$foreign" ] && exit 0

if [ "$(id -u)" != 0 ]; then
	[ -n "$missing" ] && echo "deps: missing Debian packages:$missing" >&2 &&
		echo "deps: install them as root: apt-get install$missing" >&2
	[ -n "$foreign" ] && echo "deps: to fetch$foreign, run make as root once" >&2
	exit 1
fi

export DEBIAN_FRONTEND=noninteractive
for pkg in $foreign; do
	arch=${pkg#*:}
	dpkg --print-foreign-architectures | grep -qx "$arch" ||
		dpkg --add-architecture "$arch"
done
echo "deps: apt-get update"
apt-get update -qq
if [ -n "$missing" ]; then
	echo "deps: installing$missing"
	# shellcheck disable=SC2086
	if ! apt-get install -y -qq --no-install-recommends $missing >/dev/null; then
		echo "deps: apt-get install failed for:$missing" >&2
		exit 1
	fi
fi
for pkg in $foreign; do
	dir=build/deps/$(echo "$pkg" | tr : _)
	echo "deps: fetching $pkg (unpacked in $dir, not installed)"
	rm -rf "$dir.tmp"
	mkdir -p "$dir.tmp"
	if ! (cd "$dir.tmp" && apt-get download -qq "$pkg" >/dev/null 2>&1); then
		echo "deps: apt-get download failed for: $pkg" >&2
		exit 1
	fi
	dpkg -x "$dir.tmp"/*.deb "$dir.tmp/root"
	mv "$dir.tmp/root" "$dir"
	rm -rf "$dir.tmp"
done
