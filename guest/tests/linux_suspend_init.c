// SPDX-License-Identifier: GPL-2.0
/*
 * /init of the inner Linux of the linux_suspend test, which kvmtool (lkvm)
 * boots inside the test guest. It checks what the guest's own PSCI driver
 * makes of SYSTEM_SUSPEND and reports on the console, one line each:
 *
 *   inner: ok NAME [# detail]       a check passed
 *   inner: not ok NAME # detail     a check failed
 *   inner: suspend N WAKE           before each suspend: WAKE is "key"
 *                                   (the outer test types a key, the
 *                                   wake-up, while the guest is suspended),
 *                                   "rtc" (the RTC alarm wakes it) or
 *                                   "stop" (nothing does: lkvm stop ends it)
 *   inner: resumed N                after it
 *   inner: done
 *
 * then powers off. The kernel command line says what to check, as
 * "linux_suspend=MODE" (the kernel passes it to init's environment):
 *
 *   cycles  deep is offered; three suspend-to-RAM cycles, each counted by
 *           suspend_stats/success, with a memory pattern intact and every
 *           CPU that was online back online: woken by a key on the
 *           console; by the RTC alarm (rtc0's wakealarm, what rtcwake
 *           sets), which must have fired and the RTC moved on by its
 *           delay; and by the RTC again with CPU0 offline first, so that
 *           a non-boot CPU makes the call; then "done", and a last suspend
 *           that only lkvm stop ends
 *   off     the VMM does not offer SYSTEM_SUSPEND: deep is not offered
 *
 * The wake-up is armed before every suspend: a guest suspended with
 * nothing to wake it never comes back.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include "inner.h"

#define CYCLES		3
/*
 * Seconds from the alarm's setting to its ring. An alarm that rings before
 * the guest is suspended is a wake-up event that aborts the suspend
 * (suspend_once() uses /sys/power/wakeup_count for that); then the cycle
 * is tried again with twice the delay, up to RTC_RETRIES times: 8 s, 16 s.
 */
#define RTC_DELAY	4
#define RTC_RETRIES	2
#define MAX_CPUS	8
#define RTC		"/sys/class/rtc/rtc0"

/* CPU n's online file: 1, 0, or -1 if it has none (CPU0 on some kernels). */
static int cpu_online(int n)
{
	char path[64], buf[8];

	snprintf(path, sizeof(path), "/sys/devices/system/cpu/cpu%d/online", n);
	if (read_file(path, buf, sizeof(buf)))
		return -1;
	return !strcmp(buf, "1");
}

static int set_cpu_online(int n, int on)
{
	char path[64];

	snprintf(path, sizeof(path), "/sys/devices/system/cpu/cpu%d/online", n);
	return write_file(path, on ? "1" : "0");
}

/* The online CPUs as a bit mask; nr_cpus gets how many CPUs there are. */
static unsigned int online_mask(int *nr_cpus)
{
	unsigned int mask = 0;
	char path[64];
	int n;

	for (n = 0; n < MAX_CPUS; n++) {
		snprintf(path, sizeof(path), "/sys/devices/system/cpu/cpu%d", n);
		if (access(path, F_OK))
			break;
		if (cpu_online(n) != 0)
			mask |= 1U << n;
	}
	if (nr_cpus)
		*nr_cpus = n;
	return mask;
}

/* rtc0's time in seconds, or -errno. */
static long rtc_seconds(void)
{
	char buf[32];
	int err = read_file(RTC "/since_epoch", buf, sizeof(buf));

	if (err)
		return err;
	return strtol(buf, NULL, 10);
}

/* Has rtc0's alarm rung? Its wakealarm reads empty once it has. */
static int alarm_rang(void)
{
	char buf[32];
	int i;

	/* The RTC core clears it from a work item, soon after the interrupt. */
	for (i = 0; i < 20; i++) {
		if (!read_file(RTC "/wakealarm", buf, sizeof(buf)) && !buf[0])
			return 1;
		usleep(100 * 1000);
	}
	return 0;
}

/*
 * One suspend to RAM, woken by a key (rtc 0), by rtc0's alarm (rtc 1), or
 * by nothing (rtc -1): 0, or -errno of the write to /sys/power/state.
 *
 * An alarm must not ring while the guest enters the suspend unnoticed:
 * its interrupt, handled before the kernel suspends its devices, would
 * leave a suspended guest with nothing to wake it. So the suspend goes
 * as the kernel's wakeup_count interface intends: the count is read
 * before the alarm is set and written back just before the suspend, and
 * any wake-up event since makes one of the two writes fail (EINVAL,
 * EBUSY). When the event was the alarm, the cycle is tried again, with
 * twice the delay, up to RTC_RETRIES times; *retried says how many times
 * and *aborted how many of those the kernel counted as failed suspends.
 */
