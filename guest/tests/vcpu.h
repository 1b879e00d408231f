/* SPDX-License-Identifier: GPL-2.0-only */
/*
 * Small vCPU accessors and names shared by the project's guest tests, on
 * top of the KVM selftest library.
 */
#ifndef KVM_SUSPEND_VCPU_H
#define KVM_SUSPEND_VCPU_H

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

#endif
