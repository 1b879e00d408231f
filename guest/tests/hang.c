// SPDX-License-Identifier: GPL-2.0
/*
 * hang - a test program that never ends, for the harness's own tests of
 * the per-test timeout.
 */
#include <unistd.h>

int main(void)
{
	for (;;)
		pause();
}
