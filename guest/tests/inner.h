/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the inner Linux guests' inits (linux_suspend_init.c under kvmtool,
 * qemu_suspend_init.c under QEMU) share: console lines, sysfs files, the
 * suspend statistics, and a memory pattern that must survive a suspend.
 * The includer allocates pattern.
 */
#ifndef INNER_H
#define INNER_H

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define PATTERN_WORDS	(1 << 20)	/* 8 MiB */

static unsigned long *pattern;

static void say(const char *fmt, ...)
{
	char buf[512];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n > (int)sizeof(buf) - 1)
		n = sizeof(buf) - 1;
	if (write(STDOUT_FILENO, buf, n) < 0)
		return;
}

static int read_file(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = read(fd, buf, size - 1);
	close(fd);
	if (n < 0)
		return -errno;
	buf[n] = '\0';
	if (n && buf[n - 1] == '\n')
		buf[n - 1] = '\0';
	return 0;
}

/* Write a string in one write(); 0 or -errno. */
static int write_file(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY), err = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, s, strlen(s)) < 0)
		err = -errno;
	close(fd);
	return err;
}

static long stat_of(const char *name)
{
	char path[128], buf[32];

	snprintf(path, sizeof(path), "/sys/power/suspend_stats/%s", name);
	if (read_file(path, buf, sizeof(buf)))
		return -1;
	return strtol(buf, NULL, 10);
}

static int deep_offered(char *mem_sleep, size_t size)
{
	if (read_file("/sys/power/mem_sleep", mem_sleep, size))
		snprintf(mem_sleep, size, "(unreadable)");
	return strstr(mem_sleep, "deep") != NULL;
}

static unsigned long word(unsigned long i, unsigned long seed)
{
	return (i * 0x9e3779b97f4a7c15UL) ^ seed;
}

static void fill_pattern(unsigned long seed)
{
	unsigned long i;

	for (i = 0; i < PATTERN_WORDS; i++)
		pattern[i] = word(i, seed);
}

/* The index of the first word that changed, or -1. */
static long check_pattern(unsigned long seed)
{
	unsigned long i;

	for (i = 0; i < PATTERN_WORDS; i++)
		if (pattern[i] != word(i, seed))
			return i;
	return -1;
}

/* Without SYSTEM_SUSPEND offered by the VMM, no "deep". */
static void test_off(void)
{
	char mem_sleep[64];

	if (deep_offered(mem_sleep, sizeof(mem_sleep)))
		say("inner: not ok deep_absent # mem_sleep is '%s' though the VMM offers no SYSTEM_SUSPEND\n",
		    mem_sleep);
	else
		say("inner: ok deep_absent # mem_sleep '%s'\n", mem_sleep);
}

#endif
