// SPDX-License-Identifier: GPL-2.0-only
/*
 * psci_fuzz - a seeded, bounded fuzzer of KVM's PSCI and SMCCC handling.
 *
 * The guest makes a fixed number of calls with function IDs drawn from the
 * PSCI ranges (SMC32 and SMC64), the SMCCC architecture range, the other
 * services KVM knows (TRNG, PV time, its vendor hypervisor service, the
 * PSCI 0.1 IDs) and fully random IDs, with x1-x3 random or "interesting"
 * (0, the other vCPU's MPIDR, a valid guest address, all-ones, small values
 * with garbage in the upper 32 bits, function IDs). Most calls go over HVC,
 * about one in ten over SMC. The guest reports each result; the host checks
 * it against what the function may return, and handles the exits the way a
 * VMM would: SYSTEM_OFF and SYSTEM_RESET(2) reboot the VM, SYSTEM_SUSPEND
 * (only with KVM_CAP_ARM_SYSTEM_SUSPEND) is denied.
 *
 * The same sequence of calls runs on a VM without the capability and on one
 * with it, each in a child process of its own, reported as a KTAP result.
 * A failure names the seed and the call, so that it can be replayed with
 * -s SEED (and -n, to stop right after it).
 */

#include <getopt.h>
#include <stdlib.h>
#include <sys/wait.h>

#include <linux/arm-smccc.h>
#include <linux/psci.h>

#include "kvm_util.h"
#include "processor.h"
#include "test_util.h"
#include "vcpu.h"

#define DEFAULT_SEED	20220504ul
#define DEFAULT_CALLS	2000ul

enum conduit {
	CONDUIT_HVC,
	CONDUIT_SMC,
};

/*
 * The call the guest is making, written before it is made: a call that
 * exits with a system event leaves no report, so the host reads it here.
 */
struct fuzz_call {
	uint64_t index;
	uint64_t fn;		/* all of x0: the guest sometimes fills bits 63:32 */
	uint64_t conduit;
	uint64_t args[3];	/* x1-x3 */
};

/*
 * Guest state that must survive a reboot: a reset sets the vCPU's
 * registers only, so after SYSTEM_OFF or SYSTEM_RESET the guest starts
 * again at guest_code() and carries on with the next call, from the same
 * PRNG state, as if the call had returned.
 */
static struct fuzz_call guest_call;
static uint64_t guest_rng;
static uint64_t guest_next;

static uint64_t guest_rand(void)
{
	uint64_t x = guest_rng;

	/* xorshift64: small, no tables, never 0 from a non-zero state. */
	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	guest_rng = x;
	return x;
}

/* IDs that a uniform pick would hardly ever hit. */
static const uint32_t known_fns[] = {
	ARM_SMCCC_VERSION_FUNC_ID,
	ARM_SMCCC_ARCH_FEATURES_FUNC_ID,
	ARM_SMCCC_ARCH_SOC_ID,
	ARM_SMCCC_ARCH_WORKAROUND_1,
	ARM_SMCCC_ARCH_WORKAROUND_2,
	ARM_SMCCC_ARCH_WORKAROUND_3,
	ARM_SMCCC_TRNG_VERSION,
	ARM_SMCCC_TRNG_FEATURES,
	ARM_SMCCC_TRNG_GET_UUID,
	ARM_SMCCC_TRNG_RND32,
	ARM_SMCCC_TRNG_RND64,
	ARM_SMCCC_HV_PV_TIME_FEATURES,
	ARM_SMCCC_HV_PV_TIME_ST,
	ARM_SMCCC_VENDOR_HYP_CALL_UID_FUNC_ID,
	ARM_SMCCC_VENDOR_HYP_KVM_FEATURES_FUNC_ID,
	ARM_SMCCC_VENDOR_HYP_KVM_PTP_FUNC_ID,
	KVM_PSCI_FN_CPU_SUSPEND,
	KVM_PSCI_FN_CPU_OFF,
	KVM_PSCI_FN_CPU_ON,
	KVM_PSCI_FN_MIGRATE,
};

