// SPDX-License-Identifier: GPL-2.0
/*
 * qemu_suspend: a real Linux guest suspends to RAM under QEMU/KVM, with
 * the project's QEMU patches (vmm/qemu), driven and watched through QMP.
 * In the test guest, run qemu-system-aarch64 (-M virt, GICv3, KVM, 2
 * vCPUs) booting the same kernel Image, whose init (qemu_suspend_init.c)
 * does the inner checks:
 *
 *   off     -M virt,system-suspend=off: no "deep" in mem_sleep
 *   cycles  -M virt,system-suspend=on: "deep", then four cycles, each with
 *           a memory pattern that must be intact. This side checks, per
 *           cycle, the QMP events (SUSPEND, then WAKEUP) and that
 *           query-status says "suspended" while the guest sleeps:
 *           1: woken by the guest's own PL031 RTC alarm, no QMP command;
 *           2: not woken by itself, nor by a key typed on its serial
 *              console, which the guest did not make a wake-up source
 *              (1 s), then woken by system_wakeup;
 *           3: not woken by itself (1 s), then woken by a key: the guest
 *              made its console a wake-up source first;
 *           4: the suspended VM migrated to a file, that QEMU quit, a new
 *              QEMU started from the file: it must say "suspended" and
 *              wake on system_wakeup; the guest then powers off.
 *   reset   the guest suspends with nothing armed to wake it; QMP
 *           system_reset must reset it (the RESET event) and, once it
 *           runs again ("cont" if QEMU left it stopped, as it does any
 *           machine reset while suspended), the guest boots afresh: its
 *           CPU, KVM's view of it included, is out of the suspend.
 *
 * The inner console (QEMU's stdout) is copied here as diagnostic lines.
 * Usage: qemu_suspend QEMU IMAGE INNER-INITRAMFS
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
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define QMP_SOCK	"/tmp/qemu_suspend.qmp"
#define SNAPSHOT	"/tmp/qemu_suspend.mig"
#define STEP_TIMEOUT	30.0	/* seconds for any one step */
#define PLAN		29	/* the results of a whole run */
#define KEY_CYCLE	3	/* the cycle a key wakes */

static const char *qemu, *image, *initrd;
static int nr_result, failed;

struct vm {
	pid_t pid;
	int console;		/* QEMU's stdout: the inner serial console */
	int keys;		/* QEMU's stdin: what is typed on that console */
	int qmp;
	char cbuf[4096], qbuf[8192];
	size_t clen, qlen;
	char events[512];	/* SUSPEND/WAKEUP/RESET/SHUTDOWN, in order */
	int done, inner_suspend, inner_boots;
};

/* The inner init's "ok"/"not ok" lines, from every QEMU of a run. */
static char inner[16][160];
static int nr_inner;

static double seconds(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void result(int ok, const char *name, const char *fmt, ...)
{
	char why[256] = "";
	va_list ap;

	if (fmt) {
		va_start(ap, fmt);
		vsnprintf(why, sizeof(why), fmt, ap);
		va_end(ap);
	}
	if (!ok)
		failed++;
	printf("%sok %d %s%s%s\n", ok ? "" : "not ", ++nr_result, name,
	       why[0] ? " # " : "", why);
}

static void console_line(struct vm *vm, char *line)
{
	char *cr = strchr(line, '\r');
	const char *msg;

	if (cr)
		*cr = '\0';
	printf("# | %s\n", line);
	msg = strstr(line, "inner: ");
	if (!msg)
		return;
	msg += 7;
	if (!strcmp(msg, "done"))
		vm->done = 1;
	else if (!strcmp(msg, "init"))
		vm->inner_boots++;
	else if (!strncmp(msg, "suspend ", 8))
		vm->inner_suspend = atoi(msg + 8);
	else if ((!strncmp(msg, "ok ", 3) || !strncmp(msg, "not ok ", 7)) &&
		 nr_inner < 16)
		snprintf(inner[nr_inner++], sizeof(inner[0]), "%s", msg);
}

static void qmp_line(struct vm *vm, const char *line)
{
	static const char *const kinds[] = {
		"SUSPEND", "WAKEUP", "RESET", "SHUTDOWN",
	};
	const char *ev = strstr(line, "\"event\": \"");
	size_t i;

	if (!ev)
		return;
	ev += 10;
	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++) {
		size_t n = strlen(kinds[i]);

		if (!strncmp(ev, kinds[i], n) && ev[n] == '"') {
			printf("# qmp event %s\n", kinds[i]);
			snprintf(vm->events + strlen(vm->events),
				 sizeof(vm->events) - strlen(vm->events),
				 "%s%s", vm->events[0] ? " " : "", kinds[i]);
		}
	}
}

