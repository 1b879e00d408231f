// SPDX-License-Identifier: GPL-2.0-only
/*
 * suspend_bench - what PSCI SYSTEM_SUSPEND, handed to userspace with
 * KVM_CAP_ARM_SYSTEM_SUSPEND, costs a VMM and a guest, side by side with
 * the floors it is judged against, in one run:
 *
 *  - exit_round_trip: a guest loop of calls, each exiting to userspace and
 *    answered before KVM_RUN again: SYSTEM_SUSPEND denied at once (userspace
 *    writes PSCI_RET_DENIED to x0), an MMIO write (the cheapest exit: the
 *    floor), the same MMIO write answered with the same KVM_SET_ONE_REG of
 *    x0 (the floor doing the same userspace work), and PSCI_VERSION
 *    (handled in the kernel, no exit). Calls per second, rounds interleaved.
 *  - wakeup_vgic_spi, wakeup_irq_line: a vCPU blocked in KVM_RUN, either in
 *    KVM_MP_STATE_SUSPENDED or in a guest WFI (the floor), woken by an
 *    interrupt that another thread raises with KVM_IRQ_LINE: an SPI through
 *    the in-kernel vGIC, or the vCPU's IRQ line on a VM without vGIC. The
 *    interval runs from just before KVM_IRQ_LINE to KVM_RUN's return in the
 *    vCPU thread: for SUSPENDED that return is the KVM_SYSTEM_EVENT_WAKEUP
 *    exit; for WFI it is the MMIO exit of the store right after the WFI, so
 *    the floor also holds one guest entry, two instructions and an MMIO exit,
 *    which the suspended path does not. The interrupt is only raised once
 *    the vCPU thread is asleep (state S in /proc), after any halt polling.
 *  - honoured_cycle: SYSTEM_SUSPEND honoured end to end, again and again,
 *    timed step by step as a VMM does it: the exit, reading the arguments,
 *    KVM_SET_MP_STATE, KVM_RUN until the thread sleeps, the wake-up,
 *    KVM_ARM_VCPU_INIT, the registers, KVM_SET_MP_STATE, and KVM_RUN until
 *    the resumed guest's first exit (an MMIO store at its entry point).
 *
 * Times are CLOCK_MONOTONIC in the host running the VMs. Each measurement
 * is a KTAP result that fails only when the measurement could not be made
 * (a wrong exit, a wrong answer); timings never fail. Results are printed
 * as one table and as "# bench KEY VALUE" lines for scripts.
 */

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <time.h>

#include <linux/psci.h>

#include "gic.h"		/* 6.1's uses bool and uint*_t, includes neither */
#include "kvm_util.h"
#include "processor.h"
#include "test_util.h"
#include "vgic.h"
#include "vcpu.h"

/* Not guest memory: a store here exits as MMIO (as in psci_test). */
#define MMIO_GPA		0x40000000ul
#define GICD_BASE_GPA		0x8000000ul
#define GICR_BASE_GPA		0x80a0000ul
#define WAKE_SPI		40

#define ROUNDS			15	/* interleaved rounds per exit kind */
#define ROUND_SECONDS		0.05	/* target length of one round */
#define WAKEUPS			100	/* wake-ups per state and interrupt */
#define CYCLES			50	/* honoured cycles, after one warm-up */

#define CASE_TIMEOUT_S		120
#define ASLEEP_TIMEOUT_S	10

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec * 1e-9;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* The @pct percentile of @n values, sorting them. */
static double percentile(double *v, int n, int pct)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return v[(n - 1) * pct / 100];
}

static uint64_t psci_call(uint64_t fn, uint64_t x1, uint64_t x2)
{
	struct arm_smccc_res res;

	smccc_hvc(fn, x1, x2, 0, 0, 0, 0, 0, &res);
	return res.a0;
}

static void vcpu_set_mp_state(struct kvm_vcpu *vcpu, uint32_t state)
{
	struct kvm_mp_state mp_state = {
		.mp_state = state,
	};

	vcpu_mp_state_set(vcpu, &mp_state);
}