static uint32_t guest_pick_fn(void)
{
	uint64_t r = guest_rand();

	switch (r % 16) {
	case 0 ... 5:
		return PSCI_0_2_FN_BASE + (r >> 8) % 32;
	case 6 ... 10:
		return PSCI_0_2_FN64_BASE + (r >> 8) % 32;
	case 11 ... 12:
		return known_fns[(r >> 8) % ARRAY_SIZE(known_fns)];
	case 13:
		/* The SMCCC architecture calls, ARCH_WORKAROUND_1 included. */
		return ARM_SMCCC_VERSION_FUNC_ID + (r >> 8) % 0x8001;
	case 14:
		/* The call under test, more often than the ranges give it. */
		return (r >> 8) % 2 ? PSCI_1_0_FN64_SYSTEM_SUSPEND :
				      PSCI_1_0_FN_SYSTEM_SUSPEND;
	default:
		return r >> 32;
	}
}

static uint64_t guest_pick_arg(uint64_t other_mpidr, uint64_t valid_gpa)
{
	uint64_t r = guest_rand();

	switch (r % 10) {
	case 0:
		return 0;
	case 1:
		return other_mpidr;
	case 2:
		return valid_gpa;
	case 3:
		return ~0ul;
	case 4:
		/*
		 * A small value (an MPIDR, an affinity level, a reset type)
		 * with garbage above: SMC32 calls must ignore bits 63:32.
		 */
		return (guest_rand() | 1) << 32 | (r >> 8) % 4;
	case 5:
		/* For PSCI_FEATURES and SMCCC_ARCH_FEATURES. */
		return guest_pick_fn();
	default:
		return guest_rand();
	}
}

/*
 * CPU_SUSPEND and CPU_OFF over HVC legitimately stop the calling vCPU:
 * CPU_SUSPEND until an interrupt, CPU_OFF until another vCPU's CPU_ON, and
 * in this test neither ever comes. Over SMC they are harmless (KVM does not
 * implement PSCI there), so they are only left out of HVC calls.
 */
static bool stops_caller(uint32_t fn)
{
	return fn == PSCI_0_2_FN_CPU_SUSPEND || fn == PSCI_0_2_FN64_CPU_SUSPEND ||
	       fn == PSCI_0_2_FN_CPU_OFF;
}

static uint64_t guest_make_call(const struct fuzz_call *c)
{
	register uint64_t x0 asm("x0") = c->fn;
	register uint64_t x1 asm("x1") = c->args[0];
	register uint64_t x2 asm("x2") = c->args[1];
	register uint64_t x3 asm("x3") = c->args[2];

	/* SMCCC lets the callee clobber x4-x17; KVM's fast path clobbers x1. */
	if (c->conduit == CONDUIT_SMC)
		asm volatile("smc #0"
			     : "+r" (x0), "+r" (x1), "+r" (x2), "+r" (x3)
			     : : "x4", "x5", "x6", "x7", "x8", "x9", "x10", "x11",
			     "x12", "x13", "x14", "x15", "x16", "x17", "memory");
	else
		asm volatile("hvc #0"
			     : "+r" (x0), "+r" (x1), "+r" (x2), "+r" (x3)
			     : : "x4", "x5", "x6", "x7", "x8", "x9", "x10", "x11",
			     "x12", "x13", "x14", "x15", "x16", "x17", "memory");
	return x0;
}

static void guest_code(uint64_t rng_seed, uint64_t ncalls,
		       uint64_t other_mpidr, uint64_t valid_gpa)
{
	struct fuzz_call *c = &guest_call;
	uint64_t fn, res;
	int i;

	/* A reboot enters here again with the same arguments: seed once. */
	if (!guest_rng)
		guest_rng = rng_seed;

	while (guest_next < ncalls) {
		c->index = guest_next;
		c->conduit = guest_rand() % 10 ? CONDUIT_HVC : CONDUIT_SMC;
		do {
			fn = guest_pick_fn();
		} while (c->conduit == CONDUIT_HVC && stops_caller(fn));
		/* KVM takes the function ID from w0; now and then fill the rest. */
		if (guest_rand() % 16 == 0)
			fn |= guest_rand() << 32;
		c->fn = fn;
		for (i = 0; i < 3; i++)
			c->args[i] = guest_pick_arg(other_mpidr, valid_gpa);
		/* Ask about the call under test now and then. */
		if (((uint32_t)fn == PSCI_1_0_FN_PSCI_FEATURES ||
		     (uint32_t)fn == ARM_SMCCC_ARCH_FEATURES_FUNC_ID) &&
		    guest_rand() % 4 == 0)
			c->args[0] = guest_rand() % 2 ? PSCI_1_0_FN64_SYSTEM_SUSPEND :
							PSCI_1_0_FN_SYSTEM_SUSPEND;

		/* If the call reboots the VM, the guest goes on after it. */
		guest_next = c->index + 1;
		res = guest_make_call(c);
		GUEST_SYNC_ARGS(c->index, c->fn, c->conduit, res, c->args[0]);
	}
	GUEST_DONE();
}

