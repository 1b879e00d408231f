# kvm-suspend: the PSCI SYSTEM_SUSPEND series for arm64 KVM and its harness.
#
#   make            deps, base tree, series, kernel, selftests, then the
#                   SYSTEM_SUSPEND tests in the three host KVM modes and on
#                   a Cortex-A57 (with the 32-bit guest tests); verdict
#   make check      harness tests, then the whole arm64 KVM selftest list on
#                   the series, the harness under faults, the cross-checks
#                   against the unmodified Debian tree (upstream's
#                   implementation of the same ABI), the debug kernel, the
#                   maintainer's gates, and the whole list on the base to
#                   show that nothing got worse
#   make tree       build/linux: base and series as commits, to edit
#   make export     write build/linux's commits back to series/
#   make outgoing   series/ signed off by you and addressed, for git send-email
#   make mutants    the mutation gate alone (MODE=a57 by default)
#   make kvmtool-mutants  the wrong kvmtools of vmm/kvmtool/mutants must fail
#                   linux_suspend (MODE=vhe by default; after make)
#   make qemu-mutants  the wrong QEMUs of vmm/qemu/mutants, which
#                   qemu_suspend must catch (MODE=vhe by default)
#   make KERNEL=DIR run the SYSTEM_SUSPEND tests on another kernel tree
#   make upstream   the same on the unmodified Debian tree (build/upstream)
#   make bench      the figures: what the SUSPEND exit and wake-up cost
#                   against their floors in each mode (suspend_bench), and
#                   the harness's own times, cold and warm page cache
#                   (BENCH_COLD=0: no cold build; BENCH_CHECK=1: make check)
#   make fresh-check  make check in a new minimal Debian 12 root (mmdebstrap),
#                   as on a new machine; what CI runs. make fresh: the same
#                   for the main job
#
# Everything is built under build/; logs are in build/logs.

B	:= build
TREE	:= $(B)/linux
UPSTREAM := $(B)/upstream
LOGS	:= $(B)/logs
GUEST	:= $(B)/guest
# The runs: host CPU and KVM mode, from guest/modes.
MODES	?= vhe nvhe protected a57
# Those without AArch32 EL1, where the base without the series runs too.
MODES_FULL = $(filter $(shell awk '$$3 == "full" { print $$1 }' guest/modes),$(MODES))
# The kconfig fragments of the test kernel: the default named here only.
TEST_CONFIG := configs/kvm-test.config
CONFIGS	?= $(TEST_CONFIG)
LIST	:= guest/tests.list
XFAIL	:= guest/xfail.list

# The kernel tree under test; its objects go to build/obj/NAME. The tests
# are always the series' own: the KVM selftests of build/linux and the
# project's guest tests (guest/tests), next to them under harness/.
KERNEL	?= $(TREE)
NAME	?= $(if $(filter $(TREE),$(KERNEL)),series,$(notdir $(abspath $(KERNEL))))
OBJ	:= $(B)/obj/$(NAME)
SELFTESTS := $(B)/obj/series/kselftest/kvm
IMAGE	= $(1)/arch/arm64/boot/Image

TIMED	:= sh scripts/timed.sh
VERDICT	:= $(B)/host/verdict
INIT	:= $(GUEST)/init
HOSTCC	?= gcc
# kvmtool, for the linux_suspend test: the snapshot, or a clone at its commit.
KVMTOOL	?= ../shared/vendor/kvmtool-ca0ddafa941d.tar.xz
LKVM	:= $(B)/kvmtool/lkvm-static
# QEMU, for the qemu_suspend test: "debian" (Debian 13's source package,
# fetched through a private apt configuration), or a clone at v10.0.13.
QEMU	?= debian
QEMU_BIN := $(B)/qemu/qemu-system-aarch64
CROSS_CC := aarch64-linux-gnu-gcc

.PHONY: all check deps base tree series export tree-under-test kernel \
	selftests guest-tests boot-inputs verdict upstream-tree upstream \
	cross-checks debug fault-tests gates mutants regression harness-tests \
	bench bench-guests kvmtool kvmtool-mutants qemu qemu-mutants vmm-mutants \
	outgoing fresh fresh-check clean

all: deps
	@rm -rf $(LOGS)/runs $(B)/results
	@$(MAKE) -s --no-print-directory run-suspend
	@$(MAKE) -s --no-print-directory verdict

