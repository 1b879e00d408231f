// SPDX-License-Identifier: GPL-2.0
/*
 * linux_suspend: a real Linux guest suspends to RAM through PSCI
 * SYSTEM_SUSPEND and resumes, under a real VMM. In the test guest, run
 * kvmtool (lkvm, with the project's patches) three times, booting the same
 * kernel Image with a 2-vCPU guest whose init (linux_suspend_init.c) does
 * the checks:
 *
 *   cycles  SYSTEM_SUSPEND offered: "deep" in mem_sleep, three
 *           suspend-resume cycles woken by a key typed on the serial
 *           console (ttyS0's receive interrupt)
 *   off     lkvm --no-system-suspend: no "deep"
 *   deny    lkvm --deny-system-suspend: the suspend fails, the guest goes on
 *
 * Each check of the inner guest is a KTAP result of this test; its console
 * is copied here as diagnostic lines, with the inner boot time and each
 * cycle's time. lkvm reads its console input only from a terminal, so it
 * runs on a pseudo-terminal, whose master is the keyboard. A key is typed
 * only while lkvm (--loglevel debug) says the guest is suspended: a key
 * that comes while the guest is entering the suspend aborts it (EBUSY).
 *
 * Usage: linux_suspend LKVM IMAGE INNER-INITRAMFS
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define RUN_TIMEOUT	45.0	/* seconds for one inner guest, boot to power off */
#define KEY_PERIOD	1.0	/* seconds between keys while the guest is suspended */
#define LAST_LINES	12

struct mode {
	const char *name;	/* the inner init's linux_suspend= */
	const char *option;	/* lkvm's, or NULL */
	const char *checks[4];	/* the results the inner guest must give */
};

static const struct mode modes[] = {
	{ "cycles", NULL,
	  { "deep_offered", "cycle_1", "cycle_2", "cycle_3" } },
	{ "off", "--no-system-suspend", { "deep_absent" } },
	{ "deny", "--deny-system-suspend", { "denied" } },
};

static const char *lkvm, *image, *initrd;
static int nr_result;

static double seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int nr_checks(const struct mode *m)
{
	int n = 0;

	while (n < 4 && m->checks[n])
		n++;
	return n;
}

/* The results the inner guest gave for one mode, by check. */
struct outcome {
	char line[4][256];	/* "ok ..." or "not ok ..." as the guest said */
	char last[LAST_LINES][256];
	int nr_last;
	int done;
	double boot, suspend_start, cycle[8];
	int nr_cycles, suspended;
};

static void keep_last(struct outcome *o, const char *line)
{
	if (o->nr_last == LAST_LINES) {
		memmove(o->last[0], o->last[1], sizeof(o->last[0]) * (LAST_LINES - 1));
		o->nr_last--;
	}
	snprintf(o->last[o->nr_last++], sizeof(o->last[0]), "%s", line);
}

static void inner_line(const struct mode *m, struct outcome *o, char *line,
		       double start)
{
	char *cr = strchr(line, '\r');
	const char *msg;
	int i;

	if (cr)
		*cr = '\0';
	printf("# %s| %s\n", m->name, line);
	keep_last(o, line);

	/* lkvm's own debug lines (patch 2 of vmm/kvmtool) */
	if (strstr(line, "SYSTEM_SUSPEND, suspended until a wake-up"))
		o->suspended = 1;
	else if (strstr(line, "woken up, resuming at"))
		o->suspended = 0;

	msg = strstr(line, "inner: ");
	if (!msg)
		return;
	msg += 7;
	if (!strcmp(msg, "init")) {
		o->boot = seconds() - start;
	} else if (!strncmp(msg, "suspend ", 8)) {
		o->suspend_start = seconds();
	} else if (!strncmp(msg, "resumed ", 8)) {
		if (o->nr_cycles < 8)
			o->cycle[o->nr_cycles++] = seconds() - o->suspend_start;
	} else if (!strcmp(msg, "done")) {
		o->done = 1;
	} else {
		const char *res = msg;

		if (!strncmp(res, "not ", 4))
			res += 4;
		if (strncmp(res, "ok ", 3))
			return;
		res += 3;
		for (i = 0; i < nr_checks(m); i++) {
			size_t len = strlen(m->checks[i]);

			if (!strncmp(res, m->checks[i], len) &&
			    (!res[len] || res[len] == ' '))
				snprintf(o->line[i], sizeof(o->line[i]), "%s", msg);
		}
	}
}

