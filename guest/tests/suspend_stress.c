// SPDX-License-Identifier: GPL-2.0-only
/*
 * suspend_stress - PSCI SYSTEM_SUSPEND as KVM hands it to userspace
 * (KVM_CAP_ARM_SYSTEM_SUSPEND), under concurrency:
 *
 *  - concurrent_suspend: several vCPUs, each on a host thread of its own,
 *    call SYSTEM_SUSPEND at once, again and again; each exit must reach the
 *    thread of the vCPU that made the call, with that call's arguments.
 *  - enable_cap_while_running: the capability is enabled while vCPUs poll
 *    PSCI_FEATURES(SYSTEM_SUSPEND) inside KVM_RUN; each must see the answer
 *    change once, from NOT_SUPPORTED to 0, and SYSTEM_SUSPEND then exit.
 *  - reset_while_suspended: while vCPU 0 sits suspended in KVM_RUN, vCPU 1
 *    is reset and stopped over and over; vCPU 0 must stay asleep until its
 *    wake-up interrupt, then exit with KVM_SYSTEM_EVENT_WAKEUP and resume.
 *
 * Each case runs in a child process of its own, under an alarm() so that a
 * vCPU that never comes back fails the case instead of hanging the test,
 * and is reported as a KTAP result.
 */

#include <pthread.h>
#include <sys/wait.h>

#include <linux/psci.h>

#include "kvm_util.h"
#include "processor.h"
#include "test_util.h"
#include "vcpu.h"

#define NR_VCPUS		4
#define SUSPEND_LOOPS		50	/* SYSTEM_SUSPEND calls per vCPU */
#define POLLS_AFTER_ENABLE	200	/* PSCI_FEATURES calls that must stay 0 */
#define VCPU1_RESETS		200
#define CONTEXT_ID		0xdeadc0de0badf00dul

/* Each case takes a few seconds under TCG; this only catches a hang. */
#define CASE_TIMEOUT_S		60
/* How long the main thread waits for the vCPU threads to get somewhere. */
#define WAIT_TIMEOUT_S		30

/*
 * The code a SYSTEM_SUSPEND resumes runs with the MMU off; it reports the
 * context id it got in x0 by a store to this address, which is not guest
 * memory, so that the store exits to userspace as MMIO (as in psci_test).
 */
#define RESUME_REPORT_GPA	0x40000000

asm(".pushsection .text, \"ax\"\n"
	".global guest_resume_entry\n"
	".type guest_resume_entry, %function\n"
	"guest_resume_entry:\n"
	"	mov	x1, #" __stringify(RESUME_REPORT_GPA) "\n"
	"	str	x0, [x1]\n"
	"	b	.\n"
	".size guest_resume_entry, . - guest_resume_entry\n"
	".popsection\n");

static uint64_t psci_call(uint64_t fn, uint64_t x1, uint64_t x2, uint64_t x3)
{
	struct arm_smccc_res res;

	smccc_hvc(fn, x1, x2, x3, 0, 0, 0, 0, &res);
	return res.a0;
}

static uint64_t psci_features(uint64_t fn)
{
	return psci_call(PSCI_1_0_FN_PSCI_FEATURES, fn, 0, 0);
}

/* Host helpers. */

static void vcpu_set_mp_state(struct kvm_vcpu *vcpu, uint32_t state)
{
	struct kvm_mp_state mp_state = {
		.mp_state = state,
	};

	vcpu_mp_state_set(vcpu, &mp_state);
}

/* What the exit was; the library's exit_reason_str() lacks SYSTEM_EVENT. */
static const char *describe_exit(struct kvm_run *run, char *buf, size_t size)
{
	if (run->exit_reason == KVM_EXIT_SYSTEM_EVENT)
		snprintf(buf, size, "a KVM_SYSTEM_EVENT_%s exit",
			 event_name(run->system_event.type));
	else
		snprintf(buf, size, "exit reason %u (%s)", run->exit_reason,
			 exit_reason_str(run->exit_reason));
	return buf;
}

