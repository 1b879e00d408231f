// SPDX-License-Identifier: GPL-2.0-only
/*
 * aarch32_suspend - PSCI SYSTEM_SUSPEND, as KVM hands it to userspace
 * (KVM_CAP_ARM_SYSTEM_SUSPEND), called by a 32-bit (AArch32) EL1 guest:
 *
 *  - features_without_cap: PSCI_FEATURES answers NOT_SUPPORTED for both
 *    the SMC32 and the SMC64 SYSTEM_SUSPEND ID;
 *  - features_with_cap: with the capability, 0 for the SMC32 ID and still
 *    NOT_SUPPORTED for the SMC64 ID (an AArch32 caller may not use SMC64);
 *  - smc64_refused: SYSTEM_SUSPEND with the SMC64 ID returns NOT_SUPPORTED
 *    to the guest, without an exit;
 *  - smc32_exit: with the SMC32 ID it exits with KVM_SYSTEM_EVENT_SUSPEND,
 *    r0-r2 as the guest set them and PC past the HVC; a denial written to
 *    r0 is what the call returns;
 *  - t32_resume: the call honoured end to end with a T32 entry point
 *    (bit 0 set): after KVM_MP_STATE_SUSPENDED, the wake-up and
 *    KVM_ARM_VCPU_INIT, the VMM sets PC to the entry point with bit 0
 *    clear and CPSR.T, as KVM's own CPU_ON does (kvm_reset_vcpu()); the
 *    guest resumes in T32 at the entry point with the context id in r0;
 *  - big_endian_resume: a caller that switched to big-endian (SETEND BE)
 *    before the call shows CPSR.E in the exit; the VMM sets CPSR.E again
 *    after the reset, as kvm_vcpu_set_be() does for CPU_ON, and the
 *    resumed guest's stores are big-endian.
 *
 * Why a test of its own: the 6.1 KVM selftest library runs AArch64 guest
 * code only (it sets up AArch64 page tables and loads this program's own
 * AArch64 text as guest code), so an AArch32 guest cannot be written in C
 * here. The guest is a few A32 and T32 instructions, hand-assembled: each
 * encoding is a constant below with its assembly in the comment next to
 * it, in the form "0x........, /+ A32: insn +/" or "0x...., /+ T32: insn
 * +/" (with '*' for '+'). The harness test tests/aarch32-encodings.sh
 * assembles every such comment with binutils' arm-linux-gnueabihf-as and
 * checks that it gives the constant.
 *
 * The guest runs with the MMU off, so its addresses are physical. It
 * reports a value by a store to REPORT_GPA, which is not guest memory:
 * the store exits to userspace as MMIO, with the bytes the guest wrote.
 *
 * Needs a CPU with AArch32 at EL1 (KVM_CAP_ARM_EL1_32BIT; QEMU's
 * cortex-a57 has it, "max" has not): without it the test skips. Each case
 * runs in a child process of its own under an alarm(), so that a guest
 * that never comes back fails the case rather than hanging the test, and
 * is reported as a KTAP result.
 */


#include <linux/psci.h>

#include "kvm_util.h"
#include "processor.h"
#include "test_util.h"
#include "vcpu.h"

#define MEM_PAGES	16		/* guest memory: GPA 0 up to 64 KiB */
#define CALLER_GPA	0x1000
#define CALLER_ARGS_GPA	(CALLER_GPA + 0x20)
#define HVC_GPA		(CALLER_GPA + 0x10)
#define RESUME_A32_GPA	0x2000
#define RESUME_T32_GPA	0x3000
#define REPORT_GPA	0x10000000	/* not memory: a store is an MMIO exit */

#define CONTEXT_ID	0x600dcafe
#define CASE_TIMEOUT_S	30

#define PSR_AA32_T_BIT	0x00000020
#define PSR_AA32_E_BIT	0x00000200
#define PSR_MODE32_BIT	0x00000010
#define PSR_AA32_MODE_SVC 0x00000013

#define NOT_SUPPORTED	((uint32_t)PSCI_RET_NOT_SUPPORTED)
#define DENIED		((uint32_t)PSCI_RET_DENIED)