/*
 * Read what is there, for up to MS milliseconds: the console, and QMP's
 * events unless a command waits for its answer (QMP too). -1 once QEMU
 * is gone.
 */
static int pump_fds(struct vm *vm, int ms, int qmp_too)
{
	struct pollfd pfd[2] = {
		{ .fd = vm->console, .events = POLLIN },
		{ .fd = vm->qmp, .events = POLLIN },
	};
	int i, gone = 0;

	if (poll(pfd, vm->qmp >= 0 && qmp_too ? 2 : 1, ms) <= 0)
		return 0;
	for (i = 0; i < (qmp_too ? 2 : 1); i++) {
		char *buf = i ? vm->qbuf : vm->cbuf;
		size_t *len = i ? &vm->qlen : &vm->clen;
		size_t size = i ? sizeof(vm->qbuf) : sizeof(vm->cbuf);
		char *nl;
		ssize_t n;

		if (!(pfd[i].revents & (POLLIN | POLLHUP | POLLERR)))
			continue;
		n = read(pfd[i].fd, buf + *len, size - 1 - *len);
		if (n <= 0) {
			gone = 1;
			continue;
		}
		*len += n;
		buf[*len] = '\0';
		while ((nl = strchr(buf, '\n'))) {
			*nl = '\0';
			if (i)
				qmp_line(vm, buf);
			else
				console_line(vm, buf);
			*len -= nl + 1 - buf;
			memmove(buf, nl + 1, *len + 1);
		}
		if (*len == size - 1)
			*len = 0;
	}
	return gone ? -1 : 0;
}

static int pump(struct vm *vm, int ms)
{
	return pump_fds(vm, ms, 1);
}

/*
 * Send a QMP command and wait for its answer: 0 and the answer's line in
 * REPLY (if given) on "return", -1 on "error" or no answer.
 */
static int qmp(struct vm *vm, const char *cmd, char *reply, size_t size)
{
	double start = seconds();
	size_t n = strlen(cmd);

	if (!strstr(cmd, "query-"))
		printf("# qmp> %s\n", cmd);
	if (write(vm->qmp, cmd, n) != (ssize_t)n || write(vm->qmp, "\n", 1) != 1)
		return -1;
	while (seconds() - start < STEP_TIMEOUT) {
		struct pollfd pfd = { .fd = vm->qmp, .events = POLLIN };
		char *nl;
		ssize_t r;

		pump_fds(vm, 0, 0);	/* the console: QEMU must not block on it */
		if (poll(&pfd, 1, 50) <= 0)
			continue;
		r = read(vm->qmp, vm->qbuf + vm->qlen, sizeof(vm->qbuf) - 1 - vm->qlen);
		if (r <= 0)
			return -1;
		vm->qlen += r;
		vm->qbuf[vm->qlen] = '\0';
		while ((nl = strchr(vm->qbuf, '\n'))) {
			int is_return, is_error;

			*nl = '\0';
			is_return = !!strstr(vm->qbuf, "\"return\"");
			is_error = !!strstr(vm->qbuf, "\"error\"");
			if (is_return || is_error) {
				if (!strstr(cmd, "query-"))
					printf("# qmp< %.200s\n", vm->qbuf);
				if (reply) {
					size_t l = strlen(vm->qbuf);

					if (l >= size)
						l = size - 1;
					memcpy(reply, vm->qbuf, l);
					reply[l] = '\0';
				}
			} else {
				qmp_line(vm, vm->qbuf);
			}
			vm->qlen -= nl + 1 - vm->qbuf;
			memmove(vm->qbuf, nl + 1, vm->qlen + 1);
			if (is_return || is_error)
				return is_return ? 0 : -1;
		}
	}
	return -1;
}