/* Fail on a guest assertion, naming the vCPU; otherwise return the ucall. */
static uint64_t vcpu_ucall(struct kvm_vcpu *vcpu, struct ucall *uc)
{
	uint64_t cmd = get_ucall(vcpu, uc);

	if (cmd == UCALL_ABORT)
		REPORT_GUEST_ASSERT_N(*uc, "  vCPU %u, values: %#lx, %#lx", vcpu->id,
				      GUEST_ASSERT_ARG(*uc, 0), GUEST_ASSERT_ARG(*uc, 1));
	return cmd;
}

static void __attribute__((noreturn)) fail_exit(struct kvm_vcpu *vcpu,
						 const char *expected)
{
	struct ucall uc;
	char buf[64];
	uint64_t cmd;

	cmd = vcpu_ucall(vcpu, &uc);
	TEST_FAIL("vCPU %u: expected %s, got %s, ucall %lu", vcpu->id, expected,
		  describe_exit(vcpu->run, buf, sizeof(buf)), cmd);
	exit(KSFT_FAIL);	/* not reached; TEST_FAIL() is not marked noreturn */
}

static bool is_event(struct kvm_vcpu *vcpu, uint32_t type)
{
	return vcpu->run->exit_reason == KVM_EXIT_SYSTEM_EVENT &&
	       vcpu->run->system_event.type == type;
}

static void assert_event(struct kvm_vcpu *vcpu, uint32_t type)
{
	char what[64];

	if (is_event(vcpu, type))
		return;
	snprintf(what, sizeof(what), "a KVM_SYSTEM_EVENT_%s exit", event_name(type));
	fail_exit(vcpu, what);
}

static void assert_ucall(struct kvm_vcpu *vcpu, uint64_t cmd, struct ucall *uc)
{
	if (vcpu_ucall(vcpu, uc) != cmd)
		fail_exit(vcpu, cmd == UCALL_DONE ? "the guest's GUEST_DONE()" :
					"a GUEST_SYNC()");
}

/*
 * A VM of @nr vCPUs with PSCI 1.x, each starting at @guest_code; vCPU i
 * gets its index in x0. The capability is not enabled here.
 */
static struct kvm_vm *create_vm(int nr, void *guest_code,
				struct kvm_vcpu **vcpus,
				struct kvm_vcpu_init *init)
{
	struct kvm_vm *vm;
	int i;

	vm = vm_create(nr);
	ucall_init(vm, NULL);
	vm_ioctl(vm, KVM_ARM_PREFERRED_TARGET, init);
	init->features[0] |= 1 << KVM_ARM_VCPU_PSCI_0_2;
	for (i = 0; i < nr; i++) {
		vcpus[i] = aarch64_vcpu_add(vm, i, init, guest_code);
		vcpu_args_set(vcpus[i], 1, (uint64_t)i);
	}
	return vm;
}

static void start_thread(pthread_t *thread, void *(*fn)(void *), void *arg)
{
	int ret = pthread_create(thread, NULL, fn, arg);

	TEST_ASSERT(!ret, "pthread_create() failed: %s", strerror(ret));
}

/* Wait, without hanging, for @count to reach @target. */
static void wait_for_count(int *count, int target, const char *what)
{
	int i;

	for (i = 0; i < WAIT_TIMEOUT_S * 1000; i++) {
		if (__atomic_load_n(count, __ATOMIC_SEQ_CST) >= target)
			return;
		usleep(1000);
	}
	TEST_FAIL("Timed out after %d s waiting for %s: %d of %d",
		  WAIT_TIMEOUT_S, what, __atomic_load_n(count, __ATOMIC_SEQ_CST),
		  target);
}

/*
 * concurrent_suspend
 */

static uint64_t suspend_fn(uint64_t i)
{
	return i % 2 ? PSCI_1_0_FN64_SYSTEM_SUSPEND : PSCI_1_0_FN_SYSTEM_SUSPEND;
}

/* 32 bits at most, so that an SMC32 call passes it unchanged. */
static uint64_t suspend_context(uint64_t vcpu_idx, uint64_t i)
{
	return 0x5u << 28 | vcpu_idx << 16 | i;
}

static void guest_concurrent_suspend(uint64_t idx, uint64_t entry)
{
	uint64_t i, ret;

	for (i = 0; i < SUSPEND_LOOPS; i++) {
		ret = psci_call(suspend_fn(i), entry, suspend_context(idx, i), 0);
		GUEST_ASSERT_EQ(ret, (uint64_t)PSCI_RET_DENIED);
	}
	GUEST_DONE();
}