/*
 * The caller, at CALLER_GPA: makes the PSCI call whose function ID and
 * arguments the host wrote at CALLER_ARGS_GPA, reports what r0 holds after
 * it, and starts again (the host changes the arguments in between). Word
 * 3 selects the caller's endianness.
 */
#define SETEND_SLOT	3
static const uint32_t caller_a32[] = {
	0xe59f0018,	/* A32: ldr r0, [pc, #24] */
	0xe59f1018,	/* A32: ldr r1, [pc, #24] */
	0xe59f2018,	/* A32: ldr r2, [pc, #24] */
	0xf1010000,	/* A32: setend le */
	0xe1400070,	/* A32: hvc #0 */
	0xe3a04201,	/* A32: mov r4, #0x10000000 */
	0xe5840000,	/* A32: str r0, [r4] */
	0xeafffff7,	/* A32: b .-28 */
};

static const uint32_t setend_be_a32 =
	0xf1010200;	/* A32: setend be */

/* Resume entry points: report r0 at REPORT_GPA, then spin. */
static const uint32_t resume_a32[] = {
	0xe3a01201,	/* A32: mov r1, #0x10000000 */
	0xe5810000,	/* A32: str r0, [r1] */
	0xeafffffe,	/* A32: b . */
};

static const uint16_t resume_t32[] = {
	0x2110,		/* T32: movs r1, #0x10 */
	0x0609,		/* T32: lsls r1, r1, #24 */
	0x6008,		/* T32: str r0, [r1] */
	0xe7fe,		/* T32: b.n . */
};

/* The PC at the resumed guest's report: the STR, the third halfword. */
#define RESUME_T32_REPORT_PC	(RESUME_T32_GPA + 4)

#define vcpu_pc(vcpu)		vcpu_reg(vcpu, ARM64_CORE_REG(regs.pc))
#define vcpu_cpsr(vcpu)		vcpu_reg(vcpu, ARM64_CORE_REG(regs.pstate))

static void set_reg(struct kvm_vcpu *vcpu, uint64_t id, uint64_t val)
{
	vcpu_set_reg(vcpu, id, val);
}

static void set_mp_state(struct kvm_vcpu *vcpu, uint32_t state)
{
	struct kvm_mp_state mp_state = {
		.mp_state = state,
	};

	vcpu_mp_state_set(vcpu, &mp_state);
}

struct guest {
	struct kvm_vm *vm;
	struct kvm_vcpu *vcpu;
	struct kvm_vcpu_init init;
};

/*
 * A VM with guest memory at GPA 0 and one AArch32 vCPU with PSCI 1.x,
 * about to run the caller. The library's vm_create() and vcpu_add() would
 * set up an AArch64 guest; the VM here is made from the raw pieces.
 */
static void guest_create(struct guest *g, bool big_endian)
{
	uint32_t *caller;

	g->vm = ____vm_create(VM_MODE_DEFAULT, MEM_PAGES);
	g->vcpu = __vm_vcpu_add(g->vm, 0);
	vm_ioctl(g->vm, KVM_ARM_PREFERRED_TARGET, &g->init);
	g->init.features[0] |= 1 << KVM_ARM_VCPU_EL1_32BIT |
			       1 << KVM_ARM_VCPU_PSCI_0_2;
	vcpu_ioctl(g->vcpu, KVM_ARM_VCPU_INIT, &g->init);

	caller = addr_gpa2hva(g->vm, CALLER_GPA);
	memcpy(caller, caller_a32, sizeof(caller_a32));
	if (big_endian)
		caller[SETEND_SLOT] = setend_be_a32;
	memcpy(addr_gpa2hva(g->vm, RESUME_A32_GPA), resume_a32, sizeof(resume_a32));
	memcpy(addr_gpa2hva(g->vm, RESUME_T32_GPA), resume_t32, sizeof(resume_t32));

	TEST_ASSERT((vcpu_cpsr(g->vcpu) & (PSR_MODE32_BIT | 0x1f)) == PSR_AA32_MODE_SVC,
		    "vCPU created with KVM_ARM_VCPU_EL1_32BIT: CPSR %#lx (expected: AArch32 SVC mode)",
		    vcpu_cpsr(g->vcpu));
	set_reg(g->vcpu, ARM64_CORE_REG(regs.pc), CALLER_GPA);
}