/* The host side. */

struct fuzz_stats {
	uint64_t hvc, smc;
	uint64_t success, not_supported, other_error, value;
	uint64_t ucalls, shutdown, reset, reset2, suspend;
	uint64_t denied_other_on, denied_policy, invalid_address, reboots;
	/*
	 * HVC calls of SYSTEM_SUSPEND with bits in x0[63:32], and HVC
	 * PSCI_FEATURES calls asking about SYSTEM_SUSPEND.
	 */
	uint64_t suspend_upper, features_suspend;
};

struct fuzz_vm {
	struct kvm_vm *vm;
	struct kvm_vcpu *vcpu;		/* the caller */
	struct kvm_vcpu *other;		/* never runs; CPU_ON/AFFINITY_INFO target */
	struct kvm_vcpu_init init, other_init;
	struct fuzz_call *call;		/* guest_call, in guest memory */
	uint64_t seed, ncalls, stack_top, other_mpidr, valid_gpa;
	bool cap;
	struct fuzz_stats st;
};

#define FUZZ_ASSERT(f, idx, cond, fmt, args...)				\
	TEST_ASSERT(cond, "seed %lu, call %lu: " fmt			\
		    "\n  (replay: psci_fuzz -s %lu -n %lu)",		\
		    (f)->seed, (uint64_t)(idx), ##args, (f)->seed,	\
		    (uint64_t)(idx) + 1)

static const char *fn_name(uint32_t fn)
{
	static const char * const psci[] = {
		"PSCI_VERSION", "CPU_SUSPEND", "CPU_OFF", "CPU_ON",
		"AFFINITY_INFO", "MIGRATE", "MIGRATE_INFO_TYPE",
		"MIGRATE_INFO_UP_CPU", "SYSTEM_OFF", "SYSTEM_RESET",
		"PSCI_FEATURES", "CPU_FREEZE", "CPU_DEFAULT_SUSPEND",
		"NODE_HW_STATE", "SYSTEM_SUSPEND", "SET_SUSPEND_MODE",
		"STAT_RESIDENCY", "STAT_COUNT", "SYSTEM_RESET2", "MEM_PROTECT",
		"MEM_PROTECT_CHECK_RANGE",
	};
	uint32_t n = (fn & ~PSCI_0_2_64BIT) - PSCI_0_2_FN_BASE;

	if (n < ARRAY_SIZE(psci))
		return psci[n];
	switch (fn) {
	case ARM_SMCCC_VERSION_FUNC_ID:		return "SMCCC_VERSION";
	case ARM_SMCCC_ARCH_FEATURES_FUNC_ID:	return "SMCCC_ARCH_FEATURES";
	case ARM_SMCCC_ARCH_WORKAROUND_1:	return "ARCH_WORKAROUND_1";
	case ARM_SMCCC_ARCH_WORKAROUND_2:	return "ARCH_WORKAROUND_2";
	case ARM_SMCCC_ARCH_WORKAROUND_3:	return "ARCH_WORKAROUND_3";
	}
	return "-";
}

/*
 * The system event KVM must exit with for a call of @fn with @x1 over
 * @conduit, 0 for none; @flags gets the event's data[0].
 */
static uint32_t expected_event(const struct fuzz_vm *f, uint32_t fn,
			       uint64_t conduit, uint64_t x1, uint64_t *flags)
{
	uint32_t reset_type = x1;	/* KVM reads a u32 for either width */

	*flags = 0;
	if (conduit != CONDUIT_HVC)
		return 0;

	switch (fn) {
	case PSCI_0_2_FN_SYSTEM_OFF:
		return KVM_SYSTEM_EVENT_SHUTDOWN;
	case PSCI_0_2_FN_SYSTEM_RESET:
		return KVM_SYSTEM_EVENT_RESET;
	case PSCI_1_1_FN_SYSTEM_RESET2:
	case PSCI_1_1_FN64_SYSTEM_RESET2:
		/* A warm reset or a vendor reset; other types are invalid. */
		if (reset_type == PSCI_1_1_RESET_TYPE_SYSTEM_WARM_RESET ||
		    reset_type >= PSCI_1_1_RESET_TYPE_VENDOR_START) {
			*flags = KVM_SYSTEM_EVENT_RESET_FLAG_PSCI_RESET2;
			return KVM_SYSTEM_EVENT_RESET;
		}
		return 0;
	case PSCI_1_0_FN_SYSTEM_SUSPEND:
	case PSCI_1_0_FN64_SYSTEM_SUSPEND:
		return f->cap ? KVM_SYSTEM_EVENT_SUSPEND : 0;
	}
	return 0;
}