static int status_is(struct vm *vm, const char *want)
{
	char reply[512], pat[64];
	const char *st;

	if (qmp(vm, "{\"execute\": \"query-status\"}", reply, sizeof(reply)))
		return 0;
	st = strstr(reply, "\"status\": ");
	printf("# query-status: %.40s\n", st ? st + 10 : reply);
	snprintf(pat, sizeof(pat), "\"status\": \"%s\"", want);
	return strstr(reply, pat) != NULL;
}

/* Wait until the event list ends with WANT; 0 when it did. */
static int wait_events(struct vm *vm, const char *want, double secs)
{
	double start = seconds();
	size_t n = strlen(want);

	while (seconds() - start < secs) {
		size_t len = strlen(vm->events);

		if (len >= n && !strcmp(vm->events + len - n, want))
			return 0;
		if (pump(vm, 100) < 0)
			break;
	}
	return -1;
}

static int connect_qmp(struct vm *vm)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	double start = seconds();
	char greeting[64];

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", QMP_SOCK);
	while (seconds() - start < STEP_TIMEOUT) {
		int fd = socket(AF_UNIX, SOCK_STREAM, 0);

		if (fd >= 0 && !connect(fd, (struct sockaddr *)&sa, sizeof(sa))) {
			vm->qmp = fd;
			/* The greeting is the first line; then capabilities. */
			if (read(fd, greeting, sizeof(greeting)) <= 0)
				return -1;
			vm->qlen = 0;
			return qmp(vm, "{\"execute\": \"qmp_capabilities\"}", NULL, 0);
		}
		if (fd >= 0)
			close(fd);
		pump(vm, 100);
	}
	printf("# no QMP socket after %.0f s\n", STEP_TIMEOUT);
	return -1;
}