/* What the exit was, for messages. */
static const char *describe_exit(struct kvm_run *run, char *buf, size_t size)
{
	if (run->exit_reason == KVM_EXIT_SYSTEM_EVENT)
		snprintf(buf, size, "a KVM_SYSTEM_EVENT_%s exit",
			 event_name(run->system_event.type));
	else if (run->exit_reason == KVM_EXIT_MMIO)
		snprintf(buf, size, "an MMIO %s of %u bytes at %#llx",
			 run->mmio.is_write ? "write" : "read", run->mmio.len,
			 run->mmio.phys_addr);
	else
		snprintf(buf, size, "exit reason %u (%s)", run->exit_reason,
			 exit_reason_str(run->exit_reason));
	return buf;
}

/* Run until the guest's report; return the 32 bits it stored, as bytes. */
static uint32_t run_to_report(struct guest *g, const char *what)
{
	struct kvm_run *run = g->vcpu->run;
	uint32_t report;
	char buf[96];

	vcpu_run(g->vcpu);
	TEST_ASSERT(run->exit_reason == KVM_EXIT_MMIO &&
		    run->mmio.phys_addr == REPORT_GPA && run->mmio.is_write &&
		    run->mmio.len == 4,
		    "%s: expected the guest's report (a 4-byte store at %#x), got %s; PC %#lx, CPSR %#lx",
		    what, REPORT_GPA, describe_exit(run, buf, sizeof(buf)),
		    vcpu_pc(g->vcpu), vcpu_cpsr(g->vcpu));
	memcpy(&report, run->mmio.data, sizeof(report));
	return report;
}

/* The guest makes the call fn(arg1, arg2); return what the call returned. */
static uint32_t guest_call(struct guest *g, uint32_t fn, uint32_t arg1,
			   uint32_t arg2)
{
	uint32_t args[] = { fn, arg1, arg2 };
	char what[64];

	memcpy(addr_gpa2hva(g->vm, CALLER_ARGS_GPA), args, sizeof(args));
	snprintf(what, sizeof(what), "PSCI call %#x(%#x, %#x)", fn, arg1, arg2);
	return run_to_report(g, what);
}

static void assert_features(struct guest *g, uint32_t fn, uint32_t expected)
{
	uint32_t got = guest_call(g, PSCI_1_0_FN_PSCI_FEATURES, fn, 0);

	TEST_ASSERT(got == expected,
		    "AArch32 PSCI_FEATURES(%#x): %d (expected: %d)",
		    fn, (int32_t)got, (int32_t)expected);
}

static void features_without_cap(void)
{
	struct guest g = {};

	guest_create(&g, false);
	assert_features(&g, PSCI_1_0_FN_SYSTEM_SUSPEND, NOT_SUPPORTED);
	assert_features(&g, PSCI_1_0_FN64_SYSTEM_SUSPEND, NOT_SUPPORTED);
	/* The call itself is answered by KVM too, without an exit. */
	TEST_ASSERT(guest_call(&g, PSCI_1_0_FN_SYSTEM_SUSPEND, RESUME_A32_GPA,
			       CONTEXT_ID) == NOT_SUPPORTED,
		    "AArch32 SYSTEM_SUSPEND (SMC32) without the capability: not NOT_SUPPORTED");
	kvm_vm_free(g.vm);
}

static void features_with_cap(void)
{
	struct guest g = {};

	guest_create(&g, false);
	vm_enable_cap(g.vm, KVM_CAP_ARM_SYSTEM_SUSPEND, 0);
	assert_features(&g, PSCI_1_0_FN_SYSTEM_SUSPEND, 0);
	assert_features(&g, PSCI_1_0_FN64_SYSTEM_SUSPEND, NOT_SUPPORTED);
	kvm_vm_free(g.vm);
}

static void smc64_refused(void)
{
	struct guest g = {};
	uint32_t got;

	guest_create(&g, false);
	vm_enable_cap(g.vm, KVM_CAP_ARM_SYSTEM_SUSPEND, 0);
	got = guest_call(&g, PSCI_1_0_FN64_SYSTEM_SUSPEND, RESUME_A32_GPA,
			 CONTEXT_ID);
	TEST_ASSERT(got == NOT_SUPPORTED,
		    "AArch32 SYSTEM_SUSPEND with the SMC64 ID returned %d (expected: NOT_SUPPORTED)",
		    (int32_t)got);
	kvm_vm_free(g.vm);
}

