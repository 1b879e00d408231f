/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The console protocol between the guest's PID 1 (guest/init.c, which
 * writes it) and the host's judge (scripts/verdict.c, which reads it).
 *
 * The console carries the kernel's messages and, from /init, KTAP version 1
 * (Documentation/dev-tools/ktap.rst) that any KTAP reader (the kernel's
 * tools/testing/kunit/kunit.py parse, KernelCI, LAVA) takes unchanged:
 *
 *	KTAP version 1
 *	1..N				one result per line of /tests.list
 *	# running NAME			RUNNING_MARK: NAME starts
 *	  KTAP version 1		the test's own KTAP, if it prints any,
 *	  # Subtest: NAME		one level (INDENT) in; its version line
 *	  1..M				is replaced with these two lines, so
 *	  ok 1 CASE			that its plan and results are the
 *	  ...				subtests of NAME
 *	  any other output		indented too, long lines whole
 *	# NAME: time=1.23s		TIME_MARK: how long NAME ran
 *	ok 1 NAME			or "not ok 1 NAME # TIMEOUT after T s",
 *					"# SKIP" (exit status 4), "# killed
 *					by signal S (...)", "# exit status E"
 *	...
 *	# init: all tests done, powering off	DONE_MARK
 *
 * The marks are KTAP diagnostic lines: other readers ignore them. The
 * verdict needs them to tell which test a kernel message or a hang fell
 * in, how long each test took, and whether /init got to the end; it also
 * checks the plans (1..N and each test's 1..M) against the results.
 */
#ifndef CONSOLE_H
#define CONSOLE_H

#define KTAP_VERSION	"KTAP version 1"
#define INDENT		"  "
#define SUBTEST_MARK	"# Subtest: "
#define RUNNING_MARK	"# running "
#define TIME_MARK	": time="
#define DONE_MARK	"# init: all tests done"

#endif