static bool is_psci_ret(int64_t r)
{
	return r <= PSCI_RET_SUCCESS && r >= PSCI_RET_INVALID_ADDRESS;
}

static bool is_suspend_fn(uint32_t fn)
{
	return fn == PSCI_1_0_FN_SYSTEM_SUSPEND || fn == PSCI_1_0_FN64_SYSTEM_SUSPEND;
}

/*
 * Whether @res is a result an HVC to @fn, made with @x1, may return on this
 * VM (PSCI 1.1, the KVM default, checked at setup); NULL if it is, else what
 * was expected. Results are compared as the 64-bit values KVM writes:
 * errors are sign-extended, even for SMC32 calls.
 */
static const char *check_hvc_result(const struct fuzz_vm *f, uint32_t fn,
				    uint64_t x1, uint64_t res)
{
	int64_t r = res;

	/* What the series changes: exact values. */
	if (is_suspend_fn(fn))
		return r == PSCI_RET_NOT_SUPPORTED ? NULL :
		       "NOT_SUPPORTED: SYSTEM_SUSPEND without the capability";
	if (fn == PSCI_1_0_FN_PSCI_FEATURES && is_suspend_fn(x1)) {
		if (f->cap)
			return r == PSCI_RET_SUCCESS ? NULL :
			       "0: SYSTEM_SUSPEND is there with the capability";
		return r == PSCI_RET_NOT_SUPPORTED ? NULL :
		       "NOT_SUPPORTED: no SYSTEM_SUSPEND without the capability";
	}
	if (fn == PSCI_1_1_FN_SYSTEM_RESET2 || fn == PSCI_1_1_FN64_SYSTEM_RESET2)
		return r == PSCI_RET_INVALID_PARAMS ? NULL :
		       "INVALID_PARAMS: a reset type neither 0 nor vendor";

	/* TRNG (DEN0098): version, feature bits, UUID and entropy words. */
	if ((fn >= ARM_SMCCC_TRNG_VERSION && fn <= ARM_SMCCC_TRNG_RND32) ||
	    fn == ARM_SMCCC_TRNG_RND64)
		return NULL;
	/* KVM's vendor hypervisor service: UID, feature bitmap, PTP time. */
	if ((fn & ~PSCI_0_2_64BIT & ~ARM_SMCCC_FUNC_MASK) ==
	    ARM_SMCCC_CALL_VAL(ARM_SMCCC_FAST_CALL, ARM_SMCCC_SMC_32,
			       ARM_SMCCC_OWNER_VENDOR_HYP, 0))
		return NULL;
	/* PV time: the IPA of the stolen time structure. */
	if (fn == ARM_SMCCC_HV_PV_TIME_ST)
		return NULL;

	switch (fn) {
	case PSCI_0_2_FN_PSCI_VERSION:
		return r == PSCI_VERSION(0, 2) || r == PSCI_VERSION(1, 0) ||
		       r == PSCI_VERSION(1, 1) || is_psci_ret(r) ? NULL :
		       "a PSCI version: 0x2, 0x10000 or 0x10001";
	case PSCI_0_2_FN_AFFINITY_INFO:
	case PSCI_0_2_FN64_AFFINITY_INFO:
		return (r >= PSCI_0_2_AFFINITY_LEVEL_ON &&
			r <= PSCI_0_2_AFFINITY_LEVEL_ON_PENDING) ||
		       is_psci_ret(r) ? NULL :
		       "ON, OFF, ON_PENDING (0..2) or a PSCI error";
	case PSCI_0_2_FN_MIGRATE_INFO_TYPE:
		return r == PSCI_0_2_TOS_MP || is_psci_ret(r) ? NULL :
		       "2 (no Trusted OS to migrate) or a PSCI error";
	case PSCI_1_0_FN_PSCI_FEATURES:
	case ARM_SMCCC_ARCH_FEATURES_FUNC_ID:
		return (r >= 0 && r <= INT32_MAX) || is_psci_ret(r) ? NULL :
		       "a non-negative int32 (feature flags) or an error";
	case ARM_SMCCC_VERSION_FUNC_ID:
		return r >= ARM_SMCCC_VERSION_1_0 && r <= INT32_MAX ? NULL :
		       "an SMCCC version, 0x10000 or later";
	}
	return is_psci_ret(r) ? NULL : "a PSCI return code (0, -1..-9)";
}

