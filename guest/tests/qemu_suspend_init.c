// SPDX-License-Identifier: GPL-2.0
/*
 * qemu_suspend_init: PID 1 of the inner Linux that qemu_suspend boots under
 * the patched QEMU (-M virt), on the same kernel Image. The kernel command
 * line's qemu_suspend= says what to check:
 *
 *   cycles  "deep" in mem_sleep, then four suspend-to-RAM cycles with 2
 *           vCPUs and a memory pattern: the first woken by the PL031 RTC's
 *           alarm (armed through /sys/class/rtc/rtc0/wakealarm); the
 *           second with no alarm armed, woken by QMP system_wakeup (a key
 *           on the serial console must not wake it: the PL011 is not a
 *           wake-up source yet); the third woken by a key, once the
 *           console's tty is one (its power/wakeup "enabled"); the fourth
 *           by system_wakeup after the suspended VM was saved to a file
 *           and restored into a new QEMU
 *   reset   suspend once with nothing armed to wake it: qemu_suspend
 *           resets the VM, and this init starts again
 *   off     no "deep" (virt's system-suspend=off)
 *
 * Each check is one line "inner: ok NAME" or "inner: not ok NAME # why",
 * which qemu_suspend reads on the inner console. Ends with a power off.
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

#define CYCLES		4
#define KEY_CYCLE	3
#define ALARM_SECS	3

static int cpu1_online(void)
{
	char buf[8];

	return !read_file("/sys/devices/system/cpu/cpu1/online", buf,
			  sizeof(buf)) && !strcmp(buf, "1");
}

/* Arm the PL031 alarm SECS seconds ahead, or clear it (0). */
static int arm_alarm(int secs)
{
	char buf[16];
	int err = write_file("/sys/class/rtc/rtc0/wakealarm", "0");

	if (err || !secs)
		return err;
	snprintf(buf, sizeof(buf), "+%d", secs);
	return write_file("/sys/class/rtc/rtc0/wakealarm", buf);
}

/* One suspend to RAM: 0, or -errno of the write to /sys/power/state. */
static int suspend_once(int nr, int alarm)
{
	int err = arm_alarm(alarm);

	if (err) {
		say("inner: # cannot %s the RTC alarm: %s\n",
		    alarm ? "arm" : "clear", strerror(-err));
		return err;
	}
	/* The serial port stays on in suspend, and wakes it, from here on. */
	if (nr == KEY_CYCLE) {
		err = write_file("/sys/class/tty/ttyAMA0/power/wakeup", "enabled");
		if (err) {
			say("inner: # cannot make ttyAMA0 a wake-up source: %s\n",
			    strerror(-err));
			return err;
		}
	}
	say("inner: suspend %d %s\n", nr,
	    alarm ? "rtc" : nr == KEY_CYCLE ? "key" : "host");
	tcdrain(STDOUT_FILENO);
	err = write_file("/sys/power/state", "mem");
	say("inner: resumed %d\n", nr);
	return err;
}

static void test_cycles(void)
{
	char mem_sleep[64];
	int i;

	if (!deep_offered(mem_sleep, sizeof(mem_sleep))) {
		say("inner: not ok deep_offered # mem_sleep is '%s': the guest's PSCI driver found no SYSTEM_SUSPEND\n",
		    mem_sleep);
		return;
	}
	say("inner: ok deep_offered # mem_sleep '%s'\n", mem_sleep);
	if (write_file("/sys/power/mem_sleep", "deep")) {
		say("inner: not ok cycle_1 # cannot select deep\n");
		return;
	}

	for (i = 1; i <= CYCLES; i++) {
		long success = stat_of("success"), fail = stat_of("fail");
		unsigned long seed = 0x5eed0000UL + i;
		long bad;
		int err;

		fill_pattern(seed);
		err = suspend_once(i, i == 1 ? ALARM_SECS : 0);
		bad = check_pattern(seed);
		if (err)
			say("inner: not ok cycle_%d # the write to /sys/power/state failed: %s\n",
			    i, strerror(-err));
		else if (stat_of("success") != success + 1)
			say("inner: not ok cycle_%d # suspend_stats/success went from %ld to %ld\n",
			    i, success, stat_of("success"));
		else if (stat_of("fail") != fail)
			say("inner: not ok cycle_%d # suspend_stats/fail went from %ld to %ld\n",
			    i, fail, stat_of("fail"));
		else if (bad >= 0)
			say("inner: not ok cycle_%d # memory pattern changed at word %ld\n",
			    i, bad);
		else if (!cpu1_online())
			say("inner: not ok cycle_%d # CPU1 did not come back online\n",
			    i);
		else
			say("inner: ok cycle_%d # suspend_stats/success %ld\n",
			    i, stat_of("success"));
	}
}

static void test_reset(void)
{
	int err;

	if (write_file("/sys/power/mem_sleep", "deep")) {
		say("inner: # cannot select deep\n");
		return;
	}
	err = suspend_once(1, 0);
	say("inner: # resumed from a suspend only a reset should end: %s\n",
	    err ? strerror(-err) : "no error");
}

int main(void)
{
	const char *mode = getenv("qemu_suspend");

	mount("proc", "/proc", "proc", 0, NULL);
	mount("sysfs", "/sys", "sysfs", 0, NULL);
	say("inner: init\n");
	/* Booted quietly; from here on show the kernel's PM messages. */
	write_file("/proc/sys/kernel/printk", "7");

	pattern = malloc(PATTERN_WORDS * sizeof(*pattern));
	if (!pattern) {
		say("inner: # no memory for the pattern\n");
	} else if (mode && !strcmp(mode, "cycles")) {
		test_cycles();
	} else if (mode && !strcmp(mode, "reset")) {
		test_reset();
	} else if (mode && !strcmp(mode, "off")) {
		test_off();
	} else {
		say("inner: # unknown mode '%s'\n", mode ? mode : "(none)");
	}

	say("inner: done\n");
	sync();
	reboot(RB_POWER_OFF);
	for (;;)
		pause();
}
