#!/bin/sh
# Make the guest's initramfs with the kernel's own usr/gen_init_cpio:
# /init, /tests.list and the (stripped) test programs of one test set.
# Usage: scripts/initramfs.sh OUT.cpio KOBJ INIT LIST SET SELFTESTS [EXTRA...]
#   KOBJ: kernel build directory (for usr/gen_init_cpio)
#   INIT: the static /init; LIST: guest/tests.list; SET: "all", a flag
#   (the lines that have it) or -FLAG (the lines that do not); terms joined
#   by "," take the lines every term takes (all,-aarch32), groups joined by
#   "+" the lines any group takes (suspend+aarch32)
#   SELFTESTS: directory the PROGRAM column of LIST is relative to
#   EXTRA: GUEST-PATH=FILE, a file a test needs besides its program (e.g.
#   /kvmtool/lkvm=build/kvmtool/lkvm-static), made read-only
set -eu
me=initramfs
# shellcheck source=scripts/lib.sh
. "$(dirname "$0")/lib.sh"

out=$1 kobj=$2 init=$3 list=$4 set=$5 selftests=$6
shift 6
gen=$kobj/usr/gen_init_cpio
[ -x "$gen" ] || die "$gen is missing: build the kernel first"

stage=$out.d
rm -rf "$stage"
mkdir -p "$stage/tests"
{
	echo "dir /dev 0755 0 0"
	echo "nod /dev/console 0600 0 0 c 5 1"
	echo "dir /proc 0755 0 0"
	echo "dir /sys 0755 0 0"
	echo "dir /tmp 1777 0 0"
	echo "dir /tests 0755 0 0"
	echo "file /init $(realpath "$init") 0755 0 0"
	echo "file /tests.list $stage/tests.list 0644 0 0"
} >"$stage/cpio.list"

sed -e 's/#.*//' -e '/^[[:space:]]*$/d' "$list" |
while read -r name timeout flags prog args; do
	take=
	for group in $(echo "$set" | tr + ' '); do
		all=1
		for term in $(echo "$group" | tr , ' '); do
			case "$term" in
			all) ;;
			-*) case ",$flags," in *",${term#-},"*) all= ;; esac ;;
			*) case ",$flags," in *",$term,"*) ;; *) all= ;; esac ;;
			esac
		done
		[ -n "$all" ] && take=1
	done
	[ -n "$take" ] || continue
	[ -f "$selftests/$prog" ] || die "$selftests/$prog is missing (test $name)"
	dir=$(dirname "$prog")
	if [ "$dir" != . ] && [ ! -d "$stage/tests/$dir" ]; then
		mkdir -p "$stage/tests/$dir"
		echo "dir /tests/$dir 0755 0 0" >>"$stage/cpio.list"
	fi
	aarch64-linux-gnu-strip -o "$stage/tests/$prog" "$selftests/$prog"
	echo "file /tests/$prog $stage/tests/$prog 0755 0 0" >>"$stage/cpio.list"
	echo "$name $timeout /tests/$prog $args" >>"$stage/tests.list"
done
[ -s "$stage/tests.list" ] || die "no test of $list is in set '$set'"

for extra in "$@"; do
	dest=${extra%%=*} file=${extra#*=}
	[ -f "$file" ] || die "$file is missing (for $dest)"
	dir=$(dirname "$dest")
	grep -q "^dir $dir " "$stage/cpio.list" ||
		echo "dir $dir 0755 0 0" >>"$stage/cpio.list"
	echo "file $dest $(realpath "$file") 0555 0 0" >>"$stage/cpio.list"
done

"$gen" "$stage/cpio.list" >"$out.tmp"
mv "$out.tmp" "$out"
