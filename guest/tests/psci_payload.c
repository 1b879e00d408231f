// SPDX-License-Identifier: GPL-2.0
/*
 * psci_payload: a bare-metal guest for lkvm, the calls a Linux guest never
 * makes. lkvm loads it with -k as a raw image (RAM + 0x80000, MMU off, vCPU0
 * only); it calls PSCI with HVC, as kvmtool's device tree says, and checks
 * the VMM's answers to SYSTEM_SUSPEND:
 *
 *   features         PSCI_FEATURES(SYSTEM_SUSPEND64) is SUCCESS
 *   denied           vCPU1 on: DENIED, x1-x3 cleared
 *   invalid_address  every other vCPU off, the entry point outside RAM:
 *                    INVALID_ADDRESS, x1-x3 cleared
 *   concurrent       vCPU0 and vCPU1 call at once, ROUNDS times: DENIED
 *                    for both every time, and the VMM lives on
 *
 * Its results go to the 8250 UART in linux_suspend_init's words ("inner: ok
 * NAME", "inner: done"). Last, vCPU1 calls SYSTEM_OFF while vCPU0 and
 * vCPU2 call SYSTEM_SUSPEND over and over, each call a pause of the VM:
 * linux_suspend checks that lkvm then exits, cleanly (a pause must not
 * wait for vCPU1's thread once it has stopped, nor vCPU0's own pause fail
 * once it has been told to stop). No call before it may be honoured:
 * nothing would wake the vCPU (after SYSTEM_OFF, KVM has every vCPU off,
 * and a last call may be).
 */
#define UART_THR	0x1000000UL	/* kvmtool's first 8250 on arm64 */
#define RAM_START	0x80000000UL
#define OUTSIDE_RAM	0x1000UL	/* kvmtool's PCI I/O space */
#define ROUNDS		32

#define PSCI_FEATURES		0x8400000aUL
#define PSCI_CPU_OFF		0x84000002UL
#define PSCI_CPU_ON64		0xc4000003UL
#define PSCI_AFFINITY_INFO64	0xc4000004UL
#define PSCI_SYSTEM_OFF		0x84000008UL
#define PSCI_SYSTEM_SUSPEND64	0xc400000eUL
#define PSCI_DENIED		(-3L)
#define PSCI_INVALID_ADDRESS	(-9L)
#define AFFINITY_OFF		1

enum { CMD_NONE, CMD_SUSPEND, CMD_CPU_OFF, CMD_SYSTEM_OFF };

unsigned char stacks[3][4096] __attribute__((aligned(16)));

/*
 * Written by one vCPU at a time; the MMU is off, so accesses are ordered.
 * ack_seq is vCPU1's, but for its reset before a CPU_ON.
 */
static volatile unsigned long cmd, cmd_seq, ack_seq, go, hammered;
static volatile long cpu1_ret[4];

void _start(void);
void secondary_entry(void);
void hammer_entry(void);

asm(".section .text.start, \"ax\"\n"
    ".globl _start\n"
    "_start:\n"
    "	ldr	x1, =stacks + 4096\n"
    "	mov	sp, x1\n"
    "	bl	main\n"
    "1:	wfi\n"
    "	b	1b\n"
    ".globl secondary_entry\n"
    "secondary_entry:\n"
    "	ldr	x1, =stacks + 8192\n"
    "	mov	sp, x1\n"
    "	bl	secondary_main\n"
    "2:	b	2b\n"
    ".globl hammer_entry\n"
    "hammer_entry:\n"
    "	ldr	x1, =stacks + 12288\n"
    "	mov	sp, x1\n"
    "	bl	hammer_main\n"
    "3:	b	3b\n"
    ".text\n");

static void psci(unsigned long fn, unsigned long a1, unsigned long a2,
		 unsigned long a3, long out[4])
{
	register unsigned long x0 asm("x0") = fn;
	register unsigned long x1 asm("x1") = a1;
	register unsigned long x2 asm("x2") = a2;
	register unsigned long x3 asm("x3") = a3;

	asm volatile("hvc #0" : "+r"(x0), "+r"(x1), "+r"(x2), "+r"(x3) : :
		     "memory");
	out[0] = x0;
	out[1] = x1;
	out[2] = x2;
	out[3] = x3;
}

static void putc(char c)
{
	asm volatile("strb %w0, [%1]" : : "r"(c), "r"(UART_THR) : "memory");
}

static void puts(const char *s)
{
	while (*s)
		putc(*s++);
}

