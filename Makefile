# SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
#
# caudit build. Every output goes to build/.
#   make          install missing packages, build everything
#   make run      ... and run cauditd in the foreground with etc/cauditd.conf
#   make test     ... and run every test (unit, fuzz smoke, root integration)
#   make bench    ... and print the benchmark tables
#   make bench-vs-auditd  ... and compare with Linux audit (installs auditd; root)
#   make vmlinux  regenerate vmlinux/vmlinux.h from the running kernel
#
# Layout convention (no file lists to maintain):
#   bpf/*.bpf.c              kernel side, linked into one object and one skeleton
#   user/common/*.c          shared library: pure modules + small helpers
#   user/cauditd/*.c         the agent
#   user/caudit/*.c          the command line
#   user/natsconn/*.c        NATS connection options (servers, credentials, TLS), linked
#                            into both programs below
#   user/forward/*.c         caudit-forward (nats.c publishes: its only other libnats file;
#                            syslog_tls.c is its only OpenSSL file)
#   user/collector/*.c       caudit-collector (nats.c consumes: its only other libnats file); both
#                            link the agent's store (user/cauditd/store*.c)
#   tests/tools/*.c          test helper programs, one each, linking the agent's store
#   tests/unit/test_*.c      one cmocka binary each, links common (ASan+UBSan)
#   tests/integration/test_*.c  one root cmocka binary each, + harness
#   tests/fuzz/fuzz_*.c      one libFuzzer binary each
#   bench/*.c                benchmark programs

BUILD     ?= build
CC        ?= gcc
CLANG     ?= clang
BPFTOOL   ?= bpftool
PREFIX    ?= /usr/local
Q         := @

ARCH      := x86
VERSION   := 0.1.0

WARN      := -Wall -Wextra -Werror -Wshadow -Wno-unused-parameter -Wformat=2 -Wvla
CFLAGS    ?= -O2 -g
CFLAGS    += $(WARN) -std=gnu11 -D_GNU_SOURCE -DCAUDIT_VERSION=\"$(VERSION)\" \
             -Iinclude -Iuser/common -I$(BUILD) -fPIE -fstack-protector-strong \
             -D_FORTIFY_SOURCE=2 -fno-strict-aliasing
LDFLAGS   += -pie -Wl,-z,relro,-z,now
SAN       := -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all

LIBS_COMMON := -ljson-c -lsodium -lz
LIBS_AGENT  := -lbpf -lelf -lz -lsodium -lsystemd
LIBS_TEST   := -lcmocka -ljson-c -lsodium -lz
LIBS_NATS   := -lnats
LIBS_TLS    := -lssl -lcrypto

BPF_CFLAGS := -g -O2 -target bpf -mcpu=v3 -D__TARGET_ARCH_$(ARCH) -D__BPF__ \
              -Wall -Wextra -Werror -Wno-unused-parameter -Wno-unused-function \
              -Iinclude -Ivmlinux -Ibpf

