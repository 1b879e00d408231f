#!/bin/sh
# Check the hand-assembled A32/T32 guest code of a C source: every line of
# the form
#	0xe1400070,	/* A32: hvc #0 */
#	0xe7fe,		/* T32: b.n . */
# must be what binutils' arm-linux-gnueabihf-as makes of the instruction in
# the comment (ARMv8-A, little-endian; each instruction on its own).
# Usage: tests/aarch32-encodings.sh SOURCE...
# Prints one line per instruction checked; exits 1 on any mismatch.
set -eu
as=arm-linux-gnueabihf-as
objcopy=arm-linux-gnueabihf-objcopy
command -v "$as" >/dev/null ||
	{ echo "aarch32-encodings: $as is missing: run make deps" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
bad=0 n=0
for src in "$@"; do
	sed -n 's|^[[:space:]]*\(0x[0-9a-fA-F]*\)[,;]\{0,1\}[[:space:]]*/\* \([AT]32\): \(.*\) \*/.*$|\1 \2 \3|p' "$src" >"$work/lines"
	while read -r want set insn; do
		case $set in
		A32) mode=.arm ;;
		T32) mode=.thumb ;;
		esac
		printf '.syntax unified\n.arch armv8-a\n.arch_extension virt\n%s\n%s\n' \
			"$mode" "$insn" >"$work/i.s"
		if ! "$as" -o "$work/i.o" "$work/i.s" 2>"$work/err" ||
		   ! "$objcopy" -O binary -j .text "$work/i.o" "$work/i.bin"; then
			echo "$src: $set '$insn': does not assemble: $(head -n 2 "$work/err")"
			bad=1
			continue
		fi
		# The instruction as the word (A32) or halfwords (T32) it is stored as.
		case $set in
		A32) got=$(od -An -tx4 -v "$work/i.bin" | tr -d ' \n') ;;
		T32) got=$(od -An -tx2 -v "$work/i.bin" | tr -d ' \n') ;;
		esac
		n=$((n + 1))
		if [ "0x$got" = "$(echo "$want" | tr A-F a-f)" ]; then
			echo "$set $want $insn"
		else
			echo "$src: $set '$insn' is 0x$got, the source says $want"
			bad=1
		fi
	done <"$work/lines"
done
[ "$n" -gt 0 ] || { echo "aarch32-encodings: no encoded instruction found in $*"; exit 1; }
exit $bad
