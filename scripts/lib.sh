# Helpers shared by the stage scripts; sourced, not run.

# Commits made by the harness (the import, git am of base/ and series/) use a
# fixed committer and date, so the same package and patches give the same
# hashes on every machine and base-commit: in a cover letter can be checked.
GIT_COMMITTER_NAME="kvm-suspend harness"
GIT_COMMITTER_EMAIL="harness@kvm-suspend.invalid"
GIT_COMMITTER_DATE="2000-01-01T00:00:00Z"
export GIT_COMMITTER_NAME GIT_COMMITTER_EMAIL GIT_COMMITTER_DATE

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
	local tree="$1" stamp="$2" head t
	[ -n "$(git -C "$tree" status --porcelain --untracked-files=normal)" ] &&
		return 0
	head=$(git -C "$tree" rev-parse HEAD)
	if [ -f "$stamp" ]; then
		[ "$head" != "$(sed -n 2p "$stamp")" ]
	else
		# Never applied: only the harness's own tags may be checked out.
		for t in base stock; do
			[ "$head" = "$(git -C "$tree" rev-parse -q --verify "refs/tags/$t^{commit}")" ] &&
				return 1
		done
		return 0
	fi
}

now() {
	date +%s
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
