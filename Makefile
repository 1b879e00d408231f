# kvm-suspend: the PSCI SYSTEM_SUSPEND series for arm64 KVM and its harness.
#
#   make            deps, base tree, series, kernel, selftests, then the
#                   SYSTEM_SUSPEND tests in the three host KVM modes; verdict
#   make check      harness tests, then the whole arm64 KVM selftest list on
#                   the series, the harness under faults, the cross-checks
#                   against the unmodified Debian tree (upstream's
#                   implementation of the same ABI), the debug kernel, the
#                   maintainer's gates, and the whole list on the base to
#                   show that nothing got worse
#   make tree       build/linux: base and series as commits, to edit
#   make export     write build/linux's commits back to series/
#   make outgoing   series/ signed off by you and addressed, for git send-email
#   make mutants    the mutation gate alone (MODE=nvhe by default)
#   make KERNEL=DIR run the SYSTEM_SUSPEND tests on another kernel tree
#   make upstream   the same on the unmodified Debian tree (build/stock)
#   make bench      time the stages: nothing changed, one file touched
#
# Everything is built under build/; logs are in build/logs.

B	:= build
TREE	:= $(B)/linux
STOCK	:= $(B)/stock
LOGS	:= $(B)/logs
GUEST	:= $(B)/guest
MODES	?= vhe nvhe protected
CONFIGS	?= configs/kvm-test.config
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

STAGE	:= sh scripts/stage.sh
VERDICT	:= $(B)/host/verdict
INIT	:= $(GUEST)/init
HOSTCC	?= gcc
CROSS_CC := aarch64-linux-gnu-gcc

.PHONY: all check deps base tree series export prepare-kernel-tree kernel \
	selftests guest-tests kernel-and-tests verdict stock upstream \
	cross-checks debug fault-tests gates mutants regression harness-tests \
	bench outgoing clean

all: deps
	@rm -rf $(LOGS)/runs $(B)/counts
	@$(MAKE) -s --no-print-directory run-suspend
	@$(MAKE) -s --no-print-directory verdict

check: deps
	@rm -rf $(LOGS)/runs $(B)/counts
	@$(STAGE) "harness tests" sh tests/run.sh
	@$(MAKE) -s --no-print-directory run-all
	@$(MAKE) -s --no-print-directory fault-tests
	@$(MAKE) -s --no-print-directory cross-checks
	@$(MAKE) -s --no-print-directory debug
	@$(MAKE) -s --no-print-directory regression
	@$(MAKE) -s --no-print-directory verdict

deps:
	@sh scripts/deps.sh

base: deps
	@$(STAGE) base sh scripts/base.sh $(TREE)

series: base
	@$(STAGE) series sh scripts/series.sh $(TREE)

tree: series
	@echo "tree: $(TREE), branch series on tag base; edit, commit, then 'make export'"

export:
	@sh scripts/export.sh $(TREE)

# A copy of series/ for git send-email, in build/outgoing: signed off by
# git's configured user, addressed with get_maintainer.pl.
outgoing: base
	@sh scripts/outgoing.sh $(TREE)

# The tree under test, made from base/ and series/ unless KERNEL says otherwise.
prepare-kernel-tree:
	@if [ "$(KERNEL)" = "$(TREE)" ]; then $(MAKE) -s --no-print-directory series; fi

kernel: prepare-kernel-tree
	@$(STAGE) "kernel $(NAME)" sh scripts/kernel.sh $(KERNEL) $(OBJ) $(CONFIGS)

# The KVM selftests of a tree, against its own uapi headers: all of them,
# or the programs SELFTEST_PROGS names.
selftests: kernel
	@$(STAGE) "selftests $(NAME)" sh scripts/selftests.sh $(KERNEL) $(OBJ) $(SELFTEST_PROGS)

# The project's own guest tests, on the series' selftest library.
guest-tests: selftests
	@$(STAGE) "guest tests" $(MAKE) -s --no-print-directory -C guest/tests \
		SRC=$(abspath $(TREE)) OBJ=$(abspath $(B)/obj/series) \
		OUT=$(abspath $(SELFTESTS))/harness

# The kernel under test and the series' tests, each built once.
ifeq ($(NAME),series)
kernel-and-tests: guest-tests
else
kernel-and-tests: kernel
	@$(MAKE) -s --no-print-directory KERNEL=$(TREE) NAME=series \
		CONFIGS=configs/kvm-test.config guest-tests
endif

$(INIT): guest/init.c
	@mkdir -p $(@D)
	$(CROSS_CC) -static -O2 -Wall -Wextra -Werror -o $@ $<