/* KVM_RUN as a VMM calls it: no library bookkeeping in the timed path. */
static void run_raw(struct kvm_vcpu *vcpu)
{
	int ret;

	do {
		ret = __vcpu_run(vcpu);
	} while (ret == -1 && errno == EINTR);
	TEST_ASSERT(!ret, "KVM_RUN failed: %s", strerror(errno));
}

static bool is_event(struct kvm_vcpu *vcpu, uint32_t type)
{
	return vcpu->run->exit_reason == KVM_EXIT_SYSTEM_EVENT &&
	       vcpu->run->system_event.type == type;
}

static bool is_mmio_write(struct kvm_vcpu *vcpu)
{
	struct kvm_run *run = vcpu->run;

	return run->exit_reason == KVM_EXIT_MMIO &&
	       run->mmio.phys_addr == MMIO_GPA && run->mmio.is_write;
}

static void __attribute__((noreturn)) unexpected_exit(struct kvm_vcpu *vcpu,
						      const char *expected)
{
	struct kvm_run *run = vcpu->run;
	struct ucall uc;

	if (get_ucall(vcpu, &uc) == UCALL_ABORT)
		REPORT_GUEST_ASSERT_2(uc, "values: %#lx, %#lx");
	TEST_FAIL("Expected %s, got exit reason %u (%s), event %s",
		  expected, run->exit_reason, exit_reason_str(run->exit_reason),
		  run->exit_reason == KVM_EXIT_SYSTEM_EVENT ?
		  event_name(run->system_event.type) : "-");
	exit(KSFT_FAIL);	/* not reached */
}

static void vcpu_init_args(struct kvm_vm *vm, struct kvm_vcpu_init *init)
{
	vm_ioctl(vm, KVM_ARM_PREFERRED_TARGET, init);
	init->features[0] |= 1 << KVM_ARM_VCPU_PSCI_0_2;
}

/* A one-vCPU VM with PSCI 1.x and the capability, MMIO_GPA mapped. */
static struct kvm_vm *create_vm(void *guest_code, struct kvm_vcpu **vcpu,
				struct kvm_vcpu_init *init)
{
	struct kvm_vm *vm = vm_create(1);

	ucall_init(vm, NULL);
	vcpu_init_args(vm, init);
	*vcpu = aarch64_vcpu_add(vm, 0, init, guest_code);
	TEST_ASSERT(!kvm_userspace_memory_region_find(vm, MMIO_GPA, MMIO_GPA + 7),
		    "%#lx is guest memory: a store there cannot exit", MMIO_GPA);
	virt_pg_map(vm, MMIO_GPA, MMIO_GPA);
	vm_enable_cap(vm, KVM_CAP_ARM_SYSTEM_SUSPEND, 0);
	return vm;
}

/* What the cases measured; in shared memory, printed by the parent. */
enum exit_kind {
	EXIT_SUSPEND,		/* SYSTEM_SUSPEND, denied: x0 written */
	EXIT_MMIO,		/* MMIO write, nothing written */
	EXIT_MMIO_REG,		/* MMIO write, x0 written as for a denial */
	EXIT_VERSION,		/* PSCI_VERSION, no exit */
	NR_EXIT_KINDS,
};

static const char *const exit_names[NR_EXIT_KINDS] = {
	"SYSTEM_SUSPEND, denied (exit + SET_ONE_REG x0)",
	"MMIO write (exit: the floor)",
	"MMIO write + SET_ONE_REG x0 (same work)",
	"PSCI_VERSION (in the kernel, no exit)",
};

static const char *const exit_keys[NR_EXIT_KINDS] = {
	"exit_suspend", "exit_mmio", "exit_mmio_reg", "exit_version",
};

struct spread {
	double p10, p50, p90;	/* microseconds */
};

enum wake_state { WAKE_SUSPENDED, WAKE_WFI, NR_WAKE_STATES };
enum wake_irq { IRQ_VGIC_SPI, IRQ_CPU_LINE, NR_WAKE_IRQS };

