#!/bin/sh
# Run one stage of the pipeline and say how long it took.
# Usage: scripts/timed.sh NAME COMMAND [ARG...]
name=$1
shift
start=$(date +%s.%N)
echo ">> $name"
"$@"
rc=$?
secs=$(echo "$(date +%s.%N) - $start" | bc)
if [ $rc = 0 ]; then
	printf '>> %s done in %.1f s\n' "$name" "$secs"
else
	printf '>> %s FAILED (status %d) after %.1f s\n' "$name" "$rc" "$secs" >&2
fi
exit $rc
