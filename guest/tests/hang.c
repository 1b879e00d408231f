// SPDX-License-Identifier: GPL-2.0
/*
 * hang - a test program that never ends, for the harness's own tests of
 * the per-test timeout. With --close-output it first closes its stdout and
 * stderr, as a daemonising test would: init must still kill it in time.
 */
#include <string.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	if (argc > 1 && !strcmp(argv[1], "--close-output")) {
		close(STDOUT_FILENO);
		close(STDERR_FILENO);
	}
	for (;;)
		pause();
}
