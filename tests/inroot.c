// SPDX-License-Identifier: GPL-2.0
/*
 * The command tests/clean-root.sh runs inside a small root through
 * scripts/chroot-run.sh. Usage:
 *   inroot exit N   exit with status N
 *   inroot mounts   exit 0 if /proc and /dev are there, 3 if not
 *   inroot wait     write "waiting" to /ready, then sleep until killed
 */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct stat st;
	int fd;

	if (argc == 3 && !strcmp(argv[1], "exit"))
		return atoi(argv[2]);
	if (argc == 2 && !strcmp(argv[1], "mounts"))
		return stat("/proc/self/status", &st) ||
		       stat("/dev/null", &st) || !S_ISCHR(st.st_mode) ? 3 : 0;
	if (argc == 2 && !strcmp(argv[1], "wait")) {
		fd = open("/ready", O_WRONLY | O_CREAT | O_TRUNC, 0644);
		if (fd < 0 || write(fd, "waiting\n", 8) != 8)
			return 4;
		close(fd);
		for (;;)
			pause();
	}
	return 2;
}
