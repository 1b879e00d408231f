/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Small vCPU accessors and names shared by the project's guest tests, on
 * top of the KVM selftest library, and how each runs a test case.
 */
#ifndef KVM_SUSPEND_VCPU_H
#define KVM_SUSPEND_VCPU_H

#include <signal.h>
#include <string.h>
#include <sys/wait.h>

#include "kselftest.h"
#include "kvm_util.h"
#include "processor.h"

static inline uint64_t vcpu_reg(struct kvm_vcpu *vcpu, uint64_t id)
{
	uint64_t val;

	vcpu_get_reg(vcpu, id, &val);
	return val;
}

#define vcpu_x(vcpu, n)	vcpu_reg(vcpu, ARM64_CORE_REG(regs.regs[n]))

static inline uint32_t vcpu_mp_state(struct kvm_vcpu *vcpu)
{
	struct kvm_mp_state mp_state;

	vcpu_mp_state_get(vcpu, &mp_state);
	return mp_state.mp_state;
}

/*
 * Where a test that resumes its guest after SYSTEM_SUSPEND has put the
 * code to resume at: guest_resume_entry, a symbol of its own asm, which
 * runs with the guest's MMU off, hence a guest physical address. The
 * selftest library maps the test's image at the same virtual addresses in
 * the guest as in this process.
 */
static inline uint64_t guest_resume_entry_gpa(struct kvm_vm *vm)
{
	uint64_t gva;

	asm("adrp	%0, guest_resume_entry\n"
	    "add	%0, %0, :lo12:guest_resume_entry" : "=r" (gva));
	return addr_gva2gpa(vm, gva);
}

/* The name of a KVM_EXIT_SYSTEM_EVENT type, for messages. */
static inline const char *event_name(uint32_t type)
{
	switch (type) {
	case 0:				return "none";
	case KVM_SYSTEM_EVENT_SHUTDOWN:	return "SHUTDOWN";
	case KVM_SYSTEM_EVENT_RESET:	return "RESET";
	case KVM_SYSTEM_EVENT_CRASH:	return "CRASH";
	case KVM_SYSTEM_EVENT_WAKEUP:	return "WAKEUP";
	case KVM_SYSTEM_EVENT_SUSPEND:	return "SUSPEND";
	}
	return "unknown";
}

/*
 * Run one test case in a child process of its own, so that a failed
 * assertion ends only the case, under alarm(TIMEOUT_S) so that a vCPU that
 * never comes back ends it too; report it as the KTAP result NAME. NOTE,
 * if not NULL, is added to the message of a case killed by a signal.
 */
static inline void run_case_in_child(const char *name, unsigned int timeout_s,
				     void (*run)(void *), void *arg,
				     const char *note)
{
	int status;
	pid_t pid;

	fflush(stdout);
	pid = fork();
	TEST_ASSERT(pid >= 0, "fork() failed");
	if (!pid) {
		alarm(timeout_s);
		run(arg);
		exit(KSFT_PASS);
	}
	TEST_ASSERT(waitpid(pid, &status, 0) == pid, "waitpid() failed");

	if (WIFSIGNALED(status))
		ksft_print_msg("%s: killed by signal %d (%s)%s%s\n", name,
			       WTERMSIG(status), strsignal(WTERMSIG(status)),
			       WTERMSIG(status) == SIGALRM ?
			       ": a vCPU did not come back in time" : "",
			       note ? note : "");
	ksft_test_result(WIFEXITED(status) && WEXITSTATUS(status) == KSFT_PASS,
			 "%s\n", name);
}


/* A program's test case that takes no argument, run by run_test_cases(). */
struct test_case {
	const char *name;
	void (*run)(void);
};

static inline void test_case_run(void *arg)
{
	const struct test_case *tc = arg;

	tc->run();
}

/* Each of the N cases in a child of its own, under TIMEOUT_S. */
static inline void run_test_cases(const struct test_case *tcs, int n,
				  unsigned int timeout_s)
{
	int i;

	for (i = 0; i < n; i++)
		run_case_in_child(tcs[i].name, timeout_s, test_case_run,
				  (void *)&tcs[i], NULL);
}

#endif