static int suspend_once(int nr, int rtc, int *retried, int *aborted)
{
	int delay = RTC_DELAY, err;
	char buf[32], count[32];

	*retried = *aborted = 0;
again:
	if (read_file("/sys/power/wakeup_count", count, sizeof(count))) {
		say("inner: # cannot read /sys/power/wakeup_count\n");
		return -ENODEV;
	}
	if (rtc < 0) {
		/* no wake-up: the outer test stops lkvm */
	} else if (rtc) {
		snprintf(buf, sizeof(buf), "+%d", delay);
		if (write_file(RTC "/wakealarm", "0") ||
		    write_file(RTC "/wakealarm", buf)) {
			say("inner: # cannot set the alarm (" RTC "/wakealarm)\n");
			return -ENODEV;
		}
	} else if (write_file("/sys/class/tty/ttyS0/power/wakeup", "enabled")) {
		say("inner: # cannot arm the wake-up (ttyS0 power/wakeup)\n");
		return -ENODEV;
	}
	say("inner: suspend %d %s\n", nr, rtc < 0 ? "stop" : rtc ? "rtc" : "key");
	/*
	 * Let the console finish sending first: the UART's transmit interrupt
	 * is the wake-up's too, and one that comes while the kernel enters
	 * the suspend aborts it (EBUSY), before any call reaches the VMM.
	 */
	tcdrain(STDOUT_FILENO);
	err = write_file("/sys/power/wakeup_count", count);
	if (!err) {
		err = write_file("/sys/power/state", "mem");
		if (err == -EBUSY)
			++*aborted;
	}
	say("inner: resumed %d\n", nr);
	if (rtc > 0 && err && *retried < RTC_RETRIES && alarm_rang()) {
		say("inner: # cycle %d: a wake-up event before the guest was suspended (%s), and the alarm has rung; again, with %d s\n",
		    nr, strerror(-err), 2 * delay);
		++*retried;
		delay *= 2;
		goto again;
	}
	if (!rtc)
		write_file("/sys/class/tty/ttyS0/power/wakeup", "disabled");
	if (rtc < 0)
		say("inner: # resumed though nothing could wake it (%d)\n", err);
	return err;
}

/* The cycles; 1 when deep was selected, so that a last suspend can be stopped. */
static int test_cycles(void)
{
	char mem_sleep[64];
	int i;

	if (!deep_offered(mem_sleep, sizeof(mem_sleep))) {
		say("inner: not ok deep_offered # mem_sleep is '%s': the guest's PSCI driver found no SYSTEM_SUSPEND\n",
		    mem_sleep);
		return 0;
	}
	say("inner: ok deep_offered # mem_sleep '%s'\n", mem_sleep);
	if (write_file("/sys/power/mem_sleep", "deep")) {
		say("inner: not ok cycle_1 # cannot select deep\n");
		return 0;
	}

	for (i = 1; i <= CYCLES; i++) {
		long success = stat_of("success"), fail = stat_of("fail");
		unsigned long seed = 0x5eed0000UL + i;
		int rtc = i > 1, nr_cpus, err, retried, aborted;
		long bad, rtc_before = 0, rtc_after = 0;
		unsigned int online;
		char alarm[32] = "";

		if (i == 3 && (cpu_online(0) < 0 || set_cpu_online(0, 0))) {
			say("inner: not ok cycle_%d # cannot take CPU0 offline\n", i);
			continue;
		}
		online = online_mask(&nr_cpus);
		if (rtc && (rtc_before = rtc_seconds()) < 0) {
			say("inner: not ok cycle_%d # no RTC time (" RTC "/since_epoch: %s)\n",
			    i, strerror(-rtc_before));
			continue;
		}
		fill_pattern(seed);
		err = suspend_once(i, rtc, &retried, &aborted);
		bad = check_pattern(seed);
		if (rtc) {
			rtc_after = rtc_seconds();
			read_file(RTC "/wakealarm", alarm, sizeof(alarm));
		}
		if (err)
			say("inner: not ok cycle_%d # the write to /sys/power/state failed: %s\n",
			    i, strerror(-err));
		else if (stat_of("success") != success + 1)
			say("inner: not ok cycle_%d # suspend_stats/success went from %ld to %ld\n",
			    i, success, stat_of("success"));
		else if (stat_of("fail") != fail + aborted)
			say("inner: not ok cycle_%d # suspend_stats/fail went from %ld to %ld\n",
			    i, fail, stat_of("fail"));
		else if (bad >= 0)
			say("inner: not ok cycle_%d # memory pattern changed at word %ld\n",
			    i, bad);
		else if (online_mask(NULL) != online)
			say("inner: not ok cycle_%d # online CPUs 0x%x before, 0x%x after\n",
			    i, online, online_mask(NULL));
		else if (rtc && alarm[0])
			say("inner: not ok cycle_%d # the alarm (%s) has not fired\n",
			    i, alarm);
		else if (rtc && rtc_after - rtc_before < RTC_DELAY)
			say("inner: not ok cycle_%d # the RTC went from %ld to %ld, less than the alarm's %d s\n",
			    i, rtc_before, rtc_after, RTC_DELAY);
		else
			say("inner: ok cycle_%d # %d CPUs, online 0x%x, woken by %s%s, suspend_stats/success %ld\n",
			    i, nr_cpus, online, rtc ? "the RTC alarm" : "a key",
			    i == 3 ? ", CPU0 offline" : "", stat_of("success"));
		if (i == 3 && set_cpu_online(0, 1))
			say("inner: # cannot bring CPU0 back online\n");
	}
	return 1;
}

int main(void)
{
	const char *mode = getenv("linux_suspend");
	int retried, aborted, deep = 0;

	mount("proc", "/proc", "proc", 0, NULL);
	mount("sysfs", "/sys", "sysfs", 0, NULL);
	say("inner: init\n");
	/* Booted quietly; from here on show the kernel's PM messages. */
	write_file("/proc/sys/kernel/printk", "7");

	pattern = malloc(PATTERN_WORDS * sizeof(*pattern));
	if (!pattern) {
		say("inner: # no memory for the pattern\n");
	} else if (mode && !strcmp(mode, "cycles")) {
		deep = test_cycles();
	} else if (mode && !strcmp(mode, "off")) {
		test_off();
	} else {
		say("inner: # unknown mode '%s'\n", mode ? mode : "(none)");
	}

	say("inner: done\n");
	/*
	 * Only into deep: s2idle never reaches the VMM, and nothing would
	 * end it but the outer test's timeout.
	 */
	if (deep)
		suspend_once(CYCLES + 1, -1, &retried, &aborted);
	sync();
	reboot(RB_POWER_OFF);
	for (;;)
		pause();
}