struct suspend_vcpu {
	struct kvm_vcpu *vcpu;
	pthread_t thread;
	int suspend_exits;
};

static pthread_barrier_t start_barrier;

static void *concurrent_suspend_thread(void *arg)
{
	struct suspend_vcpu *v = arg;
	struct kvm_vcpu *vcpu = v->vcpu;
	uint64_t n, fn, ctx;
	struct ucall uc;

	pthread_barrier_wait(&start_barrier);
	for (;;) {
		vcpu_run(vcpu);
		if (!is_event(vcpu, KVM_SYSTEM_EVENT_SUSPEND))
			break;

		/* The exit of this vCPU's next call, nobody else's. */
		n = v->suspend_exits++;
		fn = suspend_fn(n);
		ctx = suspend_context(vcpu->id, n);
		TEST_ASSERT(n < SUSPEND_LOOPS,
			    "vCPU %u: SUSPEND exit %lu, but it makes only %d calls",
			    vcpu->id, n + 1, SUSPEND_LOOPS);
		TEST_ASSERT(vcpu_x(vcpu, 0) == fn && vcpu_x(vcpu, 2) == ctx,
			    "vCPU %u, SUSPEND exit %lu: x0 %#lx, x2 %#lx (expected: %#lx, %#lx)",
			    vcpu->id, n, vcpu_x(vcpu, 0), vcpu_x(vcpu, 2), fn, ctx);

		/*
		 * DEN0022D.b 5.19.2: every other core must be off. No vCPU
		 * of this VM ever calls CPU_OFF, so every call is denied.
		 */
		vcpu_set_reg(vcpu, ARM64_CORE_REG(regs.regs[0]), PSCI_RET_DENIED);
	}
	assert_ucall(vcpu, UCALL_DONE, &uc);
	return NULL;
}

static void host_concurrent_suspend(void)
{
	struct suspend_vcpu v[NR_VCPUS] = {};
	struct kvm_vcpu *vcpus[NR_VCPUS];
	struct kvm_vcpu_init init;
	struct kvm_vm *vm;
	uint64_t entry;
	int i;

	vm = create_vm(NR_VCPUS, guest_concurrent_suspend, vcpus, &init);
	vm_enable_cap(vm, KVM_CAP_ARM_SYSTEM_SUSPEND, 0);
	/* A valid entry point, so that "other vCPUs on" is the only reason. */
	entry = guest_resume_entry_gpa(vm);
	for (i = 0; i < NR_VCPUS; i++)
		vcpu_args_set(vcpus[i], 2, (uint64_t)i, entry);

	pthread_barrier_init(&start_barrier, NULL, NR_VCPUS);
	for (i = 0; i < NR_VCPUS; i++) {
		v[i].vcpu = vcpus[i];
		start_thread(&v[i].thread, concurrent_suspend_thread, &v[i]);
	}
	for (i = 0; i < NR_VCPUS; i++)
		pthread_join(v[i].thread, NULL);

	for (i = 0; i < NR_VCPUS; i++)
		TEST_ASSERT(v[i].suspend_exits == SUSPEND_LOOPS,
			    "vCPU %d: %d SUSPEND exits (expected: %d)",
			    i, v[i].suspend_exits, SUSPEND_LOOPS);
	ksft_print_msg("concurrent_suspend: %d vCPUs x %d SUSPEND exits, each denied\n",
		       NR_VCPUS, SUSPEND_LOOPS);
	pthread_barrier_destroy(&start_barrier);
	kvm_vm_free(vm);
}

/*
 * enable_cap_while_running
 */

static const uint64_t suspend_fns[2] = {
	PSCI_1_0_FN_SYSTEM_SUSPEND, PSCI_1_0_FN64_SYSTEM_SUSPEND,
};

/*
 * Poll PSCI_FEATURES for both SYSTEM_SUSPEND IDs, reporting the first
 * answers and every change, until both have been 0 for a while; then call
 * SYSTEM_SUSPEND, which the host denies.
 */
