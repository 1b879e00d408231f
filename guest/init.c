// SPDX-License-Identifier: GPL-2.0
/*
 * /init of the test guest: mount the pseudo file systems, run every test of
 * /tests.list with its own timeout, report each as KTAP on the console and
 * power the machine off.
 *
 * /tests.list has one test a line: NAME TIMEOUT-SECONDS PROGRAM [ARG...];
 * '#' starts a comment. With harness_only=NAME on the kernel command line
 * (the kernel hands it to init as an environment variable), only the test
 * NAME runs: a failed test reproduced alone, with the same kernel and
 * initramfs (scripts/verdict.c prints the command). What init writes on
 * the console, and what scripts/verdict.c reads back, is described in
 * guest/console.h.
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
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "console.h"

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
	const char *only = getenv("harness_only");
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
		if (!t->name || (only && strcmp(t->name, only)))
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

/* Write all of BUF to the console, however long. */
static void put(const char *buf, size_t len)
{
	ssize_t n;

	while (len) {
		n = write(STDOUT_FILENO, buf, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return;
		buf += n;
		len -= n;
	}
}

/*
 * The test's output, on its way to the console one KTAP level (two spaces)
 * in. The test's own version line becomes the head of a nested KTAP block
 * named after the test; its plan and results follow as it wrote them. A
 * line longer than the buffer goes out in pieces, indented once and ended
 * once, so that it reaches the console whole.
 */
struct relay {
	const char *name;
	char buf[4096];
	size_t len;
	int mid_line;	/* part of the current line is already out */
	int nested;	/* the test's version line has been seen */
};

static int is_version_line(const char *s, size_t n)
{
	return (n > 12 && !strncmp(s, "TAP version ", 12)) ||
	       (n > 13 && !strncmp(s, "KTAP version ", 13));
}

/*
 * kselftest writes a skipped case as "ok N # SKIP CASE: why", with no
 * description: valid KTAP, which the kernel's own KTAP parser cannot
 * read. Pass it on as "ok N CASE # SKIP why".
 */
static int relay_nameless_skip(const char *s, size_t n)
{
	char line[512], *rest, *colon;
	int nr, at = 0;

	if (n >= sizeof(line))
		return 0;
	memcpy(line, s, n);
	line[n] = '\0';
	if (sscanf(line, "ok %d # SKIP %n", &nr, &at) != 1 || !at)
		return 0;
	rest = line + at;
	colon = strchr(rest, ':');
	if (!colon || colon == rest || memchr(rest, ' ', colon - rest))
		return 0;
	*colon = '\0';
	say(INDENT "ok %d %s # SKIP%s\n", nr, rest, colon + 1);
	return 1;
}

static void relay_piece(struct relay *r, const char *s, size_t n, int end)
{
	if (!r->mid_line && end && r->nested && relay_nameless_skip(s, n))
		return;
	if (!r->mid_line && end && !r->nested && is_version_line(s, n)) {
		say(INDENT KTAP_VERSION "\n" INDENT SUBTEST_MARK "%s\n", r->name);
		r->nested = 1;
		return;
	}
	if (!r->mid_line)
		put(INDENT, strlen(INDENT));
	put(s, n);
	if (end)
		put("\n", 1);
	r->mid_line = !end;
}

/* Read what the test wrote; 0 once it and its children closed the pipe. */
static int relay_read(int fd, struct relay *r)
{
	ssize_t n = read(fd, r->buf + r->len, sizeof(r->buf) - r->len);
	char *start = r->buf, *nl;

	if (n < 0)
		return errno == EINTR || errno == EAGAIN;
	if (n == 0)
		return 0;
	r->len += n;
	while ((nl = memchr(start, '\n', r->buf + r->len - start))) {
		relay_piece(r, start, nl - start, 1);
		start = nl + 1;
	}
	r->len -= start - r->buf;
	memmove(r->buf, start, r->len);
	if (r->len == sizeof(r->buf)) {
		relay_piece(r, r->buf, r->len, 0);
		r->len = 0;
	}
	return 1;
}

/* The test is done: end its last line if it did not. */
static void relay_flush(struct relay *r)
{
	if (r->len || r->mid_line)
		relay_piece(r, r->buf, r->len, 1);
	r->len = 0;
}

static void run_test(int nr, struct test *t)
{
	static struct relay out = { .len = 0 };
	const char *verdict = "ok", *directive = "";
	char detail[64] = "";
	double start, deadline;
	int pipefd[2], pidfd, status = 0, timed_out = 0;
	int exited = 0, output_open = 1;
	pid_t pid;

	out.name = t->name;
	out.nested = 0;
	say(RUNNING_MARK "%s\n", t->name);
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

	/*
	 * Relay until the test has exited and its output is closed, or until
	 * its deadline. Either may come first: a test may close its output and
	 * go on running, and a child of the test may hold the output open.
	 */
	pidfd = syscall(SYS_pidfd_open, pid, 0);
	while (!exited || output_open) {
		struct pollfd pfd[2] = {
			{ .fd = output_open ? pipefd[0] : -1, .events = POLLIN },
			{ .fd = exited ? -1 : pidfd, .events = POLLIN },
		};
		double left = deadline - seconds();

		if (left <= 0) {
			timed_out = 1;
			break;
		}
		/* Without a pidfd, look for the test's exit ten times a second. */
		if (pidfd < 0 && !exited && left > 0.1)
			left = 0.1;
		if (poll(pfd, 2, (int)(left * 1000) + 1) < 0 && errno != EINTR) {
			say("# init: poll: %s\n", strerror(errno));
			timed_out = 1;
			break;
		}
		if (pfd[0].revents)
			output_open = relay_read(pipefd[0], &out);
		if (!exited)
			exited = waitpid(pid, &status, WNOHANG) == pid;
	}
	if (timed_out) {
		kill(-pid, SIGKILL);
		kill(pid, SIGKILL);
	}
	if (!exited)
		waitpid(pid, &status, 0);
	if (pidfd >= 0)
		close(pidfd);
	close(pipefd[0]);
	relay_flush(&out);
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
	say("# %s" TIME_MARK "%.2fs\n", t->name, seconds() - start);
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

	say(KTAP_VERSION "\n");
	if (read_tests("/tests.list") || !nr_tests) {
		say("1..0 # SKIP no tests\n");
	} else {
		say("1..%d\n", nr_tests);
		for (i = 0; i < nr_tests; i++)
			run_test(i + 1, &tests[i]);
	}
	say(DONE_MARK ", powering off\n");
	sync();
	reboot(RB_POWER_OFF);
	say("# init: power off failed: %s\n", strerror(errno));
	for (;;)
		pause();
}