enum cycle_step {
	STEP_EXIT,
	STEP_READ_ARGS,
	STEP_SUSPEND,
	STEP_TO_SLEEP,
	STEP_WAKEUP,
	STEP_VCPU_INIT,
	STEP_REGS,
	STEP_RUNNABLE,
	STEP_RESUME,
	NR_STEPS,
};

static const char *const step_names[NR_STEPS] = {
	"KVM_RUN to the SUSPEND exit",
	"KVM_GET_ONE_REG x1, x2 (entry, context)",
	"KVM_SET_MP_STATE SUSPENDED",
	"KVM_RUN until the thread sleeps (*)",
	"KVM_IRQ_LINE to the WAKEUP exit",
	"KVM_ARM_VCPU_INIT",
	"KVM_SET_ONE_REG PC, x0",
	"KVM_SET_MP_STATE RUNNABLE",
	"KVM_RUN to the entry point's first exit",
};

static const char *const step_keys[NR_STEPS] = {
	"exit", "read_args", "set_suspended", "to_sleep", "wakeup",
	"vcpu_init", "regs", "set_runnable", "resume",
};

static struct results {
	double calls_per_s[NR_EXIT_KINDS];
	bool exit_done;
	struct spread wake[NR_WAKE_IRQS][NR_WAKE_STATES];
	int wake_spurious[NR_WAKE_IRQS];
	bool wake_done[NR_WAKE_IRQS];
	struct spread step[NR_STEPS];
	bool cycle_done;
} *results;

/*
 * exit_round_trip
 */

static uint64_t guest_kind;
static uint64_t guest_calls;

/*
 * An SMCCC call with x1-x3 zero, in registers only: the guest does the same
 * few instructions around each trap, whatever the kind.
 */
static uint64_t hvc_0(uint64_t fn)
{
	register uint64_t x0 asm("x0") = fn;
	register uint64_t x1 asm("x1") = 0;
	register uint64_t x2 asm("x2") = 0;
	register uint64_t x3 asm("x3") = 0;

	asm volatile("hvc #0" : "+r" (x0), "+r" (x1), "+r" (x2), "+r" (x3)
		     : : "memory");
	return x0;
}

static void guest_exit_loop(void)
{
	volatile uint64_t *mmio = (volatile uint64_t *)MMIO_GPA;
	uint64_t kind, n, i, ret;

	for (;;) {
		kind = READ_ONCE(guest_kind);
		n = READ_ONCE(guest_calls);
		for (i = 0; i < n; i++) {
			switch (kind) {
			case EXIT_SUSPEND:
				ret = hvc_0(PSCI_1_0_FN64_SYSTEM_SUSPEND);
				GUEST_ASSERT_EQ(ret, (uint64_t)PSCI_RET_DENIED);
				break;
			case EXIT_MMIO:
			case EXIT_MMIO_REG:
				/* x0 is the host's to write, as for the HVCs. */
				asm volatile("str %0, [%1]" : : "r" (i), "r" (mmio)
					     : "x0", "memory");
				break;
			case EXIT_VERSION:
				ret = hvc_0(PSCI_0_2_FN_PSCI_VERSION);
				GUEST_ASSERT_EQ(ret >> 16, 1);
				break;
			}
		}
		GUEST_SYNC(kind);
	}
}

/* One round of @n calls of @kind; returns its length in seconds. */
static double exit_round(struct kvm_vcpu *vcpu, enum exit_kind kind, uint64_t n)
{
	uint64_t exits = 0;
	struct ucall uc;
	double start;

	guest_kind = kind;
	guest_calls = n;
	sync_global_to_guest(vcpu->vm, guest_kind);
	sync_global_to_guest(vcpu->vm, guest_calls);

	start = now();
	for (;;) {
		run_raw(vcpu);
		if (kind == EXIT_SUSPEND && is_event(vcpu, KVM_SYSTEM_EVENT_SUSPEND)) {
			vcpu_set_reg(vcpu, ARM64_CORE_REG(regs.regs[0]),
				     PSCI_RET_DENIED);
		} else if ((kind == EXIT_MMIO || kind == EXIT_MMIO_REG) &&
			   is_mmio_write(vcpu)) {
			if (kind == EXIT_MMIO_REG)
				vcpu_set_reg(vcpu, ARM64_CORE_REG(regs.regs[0]),
					     PSCI_RET_DENIED);
		} else {
			break;
		}
		exits++;
	}
	start = now() - start;

	if (get_ucall(vcpu, &uc) != UCALL_SYNC || uc.args[1] != kind)
		unexpected_exit(vcpu, "an exit of the kind being measured");
	TEST_ASSERT(exits == (kind == EXIT_VERSION ? 0 : n),
		    "%s: %lu exits for %lu calls", exit_names[kind], exits, n);
	return start;
}