static void count_result(struct fuzz_stats *st, int64_t r)
{
	if (r == PSCI_RET_SUCCESS)
		st->success++;
	else if (r == PSCI_RET_NOT_SUPPORTED)
		st->not_supported++;
	else if (is_psci_ret(r))
		st->other_error++;
	else
		st->value++;
}

static void set_guest_args(struct fuzz_vm *f)
{
	uint64_t z = f->seed + 0x9e3779b97f4a7c15ul;

	/* splitmix64, so that nearby seeds give unrelated sequences */
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ul;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebul;
	z ^= z >> 31;
	vcpu_args_set(f->vcpu, 4, z ? z : 1, f->ncalls, f->other_mpidr,
		      f->valid_gpa);
}

static void fuzz_vm_create(struct fuzz_vm *f, bool cap)
{
	uint64_t psci_version;

	f->cap = cap;
	f->vm = vm_create(2);
	ucall_init(f->vm, NULL);

	vm_ioctl(f->vm, KVM_ARM_PREFERRED_TARGET, &f->init);
	f->init.features[0] |= 1 << KVM_ARM_VCPU_PSCI_0_2;
	/* Like a secondary CPU of a real machine, vCPU 1 starts off. */
	f->other_init = f->init;
	f->other_init.features[0] |= 1 << KVM_ARM_VCPU_POWER_OFF;

	f->vcpu = aarch64_vcpu_add(f->vm, 0, &f->init, guest_code);
	f->other = aarch64_vcpu_add(f->vm, 1, &f->other_init, guest_code);
	vm_init_descriptor_tables(f->vm);
	vcpu_init_descriptor_tables(f->vcpu);
	if (cap)
		vm_enable_cap(f->vm, KVM_CAP_ARM_SYSTEM_SUSPEND, 0);

	psci_version = vcpu_reg(f->vcpu, KVM_REG_ARM_PSCI_VERSION);
	TEST_ASSERT(psci_version == PSCI_VERSION(1, 1),
		    "PSCI version of a new vCPU: %#lx (expected: 0x10001, which the checks assume)",
		    psci_version);

	f->stack_top = vcpu_reg(f->vcpu, ARM64_CORE_REG(sp_el1));
	f->other_mpidr = vcpu_reg(f->other, KVM_ARM64_SYS_REG(SYS_MPIDR_EL1)) &
			 MPIDR_HWID_BITMASK;
	f->valid_gpa = addr_gva2gpa(f->vm, (vm_vaddr_t)guest_code);
	f->call = addr_gva2hva(f->vm, (vm_vaddr_t)&guest_call);
	set_guest_args(f);
}

/*
 * What a VMM does for SYSTEM_OFF or a reset: every vCPU back to its initial
 * state and the boot vCPU at the entry point. The guest's memory stays, so
 * the guest carries on where it was.
 */
static void vmm_reboot(struct fuzz_vm *f)
{
	aarch64_vcpu_setup(f->other, &f->other_init);
	aarch64_vcpu_setup(f->vcpu, &f->init);
	vcpu_init_descriptor_tables(f->vcpu);
	vcpu_set_reg(f->vcpu, ARM64_CORE_REG(sp_el1), f->stack_top);
	vcpu_set_reg(f->vcpu, ARM64_CORE_REG(regs.pc), (uint64_t)guest_code);
	set_guest_args(f);
	f->st.reboots++;
}

/*
 * A VMM's answer to SYSTEM_SUSPEND, which this one never carries out: the
 * first reason there is to deny it, or, failing one, DENIED all the same.
 */
