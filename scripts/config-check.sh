#!/bin/sh
# Check that every option a kconfig fragment sets made it into a .config;
# Kconfig silently drops options whose dependencies are not met.
# Usage: scripts/config-check.sh DOTCONFIG FRAGMENT...
set -eu
config=$1
shift

dropped=$(
	for frag in "$@"; do
		sed -n -e 's/^\(CONFIG_[A-Za-z0-9_]*=.*\)$/\1/p' \
		       -e 's/^# \(CONFIG_[A-Za-z0-9_]*\) is not set$/\1=n/p' "$frag" |
		while IFS= read -r want; do
			opt=${want%%=*}
			case "$want" in
			*=n)	if grep -q "^$opt=" "$config"; then
					echo "  $opt: asked not set, got $(grep "^$opt=" "$config") (from ${frag##*/})"
				fi ;;
			*)	if ! grep -qxF "$want" "$config"; then
					got=$(grep -E "^(# )?${opt}[= ]" "$config" ||
					      echo "nothing (dependencies not met)")
					echo "  $want: got $got (from ${frag##*/})"
				fi ;;
			esac
		done
	done
)
if [ -n "$dropped" ]; then
	echo "config-check: $config lacks options the fragments ask for:" >&2
	echo "$dropped" >&2
	exit 1
fi