static void host_exit_round_trip(void)
{
	double rate[NR_EXIT_KINDS][ROUNDS], t;
	uint64_t calls[NR_EXIT_KINDS];
	struct kvm_vcpu_init init;
	struct kvm_vcpu *vcpu;
	struct kvm_vm *vm;
	int k, r;

	vm = create_vm(guest_exit_loop, &vcpu, &init);

	/* Warm up and size the rounds: ROUND_SECONDS each. */
	for (k = 0; k < NR_EXIT_KINDS; k++) {
		t = exit_round(vcpu, k, 200);
		calls[k] = ROUND_SECONDS / (t / 200);
		calls[k] = calls[k] < 200 ? 200 : calls[k] > 50000000 ? 50000000 : calls[k];
	}
	for (r = 0; r < ROUNDS; r++) {
		for (k = 0; k < NR_EXIT_KINDS; k++)
			rate[k][r] = calls[k] / exit_round(vcpu, k, calls[k]);
	}
	for (k = 0; k < NR_EXIT_KINDS; k++)
		results->calls_per_s[k] = percentile(rate[k], ROUNDS, 50);
	results->exit_done = true;
	kvm_vm_free(vm);
}

/*
 * wakeup_vgic_spi, wakeup_irq_line
 */

static void guest_wait_loop(uint64_t vgic)
{
	volatile uint64_t *mmio = (volatile uint64_t *)MMIO_GPA;

	/* WFI completes on a pending interrupt, masked or not. */
	local_irq_disable();
	if (vgic) {
		gic_init(GIC_V3, 1, (void *)GICD_BASE_GPA, (void *)GICR_BASE_GPA);
		/* KVM's SPIs start edge-triggered: lowering would not clear it. */
		gic_irq_set_config(WAKE_SPI, false);
		gic_irq_enable(WAKE_SPI);
	}
	GUEST_SYNC(0);
	for (;;) {
		asm volatile("wfi" : : : "memory");
		*mmio = 1;
	}
}

struct waker {
	struct kvm_vcpu *vcpu;
	enum wake_irq irq;
	pthread_t thread;
	pid_t tid;
	int in_run;
	pthread_barrier_t go, done;
	enum wake_state state;
	volatile double raised_at;	/* written before KVM_IRQ_LINE */
	double returned_at;
	int spurious;		/* WFIs that completed with no interrupt */
};

static void set_irq(struct kvm_vm *vm, enum wake_irq irq, int level)
{
	if (irq == IRQ_VGIC_SPI)
		kvm_arm_irq_line(vm, WAKE_SPI, level);
	else
		kvm_irq_line(vm, KVM_ARM_IRQ_TYPE_CPU << KVM_ARM_IRQ_TYPE_SHIFT |
			     KVM_ARM_IRQ_CPU_IRQ, level);
}

/* Whether thread @tid of this process is sleeping (blocked). */
static bool thread_asleep(pid_t tid)
{
	char path[64], buf[256], *p;
	ssize_t len;
	int fd;

	snprintf(path, sizeof(path), "/proc/self/task/%d/stat", tid);
	fd = open(path, O_RDONLY);
	TEST_ASSERT(fd >= 0, "open(%s) failed: %s", path, strerror(errno));
	len = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	TEST_ASSERT(len > 0, "read(%s) failed", path);
	buf[len] = 0;
	p = strrchr(buf, ')');
	return p && p[1] == ' ' && p[2] == 'S';
}