static void guest_poll_features(uint64_t idx)
{
	uint64_t last[2], val, polls = 0, stable = 0;
	int i;

	for (i = 0; i < 2; i++) {
		last[i] = psci_features(suspend_fns[i]);
		GUEST_SYNC_ARGS(suspend_fns[i], last[i], polls, 0, 0);
	}
	while (stable < POLLS_AFTER_ENABLE) {
		polls++;
		for (i = 0; i < 2; i++) {
			val = psci_features(suspend_fns[i]);
			if (val != last[i]) {
				last[i] = val;
				GUEST_SYNC_ARGS(suspend_fns[i], val, polls, 0, 0);
			}
		}
		if (!last[0] && !last[1])
			stable++;
	}
	GUEST_ASSERT_EQ(psci_call(suspend_fns[idx % 2], 0, 0, 0),
			(uint64_t)PSCI_RET_DENIED);
	GUEST_DONE();
}

static int nr_first_reports;
static bool cap_enabled;

static void *poll_features_thread(void *arg)
{
	struct kvm_vcpu *vcpu = arg;
	int reports[2] = {}, suspend_exits = 0, i;
	uint64_t fn, val, polls, expected_fn;
	struct ucall uc;

	for (;;) {
		vcpu_run(vcpu);
		if (is_event(vcpu, KVM_SYSTEM_EVENT_SUSPEND)) {
			expected_fn = suspend_fns[vcpu->id % 2];
			TEST_ASSERT(reports[0] == 2 && reports[1] == 2 && !suspend_exits,
				    "vCPU %u: SUSPEND exit after %d, %d reports, %d exits (expected: 2, 2, 0)",
				    vcpu->id, reports[0], reports[1], suspend_exits);
			TEST_ASSERT(vcpu_x(vcpu, 0) == expected_fn,
				    "vCPU %u: x0 %#lx at the SUSPEND exit (expected: %#lx)",
				    vcpu->id, vcpu_x(vcpu, 0), expected_fn);
			suspend_exits++;
			/* The other vCPUs are on. */
			vcpu_set_reg(vcpu, ARM64_CORE_REG(regs.regs[0]), PSCI_RET_DENIED);
			continue;
		}
		if (vcpu_ucall(vcpu, &uc) != UCALL_SYNC)
			break;

		fn = uc.args[1];
		val = uc.args[2];
		polls = uc.args[3];
		i = fn == PSCI_1_0_FN64_SYSTEM_SUSPEND;
		switch (reports[i]++) {
		case 0:
			TEST_ASSERT(val == (uint64_t)PSCI_RET_NOT_SUPPORTED,
				    "vCPU %u: PSCI_FEATURES(%#lx) before KVM_ENABLE_CAP: %ld (expected: NOT_SUPPORTED)",
				    vcpu->id, fn, (int64_t)val);
			__atomic_add_fetch(&nr_first_reports, 1, __ATOMIC_SEQ_CST);
			break;
		case 1:
			TEST_ASSERT(val == PSCI_RET_SUCCESS &&
				    __atomic_load_n(&cap_enabled, __ATOMIC_SEQ_CST),
				    "vCPU %u: PSCI_FEATURES(%#lx) changed to %ld at poll %lu, capability %s (expected: 0, once enabled)",
				    vcpu->id, fn, (int64_t)val, polls,
				    cap_enabled ? "enabled" : "not enabled yet");
			break;
		default:
			TEST_FAIL("vCPU %u: PSCI_FEATURES(%#lx) changed again, to %ld, at poll %lu (expected: NOT_SUPPORTED, then 0 for good)",
				  vcpu->id, fn, (int64_t)val, polls);
		}
	}
	assert_ucall(vcpu, UCALL_DONE, &uc);
	TEST_ASSERT(suspend_exits == 1, "vCPU %u: done after %d SUSPEND exits (expected: 1)",
		    vcpu->id, suspend_exits);
	return NULL;
}