static int64_t vmm_deny_suspend(struct fuzz_vm *f)
{
	uint64_t entry = vcpu_x(f->vcpu, 1);

	/* DEN0022D.b 5.19.2: every other core must be off... */
	if (vcpu_mp_state(f->other) != KVM_MP_STATE_STOPPED) {
		f->st.denied_other_on++;
		return PSCI_RET_DENIED;
	}
	/* ...and the entry point somewhere the caller can run. */
	if (!kvm_userspace_memory_region_find(f->vm, entry, entry)) {
		f->st.invalid_address++;
		return PSCI_RET_INVALID_ADDRESS;
	}
	f->st.denied_policy++;
	return PSCI_RET_DENIED;
}

/* The state of the loop: the next call expected, and a denied suspend. */
struct fuzz_expect {
	uint64_t next;
	bool suspend_denied;
	int64_t suspend_ret;
};

/* A KVM_EXIT_SYSTEM_EVENT during the call the guest wrote down. */
static void handle_event(struct fuzz_vm *f, struct fuzz_expect *e)
{
	struct kvm_run *run = f->vcpu->run;
	struct fuzz_call c = *f->call;
	uint32_t type = run->system_event.type;
	uint32_t fn = c.fn, expected;
	uint64_t flags, mask;
	int i;

	FUZZ_ASSERT(f, c.index, c.index == e->next && !e->suspend_denied,
		    "system event %u (%s) during call %lu, expected call %lu%s",
		    type, event_name(type), c.index, e->next,
		    e->suspend_denied ? " to return the denied SYSTEM_SUSPEND" : "");

	expected = expected_event(f, fn, c.conduit, c.args[0], &flags);
	FUZZ_ASSERT(f, c.index, type == expected,
		    "%s %#lx (%s), x1 %#lx: system event %u (%s), expected %s (capability %s)",
		    c.conduit == CONDUIT_HVC ? "HVC" : "SMC", c.fn, fn_name(fn),
		    c.args[0], type, event_name(type), event_name(expected),
		    f->cap ? "on" : "off");

	switch (type) {
	case KVM_SYSTEM_EVENT_SHUTDOWN:
	case KVM_SYSTEM_EVENT_RESET:
		FUZZ_ASSERT(f, c.index, run->system_event.ndata == 1 &&
			    run->system_event.data[0] == flags,
			    "%s exit for %s: ndata %u, data[0] %#llx (expected: 1, %#lx)",
			    event_name(type), fn_name(fn), run->system_event.ndata,
			    run->system_event.data[0], flags);
		/* KVM stops every vCPU until userspace resets them. */
		FUZZ_ASSERT(f, c.index, vcpu_mp_state(f->vcpu) == KVM_MP_STATE_STOPPED &&
			    vcpu_mp_state(f->other) == KVM_MP_STATE_STOPPED,
			    "MP states after %s: %u, %u (expected: both stopped)",
			    fn_name(fn), vcpu_mp_state(f->vcpu),
			    vcpu_mp_state(f->other));
		if (type == KVM_SYSTEM_EVENT_SHUTDOWN)
			f->st.shutdown++;
		else if (flags)
			f->st.reset2++;
		else
			f->st.reset++;
		vmm_reboot(f);
		e->next = c.index + 1;
		return;
	case KVM_SYSTEM_EVENT_SUSPEND:
		f->st.suspend++;
		if (c.fn >> 32)
			f->st.suspend_upper++;
		FUZZ_ASSERT(f, c.index, run->system_event.ndata == 0 &&
			    !run->system_event.data[0],
			    "SUSPEND exit: ndata %u, data[0] %#llx (expected: 0, 0)",
			    run->system_event.ndata, run->system_event.data[0]);
		/* The call as the guest made it, SMC32 arguments narrowed. */
		mask = fn == PSCI_1_0_FN_SYSTEM_SUSPEND ? 0xfffffffful : ~0ul;
		FUZZ_ASSERT(f, c.index, vcpu_x(f->vcpu, 0) == c.fn,
			    "x0 at the SUSPEND exit: %#lx (expected: the call's %#lx)",
			    vcpu_x(f->vcpu, 0), c.fn);
		for (i = 0; i < 3; i++)
			FUZZ_ASSERT(f, c.index, vcpu_x(f->vcpu, i + 1) == (c.args[i] & mask),
				    "x%d at the SUSPEND exit: %#lx (expected: %#lx)",
				    i + 1, vcpu_x(f->vcpu, i + 1), c.args[i] & mask);
		e->suspend_ret = vmm_deny_suspend(f);
		vcpu_set_reg(f->vcpu, ARM64_CORE_REG(regs.regs[0]), e->suspend_ret);
		e->suspend_denied = true;
		return;
	}
}