/* Wait until the thread is in KVM_RUN and asleep there. */
static void wait_asleep(int *in_run, pid_t *tid)
{
	double deadline = now() + ASLEEP_TIMEOUT_S;

	while (!__atomic_load_n(in_run, __ATOMIC_SEQ_CST))
		TEST_ASSERT(now() < deadline, "the vCPU thread never got to KVM_RUN");
	while (!thread_asleep(__atomic_load_n(tid, __ATOMIC_SEQ_CST))) {
		TEST_ASSERT(now() < deadline, "the vCPU never went to sleep in KVM_RUN");
		sched_yield();
	}
}

static void *waker_vcpu_thread(void *arg)
{
	struct waker *w = arg;
	struct kvm_vcpu *vcpu = w->vcpu;

	__atomic_store_n(&w->tid, gettid(), __ATOMIC_SEQ_CST);
	for (;;) {
		pthread_barrier_wait(&w->go);
		if (w->state == NR_WAKE_STATES)
			return NULL;
		for (;;) {
			__atomic_store_n(&w->in_run, 1, __ATOMIC_SEQ_CST);
			run_raw(vcpu);
			w->returned_at = now();
			__atomic_store_n(&w->in_run, 0, __ATOMIC_SEQ_CST);
			if (w->state == WAKE_SUSPENDED &&
			    !is_event(vcpu, KVM_SYSTEM_EVENT_WAKEUP))
				unexpected_exit(vcpu, "a KVM_SYSTEM_EVENT_WAKEUP exit");
			if (w->state == WAKE_WFI && !is_mmio_write(vcpu))
				unexpected_exit(vcpu, "the MMIO store after the WFI");
			/* A WFI may complete for no reason: wait again. */
			if (w->state == WAKE_WFI &&
			    !w->raised_at) {
				w->spurious++;
				continue;
			}
			break;
		}
		TEST_ASSERT(w->raised_at,
			    "The suspended vCPU left KVM_RUN before its interrupt was raised");
		pthread_barrier_wait(&w->done);
	}
}

static void host_wakeup(enum wake_irq irq)
{
	double lat[NR_WAKE_STATES][WAKEUPS];
	struct kvm_vcpu_init init;
	struct waker w = {};
	struct ucall uc;
	struct kvm_vm *vm;
	int i, s;

	vm = create_vm(guest_wait_loop, &w.vcpu, &init);
	if (irq == IRQ_VGIC_SPI)
		vgic_v3_setup(vm, 1, 64, GICD_BASE_GPA, GICR_BASE_GPA);
	vcpu_args_set(w.vcpu, 1, (uint64_t)(irq == IRQ_VGIC_SPI));
	vcpu_run(w.vcpu);
	if (get_ucall(w.vcpu, &uc) != UCALL_SYNC)
		unexpected_exit(w.vcpu, "the guest's GUEST_SYNC() once ready");

	pthread_barrier_init(&w.go, NULL, 2);
	pthread_barrier_init(&w.done, NULL, 2);
	TEST_ASSERT(!pthread_create(&w.thread, NULL, waker_vcpu_thread, &w),
		    "pthread_create() failed");

	/* The two states alternate, so that both see the same load. */
	for (i = 0; i < 2 * WAKEUPS; i++) {
		s = i % 2 ? WAKE_WFI : WAKE_SUSPENDED;
		w.state = s;
		w.raised_at = 0;
		vcpu_set_mp_state(w.vcpu, s == WAKE_SUSPENDED ?
				  KVM_MP_STATE_SUSPENDED : KVM_MP_STATE_RUNNABLE);
		pthread_barrier_wait(&w.go);
		wait_asleep(&w.in_run, &w.tid);
		w.raised_at = now();
		set_irq(vm, irq, 1);
		pthread_barrier_wait(&w.done);
		set_irq(vm, irq, 0);
		lat[s][i / 2] = (w.returned_at - w.raised_at) * 1e6;
	}
	w.state = NR_WAKE_STATES;
	pthread_barrier_wait(&w.go);
	pthread_join(w.thread, NULL);

	for (s = 0; s < NR_WAKE_STATES; s++) {
		results->wake[irq][s].p10 = percentile(lat[s], WAKEUPS, 10);
		results->wake[irq][s].p50 = percentile(lat[s], WAKEUPS, 50);
		results->wake[irq][s].p90 = percentile(lat[s], WAKEUPS, 90);
	}
	results->wake_spurious[irq] = w.spurious;
	results->wake_done[irq] = true;
	kvm_vm_free(vm);
}

