// SPDX-License-Identifier: GPL-2.0
/*
 * crash - a test program that dies by SIGSEGV, for the harness's own
 * tests of how a crashing test is reported.
 */
#include <stddef.h>

/* NULL, read through volatile so that the compiler cannot fold it. */
static int *volatile null_ptr;

int main(void)
{
	/* A volatile store: GCC drops a plain one it deems dead. */
	*(volatile int *)null_ptr = 1;
	return 0;
}
