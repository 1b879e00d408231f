// SPDX-License-Identifier: GPL-2.0
/*
 * linux_suspend: a real Linux guest suspends to RAM through PSCI
 * SYSTEM_SUSPEND and resumes, under a real VMM. In the test guest, run
 * kvmtool (lkvm, with the project's patches) three times, booting the same
 * kernel Image with a guest whose init (linux_suspend_init.c) does the
 * checks:
 *
 *   cycles  4 vCPUs, SYSTEM_SUSPEND offered: "deep" in mem_sleep, three
 *           suspend-resume cycles, woken by a key typed on the serial
 *           console (ttyS0's receive interrupt), by the PL031 RTC's alarm,
 *           and by the alarm again with CPU0 offline; lkvm must have seen
 *           the third call from a vCPU other than vCPU0 (callers); while
 *           the RTC-woken guest is suspended, lkvm pause and lkvm resume
 *           must work and the alarm still wake it (pause_resume), and
 *           lkvm debug --dump must get every vCPU's registers (debug); last,
 *           the guest suspends with no wake-up armed and lkvm stop must
 *           end lkvm cleanly (stop)
 *   off     lkvm --no-system-suspend: no "deep"
 *   deny    not Linux but psci_payload.c, a bare-metal guest of 3 vCPUs
 *           that makes the calls Linux never makes: SYSTEM_SUSPEND with
 *           another vCPU on (DENIED), with an entry point outside RAM
 *           (INVALID_ADDRESS), from two vCPUs at once, and SYSTEM_OFF from
 *           one vCPU while the two others call SYSTEM_SUSPEND over and
 *           over, after which lkvm must exit cleanly (system_off)
 *
 * Each check of the inner guest is a KTAP result of this test; its console
 * is copied here as diagnostic lines, with the inner boot time and each
 * cycle's time. lkvm reads its console input only from a terminal, so it
 * runs on a pseudo-terminal, whose master is the keyboard. A key is typed
 * only in a cycle the inner guest says is woken by a key, and only while
 * lkvm (--loglevel debug) says the guest is suspended: a key that comes
 * while the guest is entering the suspend aborts it (EBUSY).
 *
 * Usage: linux_suspend LKVM IMAGE INNER-INITRAMFS PAYLOAD
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

#define RUN_TIMEOUT	150.0	/* seconds for one inner guest, boot to power off */
#define KEY_PERIOD	1.0	/* seconds between keys while the guest is suspended */
/*
 * Seconds an RTC-woken cycle may take while lkvm says the guest is
 * suspended: its alarm is 4 s, 8 or 16 s when the inner init tries again
 * (linux_suspend_init.c); the rest is the inner guest leaving and entering
 * the suspend, slow when four test guests share two cores.
 */
#define RTC_WAKE_LIMIT	40.0
#define LAST_LINES	12

#define PAYLOAD_TIMEOUT	15.0	/* for the bare-metal guest */
#define MAX_CHECKS	8

struct mode {
	const char *name;	/* the inner init's linux_suspend= */
	const char *option;	/* lkvm's, or NULL */
	const char *vcpus;
	int payload;		/* boot PAYLOAD, not IMAGE and INNER-INITRAMFS */
	/*
	 * the results the inner guest must give; "callers" and "system_off"
	 * are this test's own
	 */
	const char *checks[MAX_CHECKS];
};

static const struct mode modes[] = {
	{ "cycles", NULL, "4", 0,
	  { "deep_offered", "cycle_1", "cycle_2", "cycle_3", "callers",
	    "pause_resume", "debug", "stop" } },
	{ "off", "--no-system-suspend", "2", 0, { "deep_absent" } },
	{ "deny", NULL, "3", 1,
	  { "features", "denied", "invalid_address", "concurrent",
	    "system_off" } },
};

static const char *lkvm, *image, *initrd, *payload;
static char guest_name[32];
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

	while (n < MAX_CHECKS && m->checks[n])
		n++;
	return n;
}

/* The results the inner guest gave for one mode, by check. */
struct outcome {
	char line[MAX_CHECKS][256];	/* "ok ..." or "not ok ..." as said */
	char last[LAST_LINES][256];
	int nr_last;
	int done;
	double boot, suspend_start, cycle[8];
	char wake[8][5];		/* each cycle's wake-up: key, rtc, stop */
	int nr_cycles, suspended, key_wake, stop_wake;
	int in_cycle;			/* between "suspend N" and "resumed N" */
	int paused_resumed;		/* lkvm pause + resume: 1 ok, -1 failed */
	int dumped;			/* lkvm debug --dump: the same */
	double stopped, stop_end;	/* when lkvm stop returned, lkvm ended */
	char lkvm_said[128];		/* what lkvm pause/resume/stop said */
	int caller[8], nr_calls;	/* the vCPUs lkvm suspended */
};

static void keep_last(struct outcome *o, const char *line)
{
	if (o->nr_last == LAST_LINES) {
		memmove(o->last[0], o->last[1], sizeof(o->last[0]) * (LAST_LINES - 1));
		o->nr_last--;
	}
	snprintf(o->last[o->nr_last++], sizeof(o->last[0]), "%s", line);
}