static void host_wakeup_vgic_spi(void)
{
	host_wakeup(IRQ_VGIC_SPI);
}

static void host_wakeup_irq_line(void)
{
	host_wakeup(IRQ_CPU_LINE);
}

/*
 * honoured_cycle
 */

/*
 * The entry point of the resumed guest, run with the MMU off: report the
 * context id at MMIO_GPA, then suspend again with the next one, to be
 * resumed here. No memory access but the report.
 */
asm(".pushsection .text, \"ax\"\n"
	".global guest_resume_entry\n"
	".type guest_resume_entry, %function\n"
	"guest_resume_entry:\n"
	"	mov	x1, #" __stringify(MMIO_GPA) "\n"
	"	str	x0, [x1]\n"
	"	add	x2, x0, #1\n"
	"	adr	x1, guest_resume_entry\n"
	"	movz	x0, #0x000e\n"
	"	movk	x0, #0xc400, lsl #16\n"	/* PSCI_1_0_FN64_SYSTEM_SUSPEND */
	"	hvc	#0\n"
	"	b	.\n"
	".size guest_resume_entry, . - guest_resume_entry\n"
	".popsection\n");

static void guest_first_suspend(uint64_t entry)
{
	uint64_t ret = psci_call(PSCI_1_0_FN64_SYSTEM_SUSPEND, entry, 1);

	GUEST_ASSERT_1(false, ret);	/* honoured: never returns */
}

struct cycle {
	struct kvm_vcpu *vcpu;
	struct kvm_vcpu_init init;
	uint64_t entry;
	pid_t tid;
	int in_run;
	pthread_barrier_t asleep;
	double t[NR_STEPS][CYCLES + 1];
	double run_at, asleep_at, raised_at;
};