/* Start lkvm on a new pseudo-terminal; its master, or -1. */
static int start_lkvm(const struct mode *m, pid_t *pid)
{
	char cmdline[128];
	const char *argv[24];
	int master, slave, argc = 0;

	snprintf(cmdline, sizeof(cmdline),
		 "console=ttyS0 loglevel=4 panic=-1 linux_suspend=%s", m->name);
	argv[argc++] = lkvm;
	argv[argc++] = "run";
	argv[argc++] = "-k";
	argv[argc++] = image;
	argv[argc++] = "-i";
	argv[argc++] = initrd;
	argv[argc++] = "-m";
	argv[argc++] = "128";
	argv[argc++] = "-c";
	argv[argc++] = "2";
	argv[argc++] = "--console";
	argv[argc++] = "serial";
	argv[argc++] = "--irqchip";
	argv[argc++] = "gicv3";
	argv[argc++] = "--network";
	argv[argc++] = "mode=none";
	argv[argc++] = "--loglevel";
	argv[argc++] = "debug";
	if (m->option)
		argv[argc++] = m->option;
	argv[argc++] = "-p";
	argv[argc++] = cmdline;
	argv[argc] = NULL;

	master = posix_openpt(O_RDWR | O_NOCTTY);
	if (master < 0 || grantpt(master) || unlockpt(master)) {
		printf("# posix_openpt: %s (devpts mounted on /dev/pts?)\n",
		       strerror(errno));
		return -1;
	}
	slave = open(ptsname(master), O_RDWR | O_NOCTTY);
	if (slave < 0) {
		printf("# %s: %s\n", ptsname(master), strerror(errno));
		return -1;
	}
	fflush(stdout);
	*pid = fork();
	if (*pid == 0) {
		setsid();
		dup2(slave, 0);
		dup2(slave, 1);
		dup2(slave, 2);
		close(master);
		close(slave);
		execv(lkvm, (char **)argv);
		fprintf(stderr, "exec %s: %s\n", lkvm, strerror(errno));
		_exit(127);
	}
	close(slave);
	if (*pid < 0) {
		printf("# fork: %s\n", strerror(errno));
		return -1;
	}
	return master;
}

/* Run one inner guest to its end; 0 when it ran and powered off. */
static int run_mode(const struct mode *m, struct outcome *o)
{
	double start = seconds(), last_key = 0;
	char buf[4096];
	size_t len = 0;
	int master, status, timed_out = 0;
	pid_t pid;

	memset(o, 0, sizeof(*o));
	printf("# %s: lkvm run ... %s\n", m->name, m->option ? m->option : "");
	master = start_lkvm(m, &pid);
	if (master < 0)
		return -1;

	for (;;) {
		struct pollfd pfd = { .fd = master, .events = POLLIN };
		double now = seconds();
		ssize_t n;
		char *nl;

		if (now - start > RUN_TIMEOUT) {
			timed_out = 1;
			break;
		}
		/* The wake-up: a carriage return, while the guest is suspended. */
		if (o->suspended && now - last_key >= KEY_PERIOD) {
			if (write(master, "\r", 1) != 1)
				break;
			last_key = now;
		}
		if (poll(&pfd, 1, 100) <= 0)
			continue;
		n = read(master, buf + len, sizeof(buf) - 1 - len);
		if (n <= 0)
			break;	/* EIO: lkvm and its children are gone */
		len += n;
		buf[len] = '\0';
		while ((nl = strchr(buf, '\n'))) {
			*nl = '\0';
			inner_line(m, o, buf, start);
			len -= nl + 1 - buf;
			memmove(buf, nl + 1, len + 1);
		}
		if (len == sizeof(buf) - 1) {
			inner_line(m, o, buf, start);
			len = 0;
		}
	}
	if (timed_out)
		kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	close(master);

	printf("# %s: inner boot %.2f s", m->name, o->boot);
	for (int i = 0; i < o->nr_cycles; i++)
		printf(", suspend-resume %d %.2f s", i + 1, o->cycle[i]);
	printf(", whole run %.2f s\n", seconds() - start);
	if (timed_out) {
		printf("# %s: TIMEOUT after %.0f s; the inner guest's last lines:\n",
		       m->name, RUN_TIMEOUT);
		for (int i = 0; i < o->nr_last; i++)
			printf("#   %s\n", o->last[i]);
		return -1;
	}
	if (!o->done || !WIFEXITED(status) || WEXITSTATUS(status)) {
		printf("# %s: lkvm ended with status 0x%x, the inner init %s\n",
		       m->name, status, o->done ? "done" : "not done");
		return -1;
	}
	return 0;
}

int main(int argc, char **argv)
{
	int i, j, total = 0, failed = 0;
	struct outcome o;
	char *home;

	if (argc != 4) {
		fprintf(stderr, "usage: %s LKVM IMAGE INNER-INITRAMFS\n", argv[0]);
		return 2;
	}
	lkvm = argv[1];
	image = argv[2];
	initrd = argv[3];
	setvbuf(stdout, NULL, _IOLBF, 0);

	/*
	 * lkvm keeps its state under $HOME: the directory it was given in,
	 * which the initramfs made. It needs a terminal too.
	 */
	home = strdup(lkvm);
	setenv("HOME", dirname(home), 1);
	mkdir("/dev/pts", 0755);
	if (mount("devpts", "/dev/pts", "devpts", 0, "ptmxmode=0666") &&
	    errno != EBUSY)
		printf("# mount devpts: %s\n", strerror(errno));

	for (i = 0; i < (int)(sizeof(modes) / sizeof(modes[0])); i++)
		total += nr_checks(&modes[i]);
	printf("KTAP version 1\n1..%d\n", total);

	for (i = 0; i < (int)(sizeof(modes) / sizeof(modes[0])); i++) {
		const struct mode *m = &modes[i];
		int ran = !run_mode(m, &o);

		if (!ran)
			failed++;
		for (j = 0; j < nr_checks(m); j++) {
			const char *said = o.line[j];

			if (!strncmp(said, "ok ", 3)) {
				printf("ok %d %s_%s\n", ++nr_result, m->name,
				       said + 3);
				continue;
			}
			failed++;
			if (said[0])
				printf("not ok %d %s_%s\n", ++nr_result,
				       m->name, said + 7);
			else
				printf("not ok %d %s_%s # %s\n", ++nr_result,
				       m->name, m->checks[j],
				       ran ? "the inner guest gave no result" :
				       "the inner guest did not run to its end");
		}
	}
	return failed ? 1 : 0;
}