#define LKVM_COMMAND_TIMEOUT	30.0	/* seconds for lkvm pause, debug, ... */

/*
 * lkvm COMMAND --name GUEST [OPTION]; 0 when it exits 0. One that has not
 * ended after LKVM_COMMAND_TIMEOUT is killed and fails.
 */
static int lkvm_command(const char *command, const char *option,
			struct outcome *o)
{
	double start = seconds();
	int status = -1;
	pid_t pid;

	fflush(stdout);
	pid = fork();
	if (pid == 0) {
		int null = open("/dev/null", O_RDWR);

		dup2(null, 0);
		dup2(null, 1);
		dup2(null, 2);
		execl(lkvm, lkvm, command, "--name", guest_name, option,
		      (char *)NULL);
		_exit(127);
	}
	while (pid > 0 && waitpid(pid, &status, WNOHANG) == 0) {
		if (seconds() - start > LKVM_COMMAND_TIMEOUT) {
			kill(pid, SIGKILL);
			waitpid(pid, NULL, 0);
			status = -1;
			break;
		}
		usleep(10 * 1000);
	}
	printf("# lkvm %s --name %s%s%s: status 0x%x, %.2f s\n", command,
	       guest_name, option ? " " : "", option ? option : "", status,
	       seconds() - start);
	if (status == -1)
		snprintf(o->lkvm_said, sizeof(o->lkvm_said),
			 "lkvm %s did not end within %.0f s", command,
			 LKVM_COMMAND_TIMEOUT);
	else if (status)
		snprintf(o->lkvm_said, sizeof(o->lkvm_said),
			 "lkvm %s ended with status 0x%x", command, status);
	return status;
}