check: deps
	@rm -rf $(LOGS)/runs $(B)/results
	@$(TIMED) "harness tests" sh tests/harness.sh
	@$(TIMED) "clean-root tests" sh tests/clean-root.sh
	@$(TIMED) "detached tests" sh tests/detached.sh
	@$(MAKE) -s --no-print-directory run-all
	@$(MAKE) -s --no-print-directory fault-tests
	@$(MAKE) -s --no-print-directory cross-checks
	@$(MAKE) -s --no-print-directory debug
	@$(MAKE) -s --no-print-directory regression
	@$(MAKE) -s --no-print-directory vmm-mutants
	@$(MAKE) -s --no-print-directory CHECKS="$(CHECK_RESULTS)" verdict

deps:
	@sh scripts/deps.sh

base: deps
	@$(TIMED) base sh scripts/base.sh $(TREE)

series: base
	@$(TIMED) series sh scripts/series.sh $(TREE)

tree: series
	@echo "tree: $(TREE), branch series on tag base; edit, commit, then 'make export'"

export:
	@sh scripts/export.sh $(TREE)

# A copy of series/ for git send-email, in build/outgoing: signed off by
# git's configured user, addressed with get_maintainer.pl.
outgoing: base
	@sh scripts/outgoing.sh $(TREE)

# The tree under test, made from base/ and series/ unless KERNEL says otherwise.
tree-under-test:
	@if [ "$(KERNEL)" = "$(TREE)" ]; then $(MAKE) -s --no-print-directory series; fi

kernel: tree-under-test
	@$(TIMED) "kernel $(NAME)" sh scripts/kernel.sh $(KERNEL) $(OBJ) $(CONFIGS)

# The KVM selftests of a tree, against its own uapi headers: all of them,
# or the programs SELFTEST_PROGS names.
selftests: kernel
	@$(TIMED) "selftests $(NAME)" sh scripts/selftests.sh $(KERNEL) $(OBJ) $(SELFTEST_PROGS)

# The project's own guest tests, on the series' selftest library.
guest-tests: selftests
	@$(TIMED) "guest tests" $(MAKE) -s --no-print-directory -C guest/tests \
		SRC=$(abspath $(TREE)) OBJ=$(abspath $(B)/obj/series) \
		OUT=$(abspath $(SELFTESTS))/harness

# The kernel under test and the series' tests, each built once.
ifeq ($(NAME),series)
boot-inputs: guest-tests
else
boot-inputs: kernel
	@$(MAKE) -s --no-print-directory KERNEL=$(TREE) NAME=series \
		CONFIGS=$(TEST_CONFIG) guest-tests
endif

# lkvm with the project's kvmtool patches (vmm/kvmtool).
kvmtool: base
	@$(TIMED) kvmtool sh scripts/kvmtool.sh $(KVMTOOL) $(TREE) vmm/kvmtool $(B)/kvmtool

# Each wrong kvmtool of vmm/kvmtool/mutants, on what the last make built.
kvmtool-mutants: kvmtool
	@$(TIMED) "kvmtool mutants" sh scripts/kvmtool-mutants.sh

# qemu-system-aarch64 with the project's QEMU patches (vmm/qemu).
qemu: deps
	@$(TIMED) qemu sh scripts/qemu.sh $(QEMU) vmm/qemu $(B)/qemu

# The wrong QEMUs of vmm/qemu/mutants: qemu_suspend must fail on each
# (scripts/qemu-mutants.sh; MODE=vhe by default). After a make, which
# built the inner initramfs.
qemu-mutants: guest-tests $(INIT) qemu
	@$(TIMED) "qemu mutants" sh scripts/qemu-mutants.sh $(B)/qemu $(OBJ) \
		$(INIT) $(SELFTESTS)/harness $(GUEST)/qemu_suspend-inner.cpio

# Both, for make check: their KTAP goes to build/results (a mutant that
# survives, or a check that could not run, fails the verdict, not make).
vmm-mutants:
	@rm -f $(B)/kvmtool-mutants/results.ktap $(B)/qemu-mutants/results.ktap
	@mkdir -p $(B)/results
	@$(MAKE) -s --no-print-directory kvmtool-mutants || true
	@cp $(B)/kvmtool-mutants/results.ktap $(B)/results/kvmtool-mutants.ktap 2>/dev/null || true
	@$(MAKE) -s --no-print-directory qemu-mutants || true
	@cp $(B)/qemu-mutants/results.ktap $(B)/results/qemu-mutants.ktap 2>/dev/null || true

$(INIT): guest/init.c guest/console.h
	@mkdir -p $(@D)
	$(CROSS_CC) -static -O2 -Wall -Wextra -Werror -o $@ $<

