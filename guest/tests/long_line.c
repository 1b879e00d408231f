// SPDX-License-Identifier: GPL-2.0
/*
 * long_line - a test program whose KTAP output holds one line far longer
 * than a page (a diagnostic of LENGTH 'x's, 10000 by default), for the
 * harness's own tests: init must pass it on whole, and the result line
 * after it must stay a line of its own.
 */
#include <stdio.h>
#include <stdlib.h>

int main(int argc, char **argv)
{
	long i, length = argc > 1 ? atol(argv[1]) : 10000;

	printf("KTAP version 1\n1..1\n# ");
	for (i = 0; i < length; i++)
		putchar('x');
	printf("\nok 1 after_long_line\n");
	return 0;
}