static void *cycle_vcpu_thread(void *arg)
{
	struct cycle *c = arg;
	struct kvm_vcpu *vcpu = c->vcpu;
	uint64_t entry, ctx, report;
	double t0, t1;
	int i;

	__atomic_store_n(&c->tid, gettid(), __ATOMIC_SEQ_CST);
	for (i = 0; i <= CYCLES; i++) {
		t0 = now();
		run_raw(vcpu);
		t1 = now();
		c->t[STEP_EXIT][i] = t1 - t0;
		if (!is_event(vcpu, KVM_SYSTEM_EVENT_SUSPEND))
			unexpected_exit(vcpu, "a KVM_SYSTEM_EVENT_SUSPEND exit");

		t0 = now();
		entry = vcpu_x(vcpu, 1);
		ctx = vcpu_x(vcpu, 2);
		t1 = now();
		c->t[STEP_READ_ARGS][i] = t1 - t0;
		TEST_ASSERT(entry == c->entry && ctx == i + 1,
			    "cycle %d: entry %#lx, context %#lx (expected: %#lx, %#x)",
			    i, entry, ctx, c->entry, i + 1);

		t0 = now();
		vcpu_set_mp_state(vcpu, KVM_MP_STATE_SUSPENDED);
		t1 = now();
		c->t[STEP_SUSPEND][i] = t1 - t0;

		/* in_run only after the barrier, whose futex also sleeps. */
		c->raised_at = 0;
		pthread_barrier_wait(&c->asleep);
		c->run_at = now();
		__atomic_store_n(&c->in_run, 1, __ATOMIC_SEQ_CST);
		run_raw(vcpu);
		t1 = now();
		__atomic_store_n(&c->in_run, 0, __ATOMIC_SEQ_CST);
		if (!is_event(vcpu, KVM_SYSTEM_EVENT_WAKEUP))
			unexpected_exit(vcpu, "a KVM_SYSTEM_EVENT_WAKEUP exit");
		TEST_ASSERT(c->raised_at && t1 > c->raised_at,
			    "cycle %d: woke up before the interrupt", i);
		c->t[STEP_TO_SLEEP][i] = c->asleep_at - c->run_at;
		c->t[STEP_WAKEUP][i] = t1 - c->raised_at;
		/* The device lowers its line: not the VMM's cost. */
		set_irq(vcpu->vm, IRQ_CPU_LINE, 0);

		t0 = now();
		vcpu_ioctl(vcpu, KVM_ARM_VCPU_INIT, &c->init);
		t1 = now();
		c->t[STEP_VCPU_INIT][i] = t1 - t0;

		t0 = now();
		vcpu_set_reg(vcpu, ARM64_CORE_REG(regs.pc), entry);
		vcpu_set_reg(vcpu, ARM64_CORE_REG(regs.regs[0]), ctx);
		t1 = now();
		c->t[STEP_REGS][i] = t1 - t0;

		t0 = now();
		vcpu_set_mp_state(vcpu, KVM_MP_STATE_RUNNABLE);
		t1 = now();
		c->t[STEP_RUNNABLE][i] = t1 - t0;

		t0 = now();
		run_raw(vcpu);
		t1 = now();
		c->t[STEP_RESUME][i] = t1 - t0;
		if (!is_mmio_write(vcpu))
			unexpected_exit(vcpu, "the resumed guest's report");
		memcpy(&report, vcpu->run->mmio.data, sizeof(report));
		TEST_ASSERT(report == ctx, "cycle %d: the resumed guest got context %#lx (expected: %#lx)",
			    i, report, ctx);
	}
	return NULL;
}

static void host_honoured_cycle(void)
{
	struct cycle c = {};
	pthread_t thread;
	struct kvm_vm *vm;
	int i, s;

	vm = create_vm(guest_first_suspend, &c.vcpu, &c.init);
	c.entry = guest_resume_entry_gpa(vm);
	vcpu_args_set(c.vcpu, 1, c.entry);

	pthread_barrier_init(&c.asleep, NULL, 2);
	TEST_ASSERT(!pthread_create(&thread, NULL, cycle_vcpu_thread, &c),
		    "pthread_create() failed");
	for (i = 0; i <= CYCLES; i++) {
		pthread_barrier_wait(&c.asleep);
		wait_asleep(&c.in_run, &c.tid);
		c.asleep_at = now();
		c.raised_at = now();
		set_irq(vm, IRQ_CPU_LINE, 1);
	}
	pthread_join(thread, NULL);

	/* Cycle 0 starts from C code with the MMU on: a warm-up. */
	for (s = 0; s < NR_STEPS; s++) {
		double *v = &c.t[s][1];

		for (i = 0; i < CYCLES; i++)
			v[i] *= 1e6;
		results->step[s].p10 = percentile(v, CYCLES, 10);
		results->step[s].p50 = percentile(v, CYCLES, 50);
		results->step[s].p90 = percentile(v, CYCLES, 90);
	}
	results->cycle_done = true;
	kvm_vm_free(vm);
}

/*
 * The table.
 */

static void print_spread(const char *what, const char *key, struct spread *s)
{
	ksft_print_msg("  %-44s %9.1f %9.1f %9.1f\n", what, s->p50, s->p10, s->p90);
	ksft_print_msg("bench %s_us %.1f %.1f %.1f\n", key, s->p50, s->p10, s->p90);
}