/* The guest's report of call @idx: @fn over @conduit returned @res. */
static void check_report(struct fuzz_vm *f, struct fuzz_expect *e,
			 struct ucall *uc)
{
	uint64_t idx = uc->args[1], fn64 = uc->args[2], conduit = uc->args[3];
	uint64_t res = uc->args[4], x1 = uc->args[5], flags;
	uint32_t fn = fn64, event;
	const char *why;

	f->st.ucalls++;
	FUZZ_ASSERT(f, idx, idx == e->next,
		    "report of call %lu, expected call %lu", idx, e->next);
	e->next = idx + 1;
	count_result(&f->st, res);

	if (e->suspend_denied) {
		e->suspend_denied = false;
		f->st.hvc++;
		FUZZ_ASSERT(f, idx, conduit == CONDUIT_HVC && (int64_t)res == e->suspend_ret,
			    "denied SYSTEM_SUSPEND returned %#lx over %s (expected: the VMM's %ld over HVC)",
			    res, conduit == CONDUIT_HVC ? "HVC" : "SMC", e->suspend_ret);
		return;
	}

	if (conduit == CONDUIT_SMC) {
		f->st.smc++;
		/* This kernel answers every guest SMC with all-ones in x0. */
		FUZZ_ASSERT(f, idx, res == ~0ul,
			    "SMC %#lx (%s), x1 %#lx: returned %#lx (expected: ~0)",
			    fn64, fn_name(fn), x1, res);
		return;
	}
	f->st.hvc++;

	event = expected_event(f, fn, conduit, x1, &flags);
	FUZZ_ASSERT(f, idx, !event,
		    "HVC %#lx (%s), x1 %#lx: returned %#lx without the %s exit it must make (capability %s)",
		    fn64, fn_name(fn), x1, res, event_name(event),
		    f->cap ? "on" : "off");

	if (is_suspend_fn(fn) && fn64 >> 32)
		f->st.suspend_upper++;
	if (fn == PSCI_1_0_FN_PSCI_FEATURES && is_suspend_fn(x1))
		f->st.features_suspend++;
	why = check_hvc_result(f, fn, x1, res);
	FUZZ_ASSERT(f, idx, !why, "HVC %#lx (%s), x1 %#lx: returned %#lx (%ld), expected %s",
		    fn64, fn_name(fn), x1, res, (int64_t)res, why);
}

/*
 * vcpu_run() without the library's own failure paths, so that a failed
 * KVM_RUN or an exception in the guest is reported with the seed and call.
 */
static void fuzz_vcpu_run(struct fuzz_vm *f)
{
	int ret;

	do {
		ret = __vcpu_run(f->vcpu);
	} while (ret == -1 && errno == EINTR);
	FUZZ_ASSERT(f, f->call->index, !ret, "KVM_RUN failed in call %#lx (%s): %s",
		    f->call->fn, fn_name(f->call->fn), strerror(errno));
}

