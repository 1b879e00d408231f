// SPDX-License-Identifier: GPL-2.0
/*
 * /init of the test guest: mount the pseudo file systems, run every test of
 * /tests.list with its own timeout, report each as KTAP on the console and
 * power the machine off.
 *
 * /tests.list has one test a line: NAME TIMEOUT-SECONDS PROGRAM [ARG...];
 * '#' starts a comment. A test's output is indented by four spaces, so a
 * test that prints KTAP itself shows up as subtests of its own result line.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_TESTS	64
#define MAX_ARGS	16

struct test {
	char *name;
	int timeout;
	char *argv[MAX_ARGS + 1];
};

static struct test tests[MAX_TESTS];
static int nr_tests;

static void say(const char *fmt, ...)
{
	char buf[4096];
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

static void mount_fs(const char *src, const char *dir, const char *type)
{
	mkdir(dir, 0755);
	if (mount(src, dir, type, 0, NULL) && errno != EBUSY)
		say("# init: mount %s on %s: %s\n", type, dir, strerror(errno));
}

static double seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static int read_tests(const char *path)
{
	static char line[1024];
	FILE *f = fopen(path, "r");

	if (!f) {
		say("# init: %s: %s\n", path, strerror(errno));
		return -1;
	}
	while (fgets(line, sizeof(line), f) && nr_tests < MAX_TESTS) {
		struct test *t = &tests[nr_tests];
		char *save, *word, *hash = strchr(line, '#');
		int argc = 0;

		if (hash)
			*hash = '\0';
		t->name = strtok_r(line, " \t\n", &save);
		if (!t->name)
			continue;
		word = strtok_r(NULL, " \t\n", &save);
		t->timeout = word ? atoi(word) : 0;
		while ((word = strtok_r(NULL, " \t\n", &save)) && argc < MAX_ARGS)
			t->argv[argc++] = word;
		t->argv[argc] = NULL;
		if (t->timeout <= 0 || !argc) {
			say("# init: bad line in %s for %s\n", path, t->name);
			continue;
		}
		t->name = strdup(t->name);
		for (argc = 0; t->argv[argc]; argc++)
			t->argv[argc] = strdup(t->argv[argc]);
		nr_tests++;
	}
	fclose(f);
	return 0;
}

/* Copy the test's output to the console, four spaces in, line by line. */
static void relay(int fd, char *buf, size_t *len)
{
	ssize_t n = read(fd, buf + *len, 4095 - *len);
	char *start = buf, *nl;

	if (n <= 0)
		return;
	*len += n;
	buf[*len] = '\0';
	while ((nl = strchr(start, '\n'))) {
		say("    %.*s\n", (int)(nl - start), start);
		start = nl + 1;
	}
	*len -= start - buf;
	memmove(buf, start, *len);
	if (*len == 4095) {	/* a very long line: pass it on in pieces */
		say("    %.*s\n", (int)*len, buf);
		*len = 0;
	}
}

static void run_test(int nr, struct test *t)
{
	static char buf[4096];
	const char *verdict = "ok", *directive = "";
	char detail[64] = "";
	double start, deadline;
	size_t len = 0;
	int pipefd[2], status = 0, timed_out = 0;
	pid_t pid;

	say("# running %s\n", t->name);
	if (pipe2(pipefd, O_CLOEXEC)) {
		say("not ok %d %s # ERROR pipe: %s\n", nr, t->name, strerror(errno));
		return;
	}
	start = seconds();
	deadline = start + t->timeout;
	pid = fork();
	if (pid == 0) {
		setpgid(0, 0);
		dup2(pipefd[1], STDOUT_FILENO);
		dup2(pipefd[1], STDERR_FILENO);
		execv(t->argv[0], t->argv);
		fprintf(stderr, "exec %s: %s\n", t->argv[0], strerror(errno));
		_exit(127);
	}
	close(pipefd[1]);
	if (pid < 0) {
		close(pipefd[0]);
		say("not ok %d %s # ERROR fork: %s\n", nr, t->name, strerror(errno));
		return;
	}

	for (;;) {
		struct pollfd pfd = { .fd = pipefd[0], .events = POLLIN };
		double left = deadline - seconds();
		int r;

		if (left <= 0) {
			timed_out = 1;
			kill(-pid, SIGKILL);
			kill(pid, SIGKILL);
			break;
		}
		r = poll(&pfd, 1, (int)(left * 1000) + 1);
		if (r < 0 && errno != EINTR)
			break;
		if (r > 0) {
			if (!(pfd.revents & POLLIN))
				break;	/* hung up: the test and its children closed it */
			relay(pipefd[0], buf, &len);
		}
	}
	close(pipefd[0]);
	if (len)
		say("    %.*s\n", (int)len, buf);
	waitpid(pid, &status, 0);
	/* Anything the test left behind in its process group goes too. */
	kill(-pid, SIGKILL);

	if (timed_out) {
		verdict = "not ok";
		directive = " # TIMEOUT";
		snprintf(detail, sizeof(detail), " after %d s", t->timeout);
	} else if (WIFSIGNALED(status)) {
		verdict = "not ok";
		snprintf(detail, sizeof(detail), " # killed by signal %d (%s)",
			 WTERMSIG(status), strsignal(WTERMSIG(status)));
	} else if (WEXITSTATUS(status) == 4) {	/* KSFT_SKIP */
		directive = " # SKIP";
	} else if (WEXITSTATUS(status)) {
		verdict = "not ok";
		snprintf(detail, sizeof(detail), " # exit status %d",
			 WEXITSTATUS(status));
	}
	say("# %s: time=%.2fs\n", t->name, seconds() - start);
	say("%s %d %s%s%s\n", verdict, nr, t->name, directive, detail);
}

int main(void)
{
	int i;

	mount_fs("proc", "/proc", "proc");
	mount_fs("sysfs", "/sys", "sysfs");
	mount_fs("devtmpfs", "/dev", "devtmpfs");
	mount_fs("debugfs", "/sys/kernel/debug", "debugfs");
	mount_fs("tmpfs", "/tmp", "tmpfs");
	signal(SIGPIPE, SIG_IGN);
	setenv("PATH", "/bin:/tests", 1);
	chdir("/tests");

	say("KTAP version 1\n");
	if (read_tests("/tests.list") || !nr_tests) {
		say("1..0 # SKIP no tests\n");
	} else {
		say("1..%d\n", nr_tests);
		for (i = 0; i < nr_tests; i++)
			run_test(i + 1, &tests[i]);
	}
	say("# init: all tests done, powering off\n");
	sync();
	reboot(RB_POWER_OFF);
	say("# init: power off failed: %s\n", strerror(errno));
	for (;;)
		pause();
}