$(VERDICT): scripts/verdict.c guest/console.h
	@mkdir -p $(@D)
	$(HOSTCC) -O2 -Wall -Wextra -Werror -o $@ $<

# run-SET: boot the kernel under test with the tests of SET (a flag of
# guest/tests.list, or "all") in every mode; the "short" modes
# (guest/modes) take the suspend set and the aarch32 tests instead.
# linux_suspend boots the same Image under lkvm, with an initramfs of its
# own init. SET_EXCLUDE (",-FLAG...") leaves tests out of every mode.
# What linux_suspend finds under /kvmtool in the test guest.
# qemu_suspend's are under /qemu (it boots /kvmtool/Image too).
KVMTOOL_FILES = /kvmtool/lkvm=$(LKVM) /kvmtool/Image=$(call IMAGE,$(OBJ)) \
	/kvmtool/inner.cpio=$(GUEST)/linux_suspend-inner.cpio \
	/kvmtool/psci_payload.bin=$(SELFTESTS)/harness/psci_payload.bin \
	/qemu/qemu-system-aarch64=$(QEMU_BIN) \
	/qemu/inner.cpio=$(GUEST)/qemu_suspend-inner.cpio

run-%: boot-inputs $(INIT) kvmtool qemu
	@mkdir -p $(LOGS) $(GUEST)
	@for t in linux_suspend qemu_suspend; do \
		printf '%s\n' "dir /dev 0755 0 0" "nod /dev/console 0600 0 0 c 5 1" \
			"dir /proc 0755 0 0" "dir /sys 0755 0 0" \
			"file /init $(SELFTESTS)/harness/$${t}_init 0755 0 0" \
			>$(GUEST)/$$t-inner.list && \
		$(OBJ)/usr/gen_init_cpio $(GUEST)/$$t-inner.list \
			>$(GUEST)/$$t-inner.cpio || exit 1; \
	done
	@$(TIMED) "guest $* $(NAME)" sh scripts/initramfs.sh $(GUEST)/$(NAME)-$*.cpio \
		$(OBJ) $(INIT) $(LIST) $*$(SET_EXCLUDE) $(SELFTESTS) $(KVMTOOL_FILES)
	@$(TIMED) "guest short $(NAME)" sh scripts/initramfs.sh \
		$(GUEST)/$(NAME)-short.cpio $(OBJ) $(INIT) $(LIST) \
		suspend$(SET_EXCLUDE)+aarch32$(SET_EXCLUDE) $(SELFTESTS) $(KVMTOOL_FILES)
	@sh scripts/boot-modes.sh $(NAME) $(call IMAGE,$(OBJ)) $(GUEST)/$(NAME)-$*.cpio \
		$(GUEST)/$(NAME)-short.cpio $(LOGS) $(MODES)

# The kernel's own KTAP parser must agree with the verdict on every log.
# The verdict counts the results of the checks CHECKS names (their KTAP
# files in build/results; a missing one fails).
CHECKS	?= kunit-parse
CHECK_RESULTS := harness-tests clean-root detached fault-tests gates kunit-parse \
	kvmtool-mutants qemu-mutants
verdict: $(VERDICT)
	@RESULTS=$(B)/results/kunit-parse.ktap sh scripts/kunit-agrees.sh \
		$(TREE)/tools/testing/kunit $(VERDICT) $(LIST) \
		$$(sed -n 's/^-[rb] [^:]*://p' $(LOGS)/runs) || true
	@$(VERDICT) -l $(LIST) -x $(XFAIL) -j $(B)/summary.json -m $(B)/matrix.txt \
		$(foreach c,$(CHECKS),-k $(c):$(B)/results/$(c).ktap) \
		$$(cat $(LOGS)/runs)

# The unmodified Debian tree, upstream's implementation of the same ABI,
# checked out from the import commit of build/linux.
upstream-tree: base
	@if [ ! -e $(UPSTREAM)/.git ] || \
	    [ "$$(git -C $(UPSTREAM) rev-parse -q --verify HEAD 2>/dev/null)" != \
	      "$$(git -C $(TREE) rev-parse upstream)" ]; then \
		rm -rf $(UPSTREAM); git -C $(TREE) worktree prune; \
		$(TIMED) "upstream tree" git -C $(TREE) worktree add -q --detach \
			$(abspath $(UPSTREAM)) upstream; fi

upstream: upstream-tree
	@rm -rf $(LOGS)/runs $(B)/results
	@$(MAKE) -s --no-print-directory KERNEL=$(UPSTREAM) run-suspend
	@$(MAKE) -s --no-print-directory verdict