static void host_enable_cap_while_running(void)
{
	struct kvm_vcpu *vcpus[NR_VCPUS];
	pthread_t threads[NR_VCPUS];
	struct kvm_vcpu_init init;
	struct kvm_vm *vm;
	int i;

	vm = create_vm(NR_VCPUS, guest_poll_features, vcpus, &init);
	for (i = 0; i < NR_VCPUS; i++)
		start_thread(&threads[i], poll_features_thread, vcpus[i]);

	/*
	 * Once every vCPU has seen NOT_SUPPORTED for both IDs, give them a
	 * moment to be back polling inside KVM_RUN, then enable. The flag
	 * goes first so that no vCPU can see 0 before it is set.
	 */
	wait_for_count(&nr_first_reports, 2 * NR_VCPUS,
		       "every vCPU's first PSCI_FEATURES answers");
	usleep(20000);
	__atomic_store_n(&cap_enabled, true, __ATOMIC_SEQ_CST);
	vm_enable_cap(vm, KVM_CAP_ARM_SYSTEM_SUSPEND, 0);

	for (i = 0; i < NR_VCPUS; i++)
		pthread_join(threads[i], NULL);
	ksft_print_msg("enable_cap_while_running: %d vCPUs saw NOT_SUPPORTED, then 0, then a SUSPEND exit\n",
		       NR_VCPUS);
	kvm_vm_free(vm);
}

/*
 * reset_while_suspended
 */

/* vCPU 0: suspend, with the entry point and context id from the host. */
static void guest_suspend_once(uint64_t entry, uint64_t context_id)
{
	uint64_t ret;

	ret = psci_call(PSCI_1_0_FN64_SYSTEM_SUSPEND, entry, context_id, 0);
	/* An honoured call does not return: the vCPU resumes at @entry. */
	GUEST_ASSERT_1(false, ret);
}

/* vCPU 1: run once, so that its resets are those of a vCPU that has run. */
static void guest_run_once(void)
{
	GUEST_DONE();
}

struct wakeup {
	struct kvm_vcpu *vcpu;
	bool in_run, exited, raised, raised_at_exit;
};

static void *suspended_run_thread(void *arg)
{
	struct wakeup *w = arg;

	__atomic_store_n(&w->in_run, true, __ATOMIC_SEQ_CST);
	vcpu_run(w->vcpu);
	w->raised_at_exit = __atomic_load_n(&w->raised, __ATOMIC_SEQ_CST);
	__atomic_store_n(&w->exited, true, __ATOMIC_SEQ_CST);
	return NULL;
}

static void set_wakeup_irq(struct kvm_vm *vm, int level)
{
	/* No in-kernel GIC: the line is vCPU 0's IRQ input. */
	kvm_irq_line(vm, KVM_ARM_IRQ_TYPE_CPU << KVM_ARM_IRQ_TYPE_SHIFT |
		     KVM_ARM_IRQ_CPU_IRQ, level);
}