$(VERDICT): scripts/verdict.c
	@mkdir -p $(@D)
	$(HOSTCC) -O2 -Wall -Wextra -Werror -o $@ $<

# run-SET: boot the kernel under test with the tests of SET (a flag of
# guest/tests.list, or "all") in every mode.
run-%: kernel-and-tests $(INIT)
	@mkdir -p $(LOGS)
	@$(STAGE) "guest $* $(NAME)" sh scripts/initramfs.sh $(GUEST)/$(NAME)-$*.cpio \
		$(OBJ) $(INIT) $(LIST) $* $(SELFTESTS)
	@sh scripts/run.sh $(NAME) $(call IMAGE,$(OBJ)) $(GUEST)/$(NAME)-$*.cpio \
		$(GUEST)/$(NAME)-$*.cpio.d/tests.list $(LOGS) $(MODES) 3>>$(LOGS)/runs

verdict: $(VERDICT)
	@$(VERDICT) -l $(LIST) -x $(XFAIL) \
		$$(for f in $(B)/counts/*; do [ -f $$f ] && echo "-e $${f##*/}:$$(cat $$f)"; done) \
		$$(cat $(LOGS)/runs)

# The unmodified Debian tree, upstream's implementation of the same ABI,
# checked out from the import commit of build/linux.
stock: base
	@if [ ! -d $(STOCK) ]; then \
		$(STAGE) "stock tree" git -C $(TREE) worktree add -q --detach \
			$(abspath $(STOCK)) stock; fi

upstream: stock
	@rm -rf $(LOGS)/runs $(B)/counts
	@$(MAKE) -s --no-print-directory KERNEL=$(STOCK) run-suspend
	@$(MAKE) -s --no-print-directory verdict

# Our tests on upstream's kernel, and upstream's psci_test on ours. The
# unmodified tree cannot build all its KVM selftests (base/ fixes that):
# take only its psci_test.
cross-checks: stock
	@$(MAKE) -s --no-print-directory KERNEL=$(STOCK) run-suspend
	@$(MAKE) -s --no-print-directory KERNEL=$(STOCK) \
		SELFTEST_PROGS=aarch64/psci_test selftests
	@mkdir -p $(LOGS)
	@$(STAGE) "guest upstream psci_test" sh scripts/initramfs.sh \
		$(GUEST)/upstream-psci.cpio $(B)/obj/series $(INIT) \
		guest/upstream.list all $(B)/obj/stock/kselftest/kvm
	@sh scripts/run.sh upstream-psci $(call IMAGE,$(B)/obj/series) \
		$(GUEST)/upstream-psci.cpio $(GUEST)/upstream-psci.cpio.d/tests.list \
		$(LOGS) $(MODES) 3>>$(LOGS)/runs

# The series on a kernel with lockdep, atomic-sleep, list, UBSAN and KASAN
# checks: the SYSTEM_SUSPEND tests, the fuzzer and the stress test.
debug:
	@$(MAKE) -s --no-print-directory NAME=debug \
		CONFIGS="configs/kvm-test.config configs/debug.config" run-suspend

# The harness under faults, on the real test kernel.
fault-tests: guest-tests $(INIT) $(VERDICT)
	@$(STAGE) "fault tests" sh tests/faults.sh $(OBJ) $(INIT) $(SELFTESTS)/harness

# The maintainer's gates (scripts/gates.sh), in build/gates/tree; they also
# build the base without the series for the regression run.
gates: $(INIT) stock guest-tests
	@$(STAGE) gates sh scripts/gates.sh $(INIT)

# The mutation gate alone (scripts/mutants.sh; MODE=vhe and so on).
mutants: guest-tests $(INIT)
	@$(STAGE) mutants sh scripts/mutants.sh $(INIT)

# The whole list on the base too (but the project's own tests, which need
# the series' headers), shown next to the series' columns; no test may do
# worse with the series.
regression: gates
	@mkdir -p $(LOGS)
	@REFERENCE=1 sh scripts/run.sh base $(B)/gates/base/Image \
		$(B)/gates/base/all.cpio $(B)/gates/base/all.cpio.d/tests.list \
		$(LOGS) $(MODES) 3>>$(LOGS)/runs
	@for m in $(MODES); do echo "-R series/$$m:base/$$m"; done >>$(LOGS)/runs

harness-tests: $(VERDICT)
	@sh tests/run.sh

bench:
	@sh scripts/bench.sh

clean:
	@if [ -d $(TREE) ] && sh -c '. scripts/lib.sh; tree_has_local_work $(TREE) $(TREE)/.git/harness-series'; then \
		echo "clean: $(TREE) holds uncommitted or unexported work; not removing build/" >&2; exit 1; fi
	rm -rf $(B)