# Our tests on upstream's kernel, and upstream's psci_test on ours. The
# unmodified tree cannot build all its KVM selftests (base/ fixes that):
# take only its psci_test.
cross-checks: upstream-tree
	@ROLE=cross-check $(MAKE) -s --no-print-directory KERNEL=$(UPSTREAM) run-suspend
	@$(MAKE) -s --no-print-directory KERNEL=$(UPSTREAM) \
		SELFTEST_PROGS=aarch64/psci_test selftests
	@mkdir -p $(LOGS)
	@$(TIMED) "guest upstream psci_test" sh scripts/initramfs.sh \
		$(GUEST)/upstream-psci-test.cpio $(B)/obj/series $(INIT) \
		guest/upstream.list all $(B)/obj/upstream/kselftest/kvm
	@ROLE=cross-check sh scripts/boot-modes.sh upstream-psci-test $(call IMAGE,$(B)/obj/series) \
		$(GUEST)/upstream-psci-test.cpio $(GUEST)/upstream-psci-test.cpio \
		$(LOGS) $(MODES)

# The series on a kernel with lockdep, atomic-sleep, list, UBSAN and KASAN
# checks: the SYSTEM_SUSPEND tests, the fuzzer and the stress test.
debug:
	@$(MAKE) -s --no-print-directory NAME=debug SET_EXCLUDE=,-nested \
		CONFIGS="$(CONFIGS) configs/debug.config" run-suspend

# The harness under faults, on the real test kernel.
fault-tests: guest-tests $(INIT) $(VERDICT)
	@$(TIMED) "fault tests" sh tests/faults.sh $(OBJ) $(INIT) $(SELFTESTS)/harness

# The maintainer's gates (scripts/gates.sh), in build/gates/tree; they also
# build the base without the series for the regression run.
gates: $(INIT) upstream-tree guest-tests
	@CONFIGS="$(CONFIGS)" $(TIMED) gates env KVMTOOL=$(KVMTOOL) QEMU=$(QEMU) \
		sh scripts/gates.sh $(INIT)

# The mutation gate alone (scripts/mutants.sh; MODE=a57 by default, or
# another run of guest/modes).
mutants: guest-tests $(INIT)
	@$(TIMED) mutants sh scripts/mutants.sh $(INIT)

# The whole list on the base too (but the project's own tests, which need
# the series' headers), shown next to the series' columns; no test may do
# worse with the series. In the modes without AArch32 EL1 only: the a57
# run's tests are the series' suspend set and the 32-bit guest tests.
regression: gates
	@mkdir -p $(LOGS)
	@ROLE=reference sh scripts/boot-modes.sh base $(B)/gates/base/Image \
		$(B)/gates/base/all.cpio - \
		$(LOGS) $(MODES_FULL)
	@for m in $(MODES_FULL); do echo "-R series/$$m:base/$$m"; done >>$(LOGS)/runs

harness-tests: $(VERDICT)
	@sh tests/harness.sh

bench:
	@MODES="$(MODES_FULL)" sh scripts/bench.sh

# suspend_bench (the tests.list lines flagged bench), one boot per mode of
# "max" (the three KVM modes), one after the other: a guest's two vCPU
# threads then have the two host cores to themselves, and its wake-up
# latencies are not another guest's scheduling. scripts/bench.sh reads the
# figures from the logs. No verdict: they are figures, not the counted tests.
bench-guests: boot-inputs $(INIT)
	@mkdir -p $(LOGS)
	@$(TIMED) "guest bench" sh scripts/initramfs.sh $(GUEST)/bench.cpio \
		$(OBJ) $(INIT) $(LIST) bench $(SELFTESTS)
	@JOBS=1 sh scripts/boot-modes.sh bench $(call IMAGE,$(OBJ)) $(GUEST)/bench.cpio - \
		$(LOGS) $(MODES_FULL)

# The README's two commands on a new machine: a clean Debian 12 root made
# anew by mmdebstrap, a clean clone of HEAD in it (scripts/fresh.sh).
fresh fresh-check:
	@sh scripts/deps.sh packages mmdebstrap
	@sh scripts/fresh.sh $(if $(filter fresh,$@),all,check)

clean:
	@if [ -d $(TREE) ] && sh -c '. scripts/lib.sh; tree_has_local_work $(TREE) $(TREE)/.git/harness-series'; then \
		echo "clean: $(TREE) holds uncommitted or unexported work; not removing build/" >&2; exit 1; fi
	rm -rf $(B)