static void putx(unsigned long v)
{
	int i;

	puts("0x");
	for (i = 60; i >= 0; i -= 4)
		putc("0123456789abcdef"[(v >> i) & 15]);
}

static void result(int ok, const char *name, const long r[4])
{
	puts(ok ? "inner: ok " : "inner: not ok ");
	puts(name);
	puts(" # x0-x3 ");
	putx(r[0]);
	puts(" ");
	putx(r[1]);
	puts(" ");
	putx(r[2]);
	puts(" ");
	putx(r[3]);
	puts("\r\n");
}

/* A SYSTEM_SUSPEND whose answer must be this error, x1-x3 cleared. */
static int suspend_fails(unsigned long entry, long error, long r[4])
{
	psci(PSCI_SYSTEM_SUSPEND64, entry, 0xc0de, 0x3333, r);
	return r[0] == error && !r[1] && !r[2] && !r[3];
}

void secondary_main(void)
{
	unsigned long seen = cmd_seq;	/* a new start after each CPU_ON */
	long r[4];
	int i;

	ack_seq = seen;			/* up */

	for (;;) {
		while (cmd_seq == seen)
			;
		seen = cmd_seq;
		switch (cmd) {
		case CMD_SUSPEND:
			while (go != seen)
				;
			psci(PSCI_SYSTEM_SUSPEND64, (unsigned long)secondary_entry,
			     0, 0x3333, r);
			for (i = 0; i < 4; i++)
				cpu1_ret[i] = r[i];
			break;
		case CMD_CPU_OFF:
			ack_seq = seen;
			psci(PSCI_CPU_OFF, 0, 0, 0, r);
			break;
		case CMD_SYSTEM_OFF:
			while (go != seen)
				;
			psci(PSCI_SYSTEM_OFF, 0, 0, 0, r);
			break;
		}
		ack_seq = seen;
	}
}

/* vCPU2: SYSTEM_SUSPEND over and over, until the VM ends. */
void hammer_main(void)
{
	long r[4];

	for (;;) {
		psci(PSCI_SYSTEM_SUSPEND64, RAM_START + 0x80000, 0, 0, r);
		hammered = hammered + 1;
	}
}

static void command(unsigned long c)
{
	cmd = c;
	cmd_seq = cmd_seq + 1;
}

/* CPU_ON vCPU1, and wait until it runs and waits for commands. */
static int cpu1_on(void)
{
	long r[4];

	ack_seq = ~0UL;
	psci(PSCI_CPU_ON64, 1, (unsigned long)secondary_entry, 0, r);
	if (r[0])
		return 0;
	while (ack_seq != cmd_seq)
		;
	return 1;
}

static void cpu1_off(void)
{
	long r[4];

	command(CMD_CPU_OFF);
	do
		psci(PSCI_AFFINITY_INFO64, 1, 0, 0, r);
	while (r[0] != AFFINITY_OFF);
}

int main(void)
{
	long r[4], r1[4];
	int i, j, ok;

	psci(PSCI_FEATURES, PSCI_SYSTEM_SUSPEND64, 0, 0, r);
	result(!r[0], "features", r);

	if (!cpu1_on()) {
		puts("inner: not ok denied # CPU_ON of vCPU1 failed\r\n");
		puts("inner: done\r\n");
		psci(PSCI_SYSTEM_OFF, 0, 0, 0, r);
	}
	result(suspend_fails(RAM_START + 0x80000, PSCI_DENIED, r), "denied", r);

	cpu1_off();
	result(suspend_fails(OUTSIDE_RAM, PSCI_INVALID_ADDRESS, r),
	       "invalid_address", r);

	ok = cpu1_on();
	for (i = 0; ok && i < ROUNDS; i++) {
		unsigned long seq;

		command(CMD_SUSPEND);
		seq = cmd_seq;
		go = seq;
		psci(PSCI_SYSTEM_SUSPEND64, RAM_START + 0x80000, 0, 0x3333, r);
		while (ack_seq != seq)
			;
		for (j = 0; j < 4; j++)
			r1[j] = cpu1_ret[j];
		ok = r[0] == PSCI_DENIED && r1[0] == PSCI_DENIED;
	}
	result(ok, "concurrent", ok ? r : r1);

	/* lkvm's debug lines come in between from here on */
	puts("inner: done\r\n");
	psci(PSCI_CPU_ON64, 2, (unsigned long)hammer_entry, 0, r);
	while (hammered < 2)
		;
	command(CMD_SYSTEM_OFF);
	go = cmd_seq;
	for (;;)
		psci(PSCI_SYSTEM_SUSPEND64, RAM_START + 0x80000, 0, 0, r);
}