static int start_qemu(struct vm *vm, const char *mode, int incoming)
{
	char machine[64], cmdline[128], qmp_opt[128];
	const char *argv[40];
	int argc = 0, out[2], in[2];

	memset(vm, 0, sizeof(*vm));
	vm->qmp = -1;
	vm->keys = -1;
	snprintf(machine, sizeof(machine), "virt,gic-version=3,system-suspend=%s",
		 strcmp(mode, "off") ? "on" : "off");
	snprintf(cmdline, sizeof(cmdline),
		 "console=ttyAMA0 loglevel=4 panic=-1 qemu_suspend=%s", mode);
	snprintf(qmp_opt, sizeof(qmp_opt), "unix:%s,server=on,wait=off", QMP_SOCK);
	argv[argc++] = qemu;
	argv[argc++] = "-M";
	argv[argc++] = machine;
	argv[argc++] = "-accel";
	argv[argc++] = "kvm";
	argv[argc++] = "-cpu";
	argv[argc++] = "host";
	argv[argc++] = "-smp";
	argv[argc++] = "2";
	argv[argc++] = "-m";
	argv[argc++] = "128";
	argv[argc++] = "-display";
	argv[argc++] = "none";
	argv[argc++] = "-monitor";
	argv[argc++] = "none";
	argv[argc++] = "-serial";
	argv[argc++] = "stdio";
	argv[argc++] = "-nic";
	argv[argc++] = "none";
	/* -no-reboot would turn system_reset into a shutdown. */
	if (strcmp(mode, "reset"))
		argv[argc++] = "-no-reboot";
	argv[argc++] = "-qmp";
	argv[argc++] = qmp_opt;
	argv[argc++] = "-kernel";
	argv[argc++] = image;
	argv[argc++] = "-initrd";
	argv[argc++] = initrd;
	argv[argc++] = "-append";
	argv[argc++] = cmdline;
	if (incoming) {
		argv[argc++] = "-incoming";
		argv[argc++] = "file:" SNAPSHOT;
	}
	argv[argc] = NULL;

	unlink(QMP_SOCK);
	if (pipe(out))
		return -1;
	if (pipe(in)) {
		close(out[0]);
		close(out[1]);
		return -1;
	}
	fflush(stdout);
	vm->pid = fork();
	if (vm->pid == 0) {
		dup2(in[0], 0);
		dup2(out[1], 1);
		dup2(out[1], 2);
		close(in[1]);
		close(out[0]);
		execv(qemu, (char **)argv);
		fprintf(stderr, "exec %s: %s\n", qemu, strerror(errno));
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	vm->keys = in[1];
	vm->console = out[0];
	printf("# qemu -M %s%s\n", machine, incoming ? " -incoming file:" SNAPSHOT : "");
	return vm->pid < 0 ? -1 : connect_qmp(vm);
}

/* Wait for QEMU to end by itself; its exit status, or -1 (killed). */
static int end_qemu(struct vm *vm, double secs)
{
	double start = seconds();
	int status;

	while (seconds() - start < secs) {
		if (waitpid(vm->pid, &status, WNOHANG) == vm->pid)
			goto gone;
		if (pump(vm, 100) < 0 && waitpid(vm->pid, &status, 0) == vm->pid)
			goto gone;
	}
	printf("# QEMU still running after %.0f s: killed\n", secs);
	kill(vm->pid, SIGKILL);
	waitpid(vm->pid, &status, 0);
	status = -1;
gone:
	while (pump(vm, 0) == 0 && vm->clen)
		;
	close(vm->console);
	close(vm->keys);
	if (vm->qmp >= 0)
		close(vm->qmp);
	return status < 0 ? -1 : WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

/* Report the inner guest's line for check NAME. */
static void inner_result(const char *name, const char *prefix)
{
	char full[64];
	int i;

	snprintf(full, sizeof(full), "%s%s", prefix, name);
	for (i = 0; i < nr_inner; i++) {
		const char *l = inner[i];
		int ok = !strncmp(l, "ok ", 3);
		const char *rest = l + (ok ? 3 : 7);
		size_t n = strlen(name);

		if (!strncmp(rest, name, n) && (!rest[n] || rest[n] == ' ')) {
			const char *why = strstr(rest, "# ");

			result(ok, full, why ? "%s" : NULL, why ? why + 2 : "");
			return;
		}
	}
	result(0, full, "the inner guest gave no result");
}

/* Wait for the inner guest to start suspend NR; 0 when it did. */
static int wait_inner_suspend(struct vm *vm, int nr)
{
	double start = seconds();

	while (vm->inner_suspend < nr && seconds() - start < STEP_TIMEOUT)
		if (pump(vm, 100) < 0)
			return -1;
	return vm->inner_suspend >= nr ? 0 : -1;
}

static void test_off(void)
{
	struct vm vm;
	double start = seconds();
	int st;

	if (start_qemu(&vm, "off", 0)) {
		result(0, "off_deep_absent", "QEMU did not start");
		end_qemu(&vm, 1);
		return;
	}
	st = end_qemu(&vm, 2 * STEP_TIMEOUT);
	printf("# off: whole run %.2f s, QEMU exit %d\n", seconds() - start, st);
	inner_result("deep_absent", "off_");
}

/* A key typed on the inner guest's serial console (QEMU's -serial stdio). */
static void type_key(struct vm *vm)
{
	printf("# a key typed on the console\n");
	if (write(vm->keys, "\r", 1) != 1)
		printf("# cannot write to QEMU's stdin: %s\n", strerror(errno));
}

/* One cycle's QEMU side; the results are named cycle_N_... */
static void cycle_qmp(struct vm *vm, int nr, double t0)
{
	char name[64], before[512];
	int ok;

	snprintf(name, sizeof(name), "cycle_%d_suspend_event", nr);
	snprintf(before, sizeof(before), "%s", vm->events);
	ok = !wait_inner_suspend(vm, nr) && !wait_events(vm, "SUSPEND", STEP_TIMEOUT);
	result(ok, name, "events: %s", vm->events);
	snprintf(name, sizeof(name), "cycle_%d_status_suspended", nr);
	result(status_is(vm, "suspended"), name, NULL);
	if (nr == 1) {
		/* The guest's RTC alarm wakes it, without any command. */
		ok = !wait_events(vm, "SUSPEND WAKEUP", STEP_TIMEOUT);
		result(ok, "cycle_1_rtc_wakeup", "%.2f s after the suspend: events %s",
		       seconds() - t0, vm->events);
	} else {
		/* A key wakes it only once the guest made it a wake-up source. */
		if (nr == 2)
			type_key(vm);
		wait_events(vm, "SUSPEND WAKEUP", 1.0);
		snprintf(name, sizeof(name), "cycle_%d_stays_suspended", nr);
		result(!strstr(vm->events + strlen(before), "WAKEUP") &&
		       status_is(vm, "suspended"), name, "events: %s", vm->events);
	}
	if (nr == KEY_CYCLE) {
		t0 = seconds();
		type_key(vm);
		ok = !wait_events(vm, "SUSPEND WAKEUP", STEP_TIMEOUT);
		result(ok, "cycle_3_key_wakeup", "%.2f s after the key: events %s",
		       seconds() - t0, vm->events);
	}
}

static int migrate_to_file(struct vm *vm)
{
	double start = seconds();
	char reply[1024];

	unlink(SNAPSHOT);
	if (qmp(vm, "{\"execute\": \"migrate\", \"arguments\": "
		"{\"uri\": \"file:" SNAPSHOT "\"}}", NULL, 0))
		return -1;
	while (seconds() - start < STEP_TIMEOUT) {
		if (qmp(vm, "{\"execute\": \"query-migrate\"}", reply, sizeof(reply)))
			return -1;
		if (strstr(reply, "\"status\": \"completed\"")) {
			printf("# migrated to " SNAPSHOT " in %.2f s\n",
			       seconds() - start);
			return 0;
		}
		if (strstr(reply, "\"status\": \"failed\""))
			return -1;
		pump(vm, 200);
	}
	return -1;
}

static void test_cycles(void)
{
	struct vm vm, vm2;
	double start = seconds(), t;
	int st, i;
	char ev1[512];

	if (start_qemu(&vm, "cycles", 0)) {
		result(0, "cycles_qemu_started", "QEMU did not start");
		end_qemu(&vm, 1);
		return;
	}
	for (i = 1; i <= 3; i++) {
		t = seconds();
		cycle_qmp(&vm, i, t);
		if (i == 2)
			result(!qmp(&vm, "{\"execute\": \"system_wakeup\"}", NULL, 0) &&
			       !wait_events(&vm, "SUSPEND WAKEUP", STEP_TIMEOUT),
			       "cycle_2_system_wakeup", "events: %s", vm.events);
	}

	/*
	 * Cycle 4: save the suspended VM, quit that QEMU while the VM is
	 * suspended, restore the VM into a new QEMU.
	 */
	cycle_qmp(&vm, 4, seconds());
	st = migrate_to_file(&vm);
	result(!st, "cycle_4_saved", NULL);
	qmp(&vm, "{\"execute\": \"quit\"}", NULL, 0);
	snprintf(ev1, sizeof(ev1), "%s", vm.events);
	st = end_qemu(&vm, STEP_TIMEOUT);
	result(!strcmp(ev1, "SUSPEND WAKEUP SUSPEND WAKEUP SUSPEND WAKEUP SUSPEND SHUTDOWN") ||
	       !strcmp(ev1, "SUSPEND WAKEUP SUSPEND WAKEUP SUSPEND WAKEUP SUSPEND"),
	       "events_in_order", "first QEMU: %s", ev1);

	if (start_qemu(&vm2, "cycles", 1)) {
		result(0, "cycle_4_restored", "the second QEMU did not start");
		end_qemu(&vm2, 1);
		return;
	}
	t = seconds();
	while (!status_is(&vm2, "suspended") && seconds() - t < STEP_TIMEOUT)
		pump(&vm2, 200);
	result(status_is(&vm2, "suspended"), "cycle_4_restored_suspended",
	       "%.2f s", seconds() - t);
	wait_events(&vm2, "WAKEUP", 1.0);
	result(!strstr(vm2.events, "WAKEUP"), "cycle_4_restored_stays_suspended",
	       "events: %s", vm2.events);
	result(!qmp(&vm2, "{\"execute\": \"system_wakeup\"}", NULL, 0) &&
	       !wait_events(&vm2, "WAKEUP", STEP_TIMEOUT),
	       "cycle_4_system_wakeup", "events: %s", vm2.events);
	st = end_qemu(&vm2, 2 * STEP_TIMEOUT);
	printf("# cycles: whole run %.2f s, second QEMU exit %d, events %s\n",
	       seconds() - start, st, vm2.events);
	result(vm2.done && st == 0 && strstr(vm2.events, "WAKEUP SHUTDOWN"),
	       "powered_off", "second QEMU exit %d, events %s", st, vm2.events);
	inner_result("deep_offered", "");
	inner_result("cycle_1", "inner_");
	inner_result("cycle_2", "inner_");
	inner_result("cycle_3", "inner_");
	inner_result("cycle_4", "inner_");
}

static void test_reset(void)
{
	struct vm vm;
	double t;
	int ok, st;

	if (start_qemu(&vm, "reset", 0)) {
		result(0, "reset_qemu_started", "QEMU did not start");
		end_qemu(&vm, 1);
		return;
	}
	ok = !wait_inner_suspend(&vm, 1) &&
	     !wait_events(&vm, "SUSPEND", STEP_TIMEOUT) && status_is(&vm, "suspended");
	result(ok, "reset_suspended", "events: %s", vm.events);
	ok = !qmp(&vm, "{\"execute\": \"system_reset\"}", NULL, 0) &&
	     !wait_events(&vm, "SUSPEND RESET", STEP_TIMEOUT);
	result(ok, "reset_event", "events: %s", vm.events);
	if (!status_is(&vm, "running"))
		qmp(&vm, "{\"execute\": \"cont\"}", NULL, 0);
	t = seconds();
	while (vm.inner_boots < 2 && seconds() - t < STEP_TIMEOUT)
		if (pump(&vm, 100) < 0)
			break;
	result(vm.inner_boots >= 2, "reset_reboots",
	       "inner boots: %d, %.2f s after the reset", vm.inner_boots,
	       seconds() - t);
	qmp(&vm, "{\"execute\": \"quit\"}", NULL, 0);
	st = end_qemu(&vm, STEP_TIMEOUT);
	printf("# reset: QEMU exit %d, events %s\n", st, vm.events);
}

int main(int argc, char **argv)
{
	if (argc != 4) {
		fprintf(stderr, "usage: %s QEMU IMAGE INNER-INITRAMFS\n", argv[0]);
		return 2;
	}
	qemu = argv[1];
	image = argv[2];
	initrd = argv[3];
	setvbuf(stdout, NULL, _IOLBF, 0);
	signal(SIGPIPE, SIG_IGN);

	printf("KTAP version 1\n1..%d\n", PLAN);
	test_off();
	test_cycles();
	test_reset();
	if (nr_result != PLAN)
		result(0, "plan", "%d results, not %d", nr_result, PLAN);
	return failed ? 1 : 0;
}