static void print_results(void)
{
	static const char *const irq_names[NR_WAKE_IRQS] = {
		"SPI through the vGIC", "IRQ line, no vGIC",
	};
	static const char *const irq_keys[NR_WAKE_IRQS] = { "spi", "line" };
	double sum = 0, ratio;
	char key[64];
	int k, i, s;

	if (results->exit_done) {
		ksft_print_msg("exit round trip                                  calls/s   us/call\n");
		for (k = 0; k < NR_EXIT_KINDS; k++) {
			ksft_print_msg("  %-44s %9.0f %9.2f\n", exit_names[k],
				       results->calls_per_s[k],
				       1e6 / results->calls_per_s[k]);
			ksft_print_msg("bench %s_per_s %.0f\n", exit_keys[k],
				       results->calls_per_s[k]);
		}
		ratio = results->calls_per_s[EXIT_MMIO] / results->calls_per_s[EXIT_SUSPEND];
		ksft_print_msg("  ratio SUSPEND/MMIO (time per call)             %9.2f\n", ratio);
		ksft_print_msg("bench exit_ratio_suspend_mmio %.2f\n", ratio);
		ratio = results->calls_per_s[EXIT_MMIO_REG] / results->calls_per_s[EXIT_SUSPEND];
		ksft_print_msg("  ratio SUSPEND/(MMIO + SET_ONE_REG)             %9.2f\n", ratio);
		ksft_print_msg("bench exit_ratio_suspend_mmio_reg %.2f\n", ratio);
	}
	for (i = 0; i < NR_WAKE_IRQS; i++) {
		if (!results->wake_done[i])
			continue;
		ksft_print_msg("wake-up, %-40s p50 us    p10 us    p90 us\n", irq_names[i]);
		snprintf(key, sizeof(key), "wake_%s_suspended", irq_keys[i]);
		print_spread("from SUSPENDED, to the WAKEUP exit", key,
			     &results->wake[i][WAKE_SUSPENDED]);
		snprintf(key, sizeof(key), "wake_%s_wfi", irq_keys[i]);
		print_spread("from WFI, to the MMIO exit after it (floor)", key,
			     &results->wake[i][WAKE_WFI]);
		ratio = results->wake[i][WAKE_SUSPENDED].p50 /
			results->wake[i][WAKE_WFI].p50;
		ksft_print_msg("  ratio SUSPENDED/WFI (p50)                      %9.2f\n", ratio);
		ksft_print_msg("bench wake_%s_ratio %.2f\n", irq_keys[i], ratio);
		if (results->wake_spurious[i])
			ksft_print_msg("  (%d WFIs completed with no interrupt, waited again)\n",
				       results->wake_spurious[i]);
	}
	if (results->cycle_done) {
		ksft_print_msg("honoured cycle, step by step                     p50 us    p10 us    p90 us\n");
		for (s = 0; s < NR_STEPS; s++) {
			snprintf(key, sizeof(key), "cycle_%s", step_keys[s]);
			print_spread(step_names[s], key, &results->step[s]);
			if (s != STEP_TO_SLEEP)
				sum += results->step[s].p50;
		}
		ksft_print_msg("  %-44s %9.1f\n", "sum of the p50s but (*)", sum);
		ksft_print_msg("bench cycle_sum_us %.1f\n", sum);
		ksft_print_msg("  (*) includes halt polling, seen by polling /proc: not a cost of the ABI\n");
	}
}

static const struct test_case test_cases[] = {
	{ "exit_round_trip",	host_exit_round_trip },
	{ "wakeup_vgic_spi",	host_wakeup_vgic_spi },
	{ "wakeup_irq_line",	host_wakeup_irq_line },
	{ "honoured_cycle",	host_honoured_cycle },
};

int main(void)
{
	ksft_print_header();
	if (!kvm_has_cap(KVM_CAP_ARM_SYSTEM_SUSPEND))
		ksft_exit_skip("KVM_CAP_ARM_SYSTEM_SUSPEND not supported\n");
	results = mmap(NULL, sizeof(*results), PROT_READ | PROT_WRITE,
		       MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	TEST_ASSERT(results != MAP_FAILED, "mmap() failed");
	ksft_set_plan(ARRAY_SIZE(test_cases));

	run_test_cases(test_cases, ARRAY_SIZE(test_cases), CASE_TIMEOUT_S);

	print_results();
	ksft_finished();
}