BPF_SRCS    := $(wildcard bpf/*.bpf.c)
BPF_OBJS    := $(patsubst bpf/%.bpf.c,$(BUILD)/bpf/%.bpf.o,$(BPF_SRCS))
BPF_HDRS    := $(wildcard bpf/*.h) $(wildcard include/*.h)

COMMON_SRCS := $(wildcard user/common/*.c)
COMMON_HDRS := $(wildcard user/common/*.h) $(wildcard include/*.h)
COMMON_OBJS := $(patsubst user/common/%.c,$(BUILD)/obj/common/%.o,$(COMMON_SRCS))
COMMON_SAN  := $(patsubst user/common/%.c,$(BUILD)/obj/common-san/%.o,$(COMMON_SRCS))

AGENT_SRCS  := $(wildcard user/cauditd/*.c)
AGENT_OBJS  := $(patsubst user/cauditd/%.c,$(BUILD)/obj/cauditd/%.o,$(AGENT_SRCS))
CLI_SRCS    := $(wildcard user/caudit/*.c)
CLI_OBJS    := $(patsubst user/caudit/%.c,$(BUILD)/obj/caudit/%.o,$(CLI_SRCS))
FWD_SRCS    := $(wildcard user/forward/*.c)
FWD_OBJS    := $(patsubst user/forward/%.c,$(BUILD)/obj/forward/%.o,$(FWD_SRCS))
COLL_SRCS   := $(wildcard user/collector/*.c)
COLL_OBJS   := $(patsubst user/collector/%.c,$(BUILD)/obj/collector/%.o,$(COLL_SRCS))
NATSC_SRCS  := $(wildcard user/natsconn/*.c)
NATSC_OBJS  := $(patsubst user/natsconn/%.c,$(BUILD)/obj/natsconn/%.o,$(NATSC_SRCS))
# the agent's store (and what it needs), for programs that write a signed log
STORE_OBJS  := $(patsubst user/cauditd/%.c,$(BUILD)/obj/cauditd/%.o,\
               $(wildcard user/cauditd/store*.c) user/cauditd/log.c user/cauditd/host.c)
TOOL_SRCS   := $(wildcard tests/tools/*.c)
TOOL_BINS   := $(patsubst tests/tools/%.c,$(BUILD)/tests/tools/%,$(TOOL_SRCS))

UNIT_SRCS   := $(wildcard tests/unit/test_*.c)
UNIT_BINS   := $(patsubst tests/unit/%.c,$(BUILD)/tests/unit/%,$(UNIT_SRCS))
INTEG_SRCS  := $(wildcard tests/integration/test_*.c)
INTEG_BINS  := $(patsubst tests/integration/%.c,$(BUILD)/tests/integration/%,$(INTEG_SRCS))
INTEG_LIB   := $(filter-out $(INTEG_SRCS),$(wildcard tests/integration/*.c))
FUZZ_SRCS   := $(wildcard tests/fuzz/fuzz_*.c)
FUZZ_BINS   := $(patsubst tests/fuzz/%.c,$(BUILD)/tests/fuzz/%,$(FUZZ_SRCS))
BENCH_SRCS  := $(wildcard bench/*.c)
BENCH_BINS  := $(patsubst bench/%.c,$(BUILD)/bench/%,$(BENCH_SRCS))

.PHONY: all deps binaries tests run test bench bench-vs-auditd vmlinux clean install format
.DEFAULT_GOAL := all

# Targets a newcomer types install what is missing first, then build in a
# second make so that nothing is evaluated before the packages exist.
all: deps
	$(Q)$(MAKE) --no-print-directory binaries

deps:
	$(Q)sh .ci/install-deps

binaries: $(BUILD)/cauditd $(if $(CLI_SRCS),$(BUILD)/caudit) $(BUILD)/caudit-forward \
	  $(BUILD)/caudit-collector

tests: binaries $(UNIT_BINS) $(INTEG_BINS) $(FUZZ_BINS) $(TOOL_BINS)

run: deps
	$(Q)$(MAKE) --no-print-directory binaries
	$(BUILD)/cauditd -c etc/cauditd.conf --rules etc/rules.d --foreground

test: deps
	$(Q)$(MAKE) --no-print-directory tests
	$(Q)sh tests/run-tests.sh $(BUILD)

bench: deps
	$(Q)$(MAKE) --no-print-directory binaries $(BENCH_BINS) $(TOOL_BINS)
	$(Q)sh bench/run-bench.sh $(BUILD)
	$(Q)sh bench/forward-bench.sh $(BUILD)

# Not part of make test: it starts Debian's auditd and switches the kernel's
# audit subsystem on (restored at the end, see the script).
bench-vs-auditd: deps
	$(Q)sh .ci/install-deps auditd
	$(Q)$(MAKE) --no-print-directory binaries $(BUILD)/bench/opcost $(BUILD)/bench/logcheck
	$(Q)sh bench/bench-vs-auditd.sh $(BUILD)

vmlinux:
	$(BPFTOOL) btf dump file /sys/kernel/btf/vmlinux format c > vmlinux/vmlinux.h

# ---- BPF: one object per concern, statically linked, one skeleton ----
$(BUILD)/bpf/%.bpf.o: bpf/%.bpf.c $(BPF_HDRS) vmlinux/vmlinux.h
	$(Q)mkdir -p $(@D)
	$(Q)echo "  BPF     $<"
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@
	$(Q)llvm-strip -g $@ 2>/dev/null || true

$(BUILD)/caudit.bpf.o: $(BPF_OBJS)
	$(Q)echo "  LINK    $@"
	$(Q)$(BPFTOOL) gen object $@ $^

$(BUILD)/caudit.skel.h: $(BUILD)/caudit.bpf.o
	$(Q)echo "  SKEL    $@"
	$(Q)$(BPFTOOL) gen skeleton $< name caudit_bpf > $@

# ---- user space ----
$(BUILD)/obj/common/%.o: user/common/%.c $(COMMON_HDRS)
	$(Q)mkdir -p $(@D)
	$(Q)echo "  CC      $<"
	$(Q)$(CC) $(CFLAGS) -c $< -o $@

$(BUILD)/obj/common-san/%.o: user/common/%.c $(COMMON_HDRS)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) $(SAN) -O1 -c $< -o $@

$(BUILD)/libcaudit.a: $(COMMON_OBJS)
	$(Q)$(AR) rcs $@ $^

$(BUILD)/libcaudit-san.a: $(COMMON_SAN)
	$(Q)$(AR) rcs $@ $^

$(BUILD)/obj/cauditd/%.o: user/cauditd/%.c $(COMMON_HDRS) $(wildcard user/cauditd/*.h) $(BUILD)/caudit.skel.h
	$(Q)mkdir -p $(@D)
	$(Q)echo "  CC      $<"
	$(Q)$(CC) $(CFLAGS) -Iuser/cauditd -c $< -o $@

$(BUILD)/cauditd: $(AGENT_OBJS) $(BUILD)/libcaudit.a
	$(Q)echo "  LD      $@"
	$(Q)$(CC) $(LDFLAGS) $^ $(LIBS_AGENT) $(LIBS_COMMON) -o $@

$(BUILD)/obj/caudit/%.o: user/caudit/%.c $(COMMON_HDRS) $(wildcard user/caudit/*.h)
	$(Q)mkdir -p $(@D)
	$(Q)echo "  CC      $<"
	$(Q)$(CC) $(CFLAGS) -Iuser/caudit -c $< -o $@

$(BUILD)/caudit: $(CLI_OBJS) $(BUILD)/libcaudit.a
	$(Q)echo "  LD      $@"
	$(Q)$(CC) $(LDFLAGS) $^ $(LIBS_COMMON) -o $@

$(BUILD)/obj/forward/%.o: user/forward/%.c $(COMMON_HDRS) $(wildcard user/forward/*.h) \
			 user/natsconn/natsconn.h
	$(Q)mkdir -p $(@D)
	$(Q)echo "  CC      $<"
	$(Q)$(CC) $(CFLAGS) -Iuser/forward -Iuser/cauditd -Iuser/natsconn -c $< -o $@

$(BUILD)/obj/natsconn/%.o: user/natsconn/%.c $(COMMON_HDRS) user/natsconn/natsconn.h
	$(Q)mkdir -p $(@D)
	$(Q)echo "  CC      $<"
	$(Q)$(CC) $(CFLAGS) -Iuser/natsconn -c $< -o $@

$(BUILD)/caudit-forward: $(FWD_OBJS) $(NATSC_OBJS) $(BUILD)/obj/cauditd/log.o $(BUILD)/libcaudit.a
	$(Q)echo "  LD      $@"
	$(Q)$(CC) $(LDFLAGS) $^ $(LIBS_NATS) $(LIBS_TLS) $(LIBS_COMMON) -o $@

$(BUILD)/obj/collector/%.o: user/collector/%.c $(COMMON_HDRS) $(wildcard user/collector/*.h) \
			   $(wildcard user/cauditd/*.h) user/natsconn/natsconn.h
	$(Q)mkdir -p $(@D)
	$(Q)echo "  CC      $<"
	$(Q)$(CC) $(CFLAGS) -Iuser/collector -Iuser/cauditd -Iuser/natsconn -c $< -o $@

$(BUILD)/caudit-collector: $(COLL_OBJS) $(NATSC_OBJS) $(STORE_OBJS) $(BUILD)/libcaudit.a
	$(Q)echo "  LD      $@"
	$(Q)$(CC) $(LDFLAGS) $^ $(LIBS_NATS) $(LIBS_COMMON) -o $@

# ---- tests ----
$(BUILD)/tests/tools/%: tests/tools/%.c $(STORE_OBJS) $(BUILD)/libcaudit.a
	$(Q)mkdir -p $(@D)
	$(Q)echo "  TOOL    $<"
	$(Q)$(CC) $(CFLAGS) -Iuser/cauditd $^ $(LIBS_COMMON) -o $@

$(BUILD)/tests/unit/%: tests/unit/%.c $(BUILD)/libcaudit-san.a $(COMMON_HDRS) $(wildcard tests/unit/*.h)
	$(Q)mkdir -p $(@D)
	$(Q)echo "  TEST    $<"
	$(Q)$(CC) $(CFLAGS) $(SAN) -O1 -Itests/unit $< $(BUILD)/libcaudit-san.a $(LIBS_TEST) -o $@

$(BUILD)/tests/integration/%: tests/integration/%.c $(INTEG_LIB) $(wildcard tests/integration/*.h) $(BUILD)/libcaudit.a
	$(Q)mkdir -p $(@D)
	$(Q)echo "  TEST    $<"
	$(Q)$(CC) $(CFLAGS) -Itests/integration $< $(INTEG_LIB) $(BUILD)/libcaudit.a \
		$(LIBS_TEST) -lbpf -luring -o $@

$(BUILD)/tests/fuzz/%: tests/fuzz/%.c $(COMMON_SRCS) $(COMMON_HDRS)
	$(Q)mkdir -p $(@D)
	$(Q)echo "  FUZZ    $<"
	$(Q)$(CLANG) -g -O1 -std=gnu11 -D_GNU_SOURCE -DCAUDIT_VERSION=\"$(VERSION)\" -Iinclude \
		-Iuser/common -fsanitize=fuzzer,address,undefined $< $(COMMON_SRCS) \
		$(LIBS_COMMON) -o $@

$(BUILD)/bench/%: bench/%.c $(BUILD)/libcaudit.a
	$(Q)mkdir -p $(@D)
	$(Q)echo "  BENCH   $<"
	$(Q)$(CC) $(CFLAGS) -Ibench $< $(BUILD)/libcaudit.a $(LIBS_COMMON) -lbpf -luring -lm -o $@

# make install [PREFIX=/usr/local] [DESTDIR=]: binaries, the systemd units,
# tmpfiles.d and sysusers.d entries, the default config and rules. An
# existing /etc/caudit/cauditd.conf is kept (the new one goes next to it).
SBINDIR     ?= $(PREFIX)/sbin
BINDIR      ?= $(PREFIX)/bin
UNITDIR     ?= $(PREFIX)/lib/systemd/system
TMPFILESDIR ?= $(PREFIX)/lib/tmpfiles.d
SYSUSERSDIR ?= $(PREFIX)/lib/sysusers.d
DOCDIR      ?= $(PREFIX)/share/doc/caudit
SYSCONFDIR  ?= /etc

install: binaries
	install -d $(DESTDIR)$(SBINDIR) $(DESTDIR)$(BINDIR) $(DESTDIR)$(UNITDIR) \
		$(DESTDIR)$(TMPFILESDIR) $(DESTDIR)$(SYSUSERSDIR) $(DESTDIR)$(DOCDIR)
	install -d -m 0750 $(DESTDIR)$(SYSCONFDIR)/caudit $(DESTDIR)$(SYSCONFDIR)/caudit/rules.d
	install -m 0755 $(BUILD)/cauditd $(DESTDIR)$(SBINDIR)/cauditd
	$(if $(CLI_SRCS),install -m 0755 $(BUILD)/caudit $(DESTDIR)$(BINDIR)/caudit)
	install -m 0755 $(BUILD)/caudit-forward $(DESTDIR)$(BINDIR)/caudit-forward
	install -m 0755 $(BUILD)/caudit-collector $(DESTDIR)$(BINDIR)/caudit-collector
	sed 's|@SBINDIR@|$(SBINDIR)|g' systemd/cauditd.service.in > $(BUILD)/cauditd.service
	install -m 0644 $(BUILD)/cauditd.service $(DESTDIR)$(UNITDIR)/cauditd.service
	sed 's|@BINDIR@|$(BINDIR)|g' systemd/caudit-forward.service.in > $(BUILD)/caudit-forward.service
	install -m 0644 $(BUILD)/caudit-forward.service $(DESTDIR)$(UNITDIR)/caudit-forward.service
	install -m 0644 systemd/caudit.tmpfiles $(DESTDIR)$(TMPFILESDIR)/caudit.conf
	install -m 0644 systemd/caudit.sysusers $(DESTDIR)$(SYSUSERSDIR)/caudit.conf
	if [ -e $(DESTDIR)$(SYSCONFDIR)/caudit/cauditd.conf ]; then \
		install -m 0640 etc/cauditd.conf $(DESTDIR)$(SYSCONFDIR)/caudit/cauditd.conf.new; \
	else \
		install -m 0640 etc/cauditd.conf $(DESTDIR)$(SYSCONFDIR)/caudit/cauditd.conf; \
	fi
	$(if $(wildcard etc/rules.d/*.rules),install -m 0640 $(wildcard etc/rules.d/*.rules) \
		$(DESTDIR)$(SYSCONFDIR)/caudit/rules.d/)
	install -m 0644 README.md $(wildcard docs/*.md) $(DESTDIR)$(DOCDIR)/

format:
	clang-format -i bpf/*.c bpf/*.h include/*.h user/*/*.c user/*/*.h tests/*/*.c

clean:
	rm -rf $(BUILD)