static void fuzz(bool cap, uint64_t seed, uint64_t ncalls)
{
	struct fuzz_expect e = {};
	struct fuzz_vm f = {
		.seed = seed,
		.ncalls = ncalls,
	};
	struct fuzz_stats *st = &f.st;
	struct kvm_run *run;
	struct ucall uc;

	fuzz_vm_create(&f, cap);
	run = f.vcpu->run;

	for (;;) {
		fuzz_vcpu_run(&f);

		if (run->exit_reason == KVM_EXIT_SYSTEM_EVENT) {
			handle_event(&f, &e);
			continue;
		}

		switch (get_ucall(f.vcpu, &uc)) {
		case UCALL_SYNC:
			check_report(&f, &e, &uc);
			continue;
		case UCALL_DONE:
			break;
		case UCALL_UNHANDLED:
			FUZZ_ASSERT(&f, f.call->index, false,
				    "exception in the guest after call %#lx (%s): vector %#lx, EC %#lx",
				    f.call->fn, fn_name(f.call->fn), uc.args[0], uc.args[1]);
			break;
		default:
			FUZZ_ASSERT(&f, f.call->index, false,
				    "unexpected exit reason %u (%s) in call %#lx (%s)",
				    run->exit_reason, exit_reason_str(run->exit_reason),
				    f.call->fn, fn_name(f.call->fn));
		}
		break;
	}

	FUZZ_ASSERT(&f, e.next, e.next == ncalls && !e.suspend_denied,
		    "the guest finished after %lu calls (expected: %lu)", e.next, ncalls);

	ksft_print_msg("%s: %lu calls: %lu HVC, %lu SMC, %lu ended in a reboot\n",
		       cap ? "with cap" : "without cap", ncalls, st->hvc, st->smc,
		       st->shutdown + st->reset + st->reset2);
	ksft_print_msg("%s: results: %lu success, %lu NOT_SUPPORTED, %lu other errors, %lu values\n",
		       cap ? "with cap" : "without cap", st->success,
		       st->not_supported, st->other_error, st->value);
	ksft_print_msg("%s: exits: %lu ucall, %lu SHUTDOWN, %lu RESET, %lu RESET2, %lu SUSPEND; %lu reboots\n",
		       cap ? "with cap" : "without cap", st->ucalls, st->shutdown,
		       st->reset, st->reset2, st->suspend, st->reboots);
	ksft_print_msg("%s: SYSTEM_SUSPEND over HVC: %lu calls with bits in x0[63:32], %lu PSCI_FEATURES asking about it\n",
		       cap ? "with cap" : "without cap", st->suspend_upper,
		       st->features_suspend);
	if (st->suspend)
		ksft_print_msg("%s: SUSPEND denied: %lu DENIED (vCPU 1 on), %lu INVALID_ADDRESS, %lu DENIED (no reason but policy)\n",
			       cap ? "with cap" : "without cap", st->denied_other_on,
			       st->invalid_address, st->denied_policy);
	kvm_vm_free(f.vm);
}

struct fuzz_case {
	bool cap;
	uint64_t seed, ncalls;
};

static void fuzz_case_run(void *arg)
{
	struct fuzz_case *c = arg;

	fuzz(c->cap, c->seed, c->ncalls);
}

static void run_case(const char *name, bool cap, uint64_t seed, uint64_t ncalls)
{
	struct fuzz_case c = { .cap = cap, .seed = seed, .ncalls = ncalls };
	char note[32];

	if (cap && !kvm_has_cap(KVM_CAP_ARM_SYSTEM_SUSPEND)) {
		ksft_test_result_skip("%s: KVM_CAP_ARM_SYSTEM_SUSPEND not supported\n",
				      name);
		return;
	}
	snprintf(note, sizeof(note), ", seed %lu", seed);
	/* A few seconds under TCG; the alarm only catches a stuck vCPU. */
	run_case_in_child(name, 60 + ncalls / 50, fuzz_case_run, &c, note);
}

static void __attribute__((noreturn)) usage(const char *prog, int status)
{
	printf("usage: %s [-s SEED] [-n CALLS]\n"
	       "  -s SEED   seed of the guest's PRNG (default: %lu)\n"
	       "  -n CALLS  calls per VM (default: %lu)\n",
	       prog, DEFAULT_SEED, DEFAULT_CALLS);
	exit(status);
}

static uint64_t parse_u64(const char *prog, const char *arg)
{
	char *end;
	uint64_t val;

	errno = 0;
	val = strtoull(arg, &end, 0);
	if (errno || end == arg || *end)
		usage(prog, KSFT_FAIL);
	return val;
}

int main(int argc, char *argv[])
{
	uint64_t seed = DEFAULT_SEED, ncalls = DEFAULT_CALLS;
	int opt;

	while ((opt = getopt(argc, argv, "s:n:h")) != -1) {
		switch (opt) {
		case 's':
			seed = parse_u64(argv[0], optarg);
			break;
		case 'n':
			ncalls = parse_u64(argv[0], optarg);
			break;
		case 'h':
			usage(argv[0], KSFT_PASS);
		default:
			usage(argv[0], KSFT_FAIL);
		}
	}
	if (optind != argc)
		usage(argv[0], KSFT_FAIL);

	ksft_print_header();
	ksft_set_plan(2);
	ksft_print_msg("seed: %lu\n", seed);
	ksft_print_msg("calls per VM: %lu\n", ncalls);

	run_case("fuzz_without_cap", false, seed, ncalls);
	run_case("fuzz_with_cap", true, seed, ncalls);

	ksft_finished();
}