/*
 * Make the SMC32 call from the caller and check the exit: r0-r2 as the
 * guest loaded them, PC past the HVC, still in A32.
 */
static void suspend_exit(struct guest *g, uint32_t entry)
{
	struct kvm_run *run = g->vcpu->run;
	uint32_t args[] = { PSCI_1_0_FN_SYSTEM_SUSPEND, entry, CONTEXT_ID };
	char buf[96];

	vm_enable_cap(g->vm, KVM_CAP_ARM_SYSTEM_SUSPEND, 0);
	memcpy(addr_gpa2hva(g->vm, CALLER_ARGS_GPA), args, sizeof(args));
	vcpu_run(g->vcpu);
	TEST_ASSERT(run->exit_reason == KVM_EXIT_SYSTEM_EVENT &&
		    run->system_event.type == KVM_SYSTEM_EVENT_SUSPEND,
		    "AArch32 SYSTEM_SUSPEND (SMC32): expected a KVM_SYSTEM_EVENT_SUSPEND exit, got %s",
		    describe_exit(run, buf, sizeof(buf)));
	TEST_ASSERT(run->system_event.ndata == 0,
		    "SUSPEND exit: ndata %u (expected: 0)", run->system_event.ndata);
	TEST_ASSERT(vcpu_x(g->vcpu, 0) == PSCI_1_0_FN_SYSTEM_SUSPEND &&
		    vcpu_x(g->vcpu, 1) == entry && vcpu_x(g->vcpu, 2) == CONTEXT_ID,
		    "SUSPEND exit: r0-r2 %#lx, %#lx, %#lx (expected: %#x, %#x, %#x)",
		    vcpu_x(g->vcpu, 0), vcpu_x(g->vcpu, 1), vcpu_x(g->vcpu, 2),
		    PSCI_1_0_FN_SYSTEM_SUSPEND, entry, CONTEXT_ID);
	TEST_ASSERT(vcpu_pc(g->vcpu) == HVC_GPA + 4,
		    "SUSPEND exit: PC %#lx (expected: %#x, past the HVC at %#x)",
		    vcpu_pc(g->vcpu), HVC_GPA + 4, HVC_GPA);
	TEST_ASSERT((vcpu_cpsr(g->vcpu) & (PSR_MODE32_BIT | PSR_AA32_T_BIT)) == PSR_MODE32_BIT,
		    "SUSPEND exit: CPSR %#lx (expected: AArch32, A32)",
		    vcpu_cpsr(g->vcpu));
}

static void smc32_exit(void)
{
	struct guest g = {};
	uint32_t got;

	guest_create(&g, false);
	suspend_exit(&g, RESUME_A32_GPA);

	/* Deny: the guest's call returns what userspace wrote to r0. */
	set_reg(g.vcpu, ARM64_CORE_REG(regs.regs[0]), PSCI_RET_DENIED);
	got = run_to_report(&g, "after the denied SYSTEM_SUSPEND");
	TEST_ASSERT(got == DENIED,
		    "Denied AArch32 SYSTEM_SUSPEND returned %d (expected: DENIED)",
		    (int32_t)got);
	kvm_vm_free(g.vm);
}

static void set_wakeup_irq(struct kvm_vm *vm, int level)
{
	/* No in-kernel GIC: the line is vCPU 0's IRQ input. */
	kvm_irq_line(vm, KVM_ARM_IRQ_TYPE_CPU << KVM_ARM_IRQ_TYPE_SHIFT |
		     KVM_ARM_IRQ_CPU_IRQ, level);
}

/*
 * Honour the call the vCPU just exited with, as a VMM would, for an
 * AArch32 caller: the T32 bit of the entry point and the caller's
 * endianness are carried over to the reset vCPU.
 */
