#!/bin/sh
# Build kvmtool's lkvm, static for arm64, with a patch directory applied by
# git am, and libfdt compiled from the kernel tree's own scripts/dtc/libfdt.
# Does nothing when the source, the patches, libfdt and this script are
# what the last build used.
# Usage: scripts/kvmtool.sh SOURCE KERNEL-TREE PATCHDIR OUT
#   SOURCE: the snapshot tarball, or a git clone of kvmtool at the commit
#   below. PATCHDIR: e.g. vmm/kvmtool, or "-" for kvmtool unpatched.
#   Leaves OUT/lkvm-static and OUT/build.log (the compiler's output).
set -eu
me=kvmtool
. "$(dirname "$0")/lib.sh"

commit=ca0ddafa941dca820ebd53901503e0a3bc0cb081
src=$1 tree=$2 pdir=$3 out=$4
libfdt=$tree/scripts/dtc/libfdt

if [ -f "$src" ]; then
	src_id=$(sha256sum <"$src" | cut -c1-64)
elif [ -d "$src" ] && git -C "$src" rev-parse -q --verify HEAD >/dev/null 2>&1; then
	src_id=$(git -C "$src" rev-parse HEAD)
	[ "$src_id" = "$commit" ] ||
		die "$src is at $src_id; the patches are for kvmtool $commit: check that out (KVMTOOL=DIR)"
else
	die "KVMTOOL=$src is neither the snapshot tarball nor a git clone of kvmtool at $commit"
fi
[ -d "$libfdt" ] || die "$libfdt is missing: make the kernel tree first (make base)"
[ "$pdir" = - ] || [ -f "$pdir/series" ] || die "$pdir/series is missing"

key=$( {
	echo "$src_id"
	[ "$pdir" = - ] || patch_digest "$pdir"
	cat "$libfdt"/*.[ch] "$0"
} | sha1sum | cut -c1-40)
if [ -x "$out/lkvm-static" ] && [ "$(cat "$out/stamp" 2>/dev/null)" = "$key" ]; then
	exit 0
fi

rm -rf "$out"
mkdir -p "$out/src" "$out/libfdt"
if [ -f "$src" ]; then
	tar -xJf "$src" -C "$out/src" --strip-components=1
else
	git -C "$src" archive --format=tar HEAD | tar -xf - -C "$out/src"
fi

# kvmtool as a git tree of its own, so that git am can apply the patches.
git -C "$out/src" init -q
git -C "$out/src" add -A
git -C "$out/src" -c user.name="$GIT_COMMITTER_NAME" \
	-c user.email="$GIT_COMMITTER_EMAIL" commit -q -m "kvmtool $commit"
if [ "$pdir" != - ]; then
	for p in $(patch_order "$pdir"); do
		git -C "$out/src" am -q "$(realpath "$p")" >"$out/am.log" 2>&1 || {
			cat "$out/am.log" >&2
			die "$p does not apply to kvmtool $commit"
		}
	done
fi

for c in "$libfdt"/*.c; do
	aarch64-linux-gnu-gcc -O2 -I"$libfdt" -c -o "$out/libfdt/$(basename "$c" .c).o" "$c"
done
aarch64-linux-gnu-ar rcs "$out/libfdt/libfdt.a" "$out/libfdt"/*.o
cp "$libfdt"/*.h "$out/libfdt/"

make -C "$out/src" -j"$(nproc)" ARCH=arm64 CROSS_COMPILE=aarch64-linux-gnu- \
	LIBFDT_DIR="$(realpath "$out/libfdt")" LDFLAGS=-static lkvm-static \
	>"$out/build.log" 2>&1 || {
	tail -n 20 "$out/build.log" >&2
	die "kvmtool did not build; the whole log: $out/build.log"
}
cp "$out/src/lkvm-static" "$out/lkvm-static"
echo "$key" >"$out/stamp"
