# Helpers shared by the stage scripts; sourced, not run.

# Commits made by the harness (the import, git am of base/ and series/) use a
# fixed committer and date, so the same package and patches give the same
# hashes on every machine and base-commit: in a cover letter can be checked.
GIT_COMMITTER_NAME="kvm-suspend harness"
GIT_COMMITTER_EMAIL="harness@kvm-suspend.invalid"
GIT_COMMITTER_DATE="2000-01-01T00:00:00Z"
export GIT_COMMITTER_NAME GIT_COMMITTER_EMAIL GIT_COMMITTER_DATE

# shellcheck disable=SC2154 # $me: the name of the script that sources this
die() {
	echo "$me: $*" >&2
	exit 1
}

# The quilt order of a patch directory: its "series" file, else the *.patch
# files in name order; the cover letter (0000-*) is never applied.
patch_order() {
	if [ -f "$1/series" ]; then
		sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$1/series" |
			while read -r p; do echo "$1/$p"; done
	else
		for p in "$1"/*.patch; do
			[ -e "$p" ] && echo "$p"
		done
	fi | grep -v '/0000-' || true
}

# A digest of a patch directory's applied content, to tell when it changed.
patch_digest() {
	{ [ -f "$1/series" ] && cat "$1/series"; patch_order "$1" | xargs -r cat; } |
		sha1sum | cut -c1-40
}

# Whether a kernel git tree holds work that is not in series/: uncommitted
# changes, or a HEAD other than the one the harness last applied or exported.
tree_has_local_work() {
	# shellcheck disable=SC3043 # dash, Debian's sh, has local
	local tree="$1" stamp="$2" head t
	[ -n "$(git -C "$tree" status --porcelain --untracked-files=normal)" ] &&
		return 0
	head=$(git -C "$tree" rev-parse HEAD)
	if [ -f "$stamp" ]; then
		[ "$head" != "$(sed -n 2p "$stamp")" ]
	else
		# Never applied: only the harness's own tags may be checked out.
		for t in base upstream; do
			[ "$head" = "$(git -C "$tree" rev-parse -q --verify "refs/tags/$t^{commit}")" ] &&
				return 1
		done
		return 0
	fi
}

now() {
	date +%s
}

# A digest of what a build reads from a kernel git tree: its HEAD and every
# change against it, by content: edits, new files and ignored ones (Debian's
# .gitignore ignores every top-level entry). A file touched but not changed
# gives the same digest: its build output would be the same. PATH...
# narrows the changes looked at (not HEAD) to those paths.
# Usage: tree_digest TREE [PATH...]
tree_digest() {
	# shellcheck disable=SC3043 # dash, Debian's sh, has local
	local tree="$1" st
	shift
	# The build directories that kbuild_dirs puts in the tree are not
	# part of it.
	set -- "$@" ':(exclude)obj-*'
	st=$(git -C "$tree" status --porcelain --untracked-files=all --ignored -- "$@")
	{
		git -C "$tree" rev-parse HEAD
		printf '%s\n' "$st"
		if [ -n "$st" ]; then
			git -C "$tree" diff HEAD --binary -- "$@"
			git -C "$tree" ls-files -z -o -- "$@" | (cd "$tree" && xargs -0r sha1sum)
		fi
	} | sha1sum | cut -c1-40
}

# A digest of what else a kbuild run of SRC depends on: the tree, the
# toolchain, the variables given on make's command line (W=1, ...), and the
# files named (fragments, the scripts themselves).
# TREE_PATHS, if set, narrows the tree's changes looked at (tree_digest).
# Usage: build_inputs SRC FILE...
build_inputs() {
	# shellcheck disable=SC3043 # dash, Debian's sh, has local
	local src="$1"
	shift
	{
		# shellcheck disable=SC2086
		tree_digest "$src" ${TREE_PATHS:-}
		aarch64-linux-gnu-gcc --version
		aarch64-linux-gnu-ld --version
		"${HOSTCC:-gcc}" --version
		make --version
		case "${MAKEFLAGS:-}" in
		*" -- "*) echo "${MAKEFLAGS#* -- }" ;;
		esac
		cat "$@"
	} | sha1sum | cut -c1-40
}

# Kernel builds share one compiler cache, build/ccache. The same source file
# compiled for two trees of one kernel line (the series, upstream's tree,
# the gates' base and mutants) then costs one compile, but only when the
# compiler's command lines and the preprocessed sources are the same: kbuild
# writes the source paths relative to the build directory ("../kernel/
# fork.c") only when that directory sits directly in the source tree. So a
# build directory OBJ of a tree SRC under build/ is made a symbolic link to
# SRC/obj-NAME (NAME: OBJ's own name), which kbuild resolves, and whose
# .gitignore kbuild writes ("*"); callers go on naming OBJ. A tree
# elsewhere (KERNEL=DIR) keeps its build directory where OBJ says.
# Usage: kbuild_dirs SRC OBJ
kbuild_dirs() {
	# shellcheck disable=SC3043 # dash, Debian's sh, has local
	local src obj top want
	src=$(realpath "$1") obj=$(realpath -m -s "$2")
	top=$(realpath "$(dirname "$0")/..")
	case "$src/" in
	"$top/build/"*) ;;
	*) return 0 ;;
	esac
	want=$src/obj-$(basename "$obj")
	mkdir -p "$want"
	[ "$(readlink "$obj" 2>/dev/null)" = "$want" ] && return 0
	rm -rf "$obj"
	mkdir -p "$(dirname "$obj")"
	ln -s "$want" "$obj"
}

# Route the arm64 compiler through ccache, when it is installed, for the
# kbuild and selftest runs of this script: a directory of its own, first
# in PATH, holds aarch64-linux-gnu-gcc as a link to ccache, so the command
# lines kbuild records are the same with the cache or without it.
# CCACHE_DISABLE=1 (make bench's cold builds) compiles everything anew.
use_ccache() {
	# shellcheck disable=SC3043 # dash, Debian's sh, has local
	local cc dir
	cc=$(command -v ccache) || return 0
	dir=$(realpath -m "$(dirname "$0")/../build/ccache")
	mkdir -p "$dir/bin"
	[ -L "$dir/bin/aarch64-linux-gnu-gcc" ] ||
		ln -sf "$cc" "$dir/bin/aarch64-linux-gnu-gcc"
	CCACHE_DIR=$dir CCACHE_BASEDIR=$(dirname "$dir") CCACHE_MAXSIZE=${CCACHE_MAXSIZE:-4G}
	CCACHE_SLOPPINESS=include_file_mtime,include_file_ctime,time_macros
	PATH=$dir/bin:$PATH
	export CCACHE_DIR CCACHE_BASEDIR CCACHE_MAXSIZE CCACHE_SLOPPINESS PATH
}

# The first Debian mirror of this machine's apt sources, in either of apt's
# two formats and any of their files (debian-security and other archives
# left out), for a private apt configuration that reads from where the
# machine already does; nothing when there is none.
debian_mirror() {
	cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list \
		/etc/apt/sources.list.d/*.sources 2>/dev/null |
		awk '/^[[:space:]]*#/ { next }
		     $1 == "URIs:" { for (i = 2; i <= NF; i++) print $i }
		     $1 == "deb" || $1 == "deb-src" {
			for (i = 2; i <= NF; i++) if ($i ~ /:\/\//) { print $i; break } }' |
		grep -m 1 -E '/debian/?$' || true
}

# mode_field MODE FIELD: a field of MODE's line in guest/modes (cpu, tests,
# args: the kernel arguments, "" for "-"); fails for an unknown mode.
mode_field() {
	awk -v mode="$1" -v field="$2" '
		/^[[:space:]]*(#|$)/ { next }
		$1 == mode {
			found = 1
			if (field == "cpu") print $2
			else if (field == "tests") print $3
			else { $1 = $2 = $3 = ""; sub(/^ +/, ""); if ($0 != "-") print }
		}
		END { exit !found }' "$(dirname "$0")/../guest/modes"
}

# The modes guest/modes knows, for messages.
known_modes() {
	awk '!/^[[:space:]]*(#|$)/ { printf "%s%s", sep, $1; sep = ", " }' \
		"$(dirname "$0")/../guest/modes"
}