static void honour(struct guest *g)
{
	uint32_t entry = vcpu_x(g->vcpu, 1), context = vcpu_x(g->vcpu, 2);
	bool big_endian = vcpu_cpsr(g->vcpu) & PSR_AA32_E_BIT;
	struct kvm_run *run = g->vcpu->run;
	uint64_t cpsr;
	char buf[96];

	set_mp_state(g->vcpu, KVM_MP_STATE_SUSPENDED);
	set_wakeup_irq(g->vm, 1);
	vcpu_run(g->vcpu);
	TEST_ASSERT(run->exit_reason == KVM_EXIT_SYSTEM_EVENT &&
		    run->system_event.type == KVM_SYSTEM_EVENT_WAKEUP,
		    "Suspended AArch32 vCPU with its IRQ raised: expected a KVM_SYSTEM_EVENT_WAKEUP exit, got %s",
		    describe_exit(run, buf, sizeof(buf)));
	set_wakeup_irq(g->vm, 0);

	vcpu_ioctl(g->vcpu, KVM_ARM_VCPU_INIT, &g->init);
	cpsr = vcpu_cpsr(g->vcpu);
	if (entry & 1)
		cpsr |= PSR_AA32_T_BIT;
	if (big_endian)
		cpsr |= PSR_AA32_E_BIT;
	set_reg(g->vcpu, ARM64_CORE_REG(regs.pstate), cpsr);
	set_reg(g->vcpu, ARM64_CORE_REG(regs.pc), entry & ~1u);
	set_reg(g->vcpu, ARM64_CORE_REG(regs.regs[0]), context);
	set_mp_state(g->vcpu, KVM_MP_STATE_RUNNABLE);
}

static void t32_resume(void)
{
	struct guest g = {};
	uint32_t got;

	guest_create(&g, false);
	suspend_exit(&g, RESUME_T32_GPA | 1);
	honour(&g);
	got = run_to_report(&g, "the resumed T32 guest");
	TEST_ASSERT(got == CONTEXT_ID,
		    "The guest resumed in T32 with r0 %#x (expected: the context id %#x)",
		    got, CONTEXT_ID);
	TEST_ASSERT(vcpu_pc(g.vcpu) == RESUME_T32_REPORT_PC &&
		    (vcpu_cpsr(g.vcpu) & PSR_AA32_T_BIT),
		    "The resumed guest's report: PC %#lx, CPSR %#lx (expected: PC %#x in T32)",
		    vcpu_pc(g.vcpu), vcpu_cpsr(g.vcpu), RESUME_T32_REPORT_PC);
	kvm_vm_free(g.vm);
}

static void big_endian_resume(void)
{
	struct guest g = {};
	uint32_t got;

	guest_create(&g, true);
	suspend_exit(&g, RESUME_A32_GPA);
	TEST_ASSERT(vcpu_cpsr(g.vcpu) & PSR_AA32_E_BIT,
		    "SUSPEND exit of a big-endian caller: CPSR %#lx without E",
		    vcpu_cpsr(g.vcpu));
	honour(&g);
	got = run_to_report(&g, "the resumed big-endian guest");
	/* The bytes of a big-endian store, read as a little-endian word. */
	TEST_ASSERT(got == __builtin_bswap32(CONTEXT_ID),
		    "The resumed guest stored the context id as %#x (expected %#x: big-endian)",
		    got, __builtin_bswap32(CONTEXT_ID));
	kvm_vm_free(g.vm);
}

static const struct test_case test_cases[] = {
	{ "features_without_cap",	features_without_cap },
	{ "features_with_cap",		features_with_cap },
	{ "smc64_refused",		smc64_refused },
	{ "smc32_exit",			smc32_exit },
	{ "t32_resume",			t32_resume },
	{ "big_endian_resume",		big_endian_resume },
};

int main(void)
{
	ksft_print_header();
	if (!kvm_has_cap(KVM_CAP_ARM_EL1_32BIT))
		ksft_exit_skip("KVM_CAP_ARM_EL1_32BIT not supported: this CPU has no AArch32 EL1\n");
	if (!kvm_has_cap(KVM_CAP_ARM_SYSTEM_SUSPEND))
		ksft_exit_skip("KVM_CAP_ARM_SYSTEM_SUSPEND not supported\n");
	ksft_set_plan(ARRAY_SIZE(test_cases));

	run_test_cases(test_cases, ARRAY_SIZE(test_cases), CASE_TIMEOUT_S);

	ksft_finished();
}