static void inner_line(const struct mode *m, struct outcome *o, char *line,
		       double start)
{
	char *cr = strchr(line, '\r');
	const char *msg;
	int i, id;

	if (cr)
		*cr = '\0';
	printf("# %s| %s\n", m->name, line);
	keep_last(o, line);

	/* lkvm's own debug lines (arm64/psci.c of vmm/kvmtool) */
	msg = strstr(line, "vCPU");
	if (msg && strstr(msg, ": SYSTEM_SUSPEND, suspended until a wake-up") &&
	    sscanf(msg, "vCPU%d:", &id) == 1) {
		o->suspended = 1;
		if (o->nr_calls < 8)
			o->caller[o->nr_calls++] = id;
	} else if (strstr(line, "woken up, resuming at")) {
		o->suspended = 0;
	}

	msg = strstr(line, "inner: ");
	if (!msg)
		return;
	msg += 7;
	if (!strcmp(msg, "init")) {
		o->boot = seconds() - start;
	} else if (!strncmp(msg, "suspend ", 8)) {
		o->suspend_start = seconds();
		o->in_cycle = 1;
		o->key_wake = !!strstr(msg, " key");
		o->stop_wake = !!strstr(msg, " stop");
		if (o->nr_cycles < 8)
			snprintf(o->wake[o->nr_cycles], sizeof(o->wake[0]), "%s",
				 o->key_wake ? "key" : o->stop_wake ? "stop" : "rtc");
	} else if (!strncmp(msg, "resumed ", 8)) {
		o->in_cycle = 0;
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
	argv[argc++] = m->payload ? payload : image;
	if (!m->payload) {
		argv[argc++] = "-i";
		argv[argc++] = initrd;
	}
	argv[argc++] = "-m";
	argv[argc++] = "128";
	argv[argc++] = "-c";
	argv[argc++] = m->vcpus;
	argv[argc++] = "--console";
	argv[argc++] = "serial";
	argv[argc++] = "--irqchip";
	argv[argc++] = "gicv3";
	argv[argc++] = "--network";
	argv[argc++] = "mode=none";
	argv[argc++] = "--loglevel";
	argv[argc++] = "debug";
	argv[argc++] = "--name";
	argv[argc++] = guest_name;
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
	double timeout = m->payload ? PAYLOAD_TIMEOUT : RUN_TIMEOUT, end;
	char buf[4096];
	size_t len = 0;
	int master, status, timed_out = 0;
	pid_t pid;

	memset(o, 0, sizeof(*o));
	snprintf(guest_name, sizeof(guest_name), "linux-suspend-%s", m->name);
	printf("# %s: lkvm run ... %s\n", m->name, m->option ? m->option : "");
	master = start_lkvm(m, &pid);
	if (master < 0)
		return -1;

	for (;;) {
		struct pollfd pfd = { .fd = master, .events = POLLIN };
		double now = seconds();
		ssize_t n;
		char *nl;

		if (now - start > timeout) {
			timed_out = 1;
			break;
		}
		/* In the first RTC-woken cycle: pause and resume lkvm. */
		if (o->in_cycle && o->suspended && !o->key_wake &&
		    !o->stop_wake && !o->paused_resumed) {
			o->paused_resumed = lkvm_command("pause", NULL, o) ||
					    lkvm_command("resume", NULL, o) ? -1 : 1;
			/* after a failed pause, lkvm_said tells why, for both */
			o->dumped = o->paused_resumed < 0 ||
				    lkvm_command("debug", "--dump", o) ? -1 : 1;
		}
		if (o->in_cycle && o->suspended && o->stop_wake && !o->stopped) {
			if (lkvm_command("stop", NULL, o))
				break;
			o->stopped = seconds();
		}
		if (o->in_cycle && o->suspended && !o->key_wake &&
		    !o->stop_wake && now - o->suspend_start > RTC_WAKE_LIMIT) {
			printf("# %s: the RTC alarm did not wake the guest in %.0f s\n",
			       m->name, RTC_WAKE_LIMIT);
			timed_out = 1;
			break;
		}
		/* The wake-up: a carriage return, while the guest is suspended. */
		if (o->in_cycle && o->suspended && o->key_wake &&
		    now - last_key >= KEY_PERIOD) {
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
	end = seconds();
	o->stop_end = end;
	if (timed_out)
		kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	close(master);

	printf("# %s: %s vCPUs, inner boot %.2f s", m->name, m->vcpus, o->boot);
	for (int i = 0; i < o->nr_cycles; i++)
		printf(", suspend-resume %d (%s) %.2f s", i + 1, o->wake[i],
		       o->cycle[i]);
	printf(", whole run %.2f s\n", seconds() - start);
	if (timed_out) {
		printf("# %s: TIMEOUT after %.0f s (limit %.0f s); the inner guest's last lines:\n",
		       m->name, end - start, timeout);
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

static int check_slot(const struct mode *m, const char *name)
{
	int slot;

	for (slot = 0; slot < nr_checks(m); slot++)
		if (!strcmp(m->checks[slot], name))
			return slot;
	return -1;
}

/* The check NAME of lkvm commands that gave STATE: 1 ok, -1 failed, 0 not run. */
static void command_check(const struct mode *m, struct outcome *o,
			  const char *name, int state, const char *done,
			  const char *not_run)
{
	int slot = check_slot(m, name);

	if (slot < 0)
		return;
	snprintf(o->line[slot], sizeof(o->line[slot]), "%sok %s # %s",
		 state > 0 ? "" : "not ", name,
		 state > 0 ? done : state ? o->lkvm_said : not_run);
}

/*
 * This test's own checks: lkvm's view of the cycles, one honoured call per
 * cycle, the one with the inner guest's CPU0 offline from another vCPU
 * than vCPU0, then the last one, which lkvm stop ends; lkvm pause and
 * resume during a suspend; and lkvm's clean exit after the payload's
 * SYSTEM_OFF.
 */
static void check_outer(const struct mode *m, struct outcome *o, int ran)
{
	char ids[64] = "";
	int i, slot;

	command_check(m, o, "pause_resume", o->paused_resumed,
		      "during the suspend of cycle 2",
		      "no RTC-woken suspend to pause in");
	command_check(m, o, "debug", o->dumped,
		      "lkvm debug --dump during the suspend of cycle 2",
		      "no RTC-woken suspend to dump in");
	slot = check_slot(m, "stop");
	if (slot >= 0 && o->stopped && ran)
		snprintf(o->line[slot], sizeof(o->line[slot]),
			 "ok stop # lkvm ended %.2f s after lkvm stop, status 0",
			 o->stop_end - o->stopped);
	else if (slot >= 0)
		snprintf(o->line[slot], sizeof(o->line[slot]),
			 "not ok stop # %s",
			 o->lkvm_said[0] ? o->lkvm_said : !o->stopped ?
			 "the guest never reached its last suspend" :
			 "lkvm did not end cleanly after lkvm stop");
	slot = check_slot(m, "system_off");
	if (slot >= 0)
		snprintf(o->line[slot], sizeof(o->line[slot]), "%s",
			 ran ? "ok system_off # lkvm exited with status 0" :
			 "not ok system_off # lkvm did not exit cleanly after SYSTEM_OFF");
	slot = check_slot(m, "callers");
	if (slot < 0)
		return;
	for (i = 0; i < o->nr_calls; i++)
		snprintf(ids + strlen(ids), sizeof(ids) - strlen(ids), "%s%d",
			 i ? "," : "", o->caller[i]);
	if (o->nr_calls != 4)
		snprintf(o->line[slot], sizeof(o->line[slot]),
			 "not ok callers # lkvm suspended %d calls (vCPUs %s), not 4",
			 o->nr_calls, ids);
	else if (o->caller[2] == 0)
		snprintf(o->line[slot], sizeof(o->line[slot]),
			 "not ok callers # the third call came from vCPU0 though the guest's CPU0 was offline (vCPUs %s)",
			 ids);
	else
		snprintf(o->line[slot], sizeof(o->line[slot]),
			 "ok callers # vCPUs %s", ids);
}

int main(int argc, char **argv)
{
	int i, j, total = 0, failed = 0;
	struct outcome o;
	char *home;

	if (argc != 5) {
		fprintf(stderr, "usage: %s LKVM IMAGE INNER-INITRAMFS PAYLOAD\n",
			argv[0]);
		return 2;
	}
	lkvm = argv[1];
	image = argv[2];
	initrd = argv[3];
	payload = argv[4];
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

		check_outer(m, &o, ran);
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