static void host_reset_while_suspended(void)
{
	struct kvm_vcpu *vcpus[2], *sleeper, *other;
	struct kvm_vcpu_init init;
	struct wakeup w = {};
	struct kvm_run *run;
	pthread_t thread;
	struct kvm_vm *vm;
	uint64_t entry, report;
	struct ucall uc;
	char buf[64];
	int i;

	vm = create_vm(2, guest_suspend_once, vcpus, &init);
	sleeper = vcpus[0];
	other = vcpus[1];
	run = sleeper->run;
	vm_enable_cap(vm, KVM_CAP_ARM_SYSTEM_SUSPEND, 0);

	vcpu_set_reg(other, ARM64_CORE_REG(regs.pc), (uint64_t)guest_run_once);
	vcpu_run(other);
	assert_ucall(other, UCALL_DONE, &uc);
	vcpu_set_mp_state(other, KVM_MP_STATE_STOPPED);

	TEST_ASSERT(!kvm_userspace_memory_region_find(vm, RESUME_REPORT_GPA,
						      RESUME_REPORT_GPA + 7),
		    "%#x is guest memory: the resumed guest's report cannot exit",
		    RESUME_REPORT_GPA);
	entry = guest_resume_entry_gpa(vm);
	vcpu_args_set(sleeper, 2, entry, CONTEXT_ID);
	vcpu_run(sleeper);
	assert_event(sleeper, KVM_SYSTEM_EVENT_SUSPEND);
	TEST_ASSERT(vcpu_x(sleeper, 1) == entry && vcpu_x(sleeper, 2) == CONTEXT_ID,
		    "x1, x2 at the SUSPEND exit: %#lx, %#lx (expected: %#lx, %#lx)",
		    vcpu_x(sleeper, 1), vcpu_x(sleeper, 2), entry, CONTEXT_ID);

	/* The VMM honours it: vCPU 1 is off, the entry point is memory. */
	TEST_ASSERT(vcpu_mp_state(other) == KVM_MP_STATE_STOPPED,
		    "vCPU 1's MP state: %u (expected: stopped)", vcpu_mp_state(other));
	vcpu_set_mp_state(sleeper, KVM_MP_STATE_SUSPENDED);

	w.vcpu = sleeper;
	start_thread(&thread, suspended_run_thread, &w);
	while (!__atomic_load_n(&w.in_run, __ATOMIC_SEQ_CST))
		usleep(1000);
	/* Give the thread time to get into KVM_RUN and block there. */
	usleep(20000);

	/*
	 * A VMM may reset and stop other vCPUs while one is suspended (e.g.
	 * a hotplug); none of it may wake vCPU 0.
	 */
	for (i = 0; i < VCPU1_RESETS; i++) {
		vcpu_ioctl(other, KVM_ARM_VCPU_INIT, &init);
		TEST_ASSERT(vcpu_mp_state(other) == KVM_MP_STATE_RUNNABLE,
			    "vCPU 1's MP state after reset %d: %u (expected: runnable)",
			    i, vcpu_mp_state(other));
		vcpu_set_mp_state(other, KVM_MP_STATE_STOPPED);
		TEST_ASSERT(vcpu_mp_state(other) == KVM_MP_STATE_STOPPED,
			    "vCPU 1's MP state after stopping it: %u (expected: stopped)",
			    vcpu_mp_state(other));
		TEST_ASSERT(!__atomic_load_n(&w.exited, __ATOMIC_SEQ_CST),
			    "Suspended vCPU 0 left KVM_RUN at vCPU 1's reset %d, before its wake-up interrupt, with %s",
			    i, describe_exit(run, buf, sizeof(buf)));
	}

	__atomic_store_n(&w.raised, true, __ATOMIC_SEQ_CST);
	set_wakeup_irq(vm, 1);
	pthread_join(thread, NULL);

	assert_event(sleeper, KVM_SYSTEM_EVENT_WAKEUP);
	TEST_ASSERT(w.raised_at_exit,
		    "Suspended vCPU 0 woke up before its wake-up interrupt");
	TEST_ASSERT(vcpu_mp_state(sleeper) == KVM_MP_STATE_SUSPENDED,
		    "vCPU 0's MP state after the wake-up: %u (expected: still suspended)",
		    vcpu_mp_state(sleeper));

	/* Resume as from reset at the entry point, with the context id. */
	set_wakeup_irq(vm, 0);
	vcpu_ioctl(sleeper, KVM_ARM_VCPU_INIT, &init);
	vcpu_set_reg(sleeper, ARM64_CORE_REG(regs.pc), entry);
	vcpu_set_reg(sleeper, ARM64_CORE_REG(regs.regs[0]), CONTEXT_ID);
	vcpu_set_mp_state(sleeper, KVM_MP_STATE_RUNNABLE);
	vcpu_run(sleeper);
	TEST_ASSERT(run->exit_reason == KVM_EXIT_MMIO &&
		    run->mmio.phys_addr == RESUME_REPORT_GPA &&
		    run->mmio.is_write && run->mmio.len == 8,
		    "Expected the resumed guest's report at %#x, got %s",
		    RESUME_REPORT_GPA, describe_exit(run, buf, sizeof(buf)));
	memcpy(&report, run->mmio.data, sizeof(report));
	TEST_ASSERT(report == CONTEXT_ID,
		    "The resumed guest got context id %#lx (expected: %#lx)",
		    report, CONTEXT_ID);
	ksft_print_msg("reset_while_suspended: %d resets of vCPU 1, then WAKEUP and resume\n",
		       VCPU1_RESETS);
	kvm_vm_free(vm);
}

static const struct test_case test_cases[] = {
	{ "concurrent_suspend",		host_concurrent_suspend },
	{ "enable_cap_while_running",	host_enable_cap_while_running },
	{ "reset_while_suspended",	host_reset_while_suspended },
};

int main(void)
{
	ksft_print_header();
	if (!kvm_has_cap(KVM_CAP_ARM_SYSTEM_SUSPEND))
		ksft_exit_skip("KVM_CAP_ARM_SYSTEM_SUSPEND not supported\n");
	ksft_set_plan(ARRAY_SIZE(test_cases));

	run_test_cases(test_cases, ARRAY_SIZE(test_cases), CASE_TIMEOUT_S);

	ksft_finished();
}
