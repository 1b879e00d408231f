#!/bin/sh
# Install the Debian packages listed in the file "packages" that are missing.
# A package of another architecture (NAME:ARCH) is not installed: it is
# downloaded and unpacked under build/deps/NAME_ARCH, for the files it holds.
# Names are exact: apt takes a name that no package has, and that holds a
# dot, for a regular expression (linux-source-6.1 would install
# linux-source-6.12), so each missing package is looked up first and a
# package that this release does not have is named as such, with the
# releases the list records for it ("[bookworm]" after the name).
# Usage: scripts/deps.sh [PACKAGE-LIST [NAME...]]
#   With NAMEs, only those packages of the list (they must be in it).
#   OS_RELEASE (default /etc/os-release) names this release in messages.
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
# not_installed PKG...: those of the PKGs that dpkg does not have installed.
# One dpkg-query for all: this runs on every make, and each call reads
# dpkg's whole status file.
not_installed() {
	installed=" $(dpkg-query -W -f='${Package} ${Status}\n' "$@" 2>/dev/null |
		awk '$NF == "installed" { printf "%s ", $1 }')"
	for pkg in "$@"; do
		case "$installed" in
		*" $pkg "*) ;;
		*) printf ' %s' "$pkg" ;;
		esac
	done
}
# shellcheck disable=SC2086
missing=$(not_installed $native)

[ -z "$missing$foreign" ] && exit 0

if [ "$(id -u)" != 0 ]; then
	[ -n "$missing" ] && echo "deps: missing Debian packages:$missing" >&2 &&
		echo "deps: install them as root: apt-get install$missing" >&2
	[ -n "$foreign" ] && echo "deps: to fetch$foreign, run make as root once" >&2
	exit 1
fi

# The releases the list records for PKG ("[bookworm trixie]"), or "".
releases() {
	sed -e 's/#.*//' "$list" | awk -v p="$1" '$1 == p && $2 ~ /^\[/ {
		s = $0; sub(/^[^[]*\[/, "", s); sub(/\].*/, "", s); print s }'
}

# Whether apt knows a package of exactly this name (NAME or NAME:ARCH);
# apt-cache show answers a name it lacks with the regex's matches.
exists() {
	apt-cache show --no-all-versions "$1" 2>/dev/null |
		sed -n 's/^Package: //p' | grep -Fqx -- "${1%%:*}"
}

this_release() {
	name=$(sed -n 's/^PRETTY_NAME=//p' "${OS_RELEASE:-/etc/os-release}" 2>/dev/null | tr -d '"')
	echo "${name:-this release}"
}

export DEBIAN_FRONTEND=noninteractive
for pkg in $foreign; do
	arch=${pkg#*:}
	dpkg --print-foreign-architectures | grep -qx "$arch" ||
		dpkg --add-architecture "$arch"
done
echo "deps: apt-get update"
apt-get update -qq
absent=
for pkg in $missing $foreign; do
	exists "$pkg" && continue
	absent="$absent $pkg"
	rel=$(releases "$pkg")
	[ -n "$rel" ] && rel="the releases that have it: $rel" ||
		rel="$list does not say which releases have it"
	echo "deps: $pkg is not a package of $(this_release); $rel" >&2
done
[ -z "$absent" ] || exit 1
if [ -n "$missing" ]; then
	echo "deps: installing$missing"
	# shellcheck disable=SC2086
	if ! apt-get install -y -qq --no-install-recommends $missing >/dev/null; then
		echo "deps: apt-get install failed for:$missing" >&2
		exit 1
	fi
	# What apt installed must be what was asked for, by name.
	# shellcheck disable=SC2086
	left=$(not_installed $missing)
	if [ -n "$left" ]; then
		echo "deps: apt-get install ended well but did not install:$left" >&2
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
