# mrm build. `make` builds ./build/mrm and ./build/libmrm.a; `make check`
# installs dependencies, builds with AddressSanitizer + UBSan into
# ./build-san and runs every test; `make demo` runs the end-to-end demo.
# O=DIR puts the build elsewhere; SAN=1 selects the sanitizer flags.

CC      ?= cc
O       ?= build
PREFIX  ?= /usr/local
PKGS    := sqlite3 jansson yaml-0.1 libcrypto zlib libcurl
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)

WARN    := -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
           -Wno-missing-field-initializers -Wno-format-truncation
ifeq ($(SAN),1)
OPT     := -O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
else
OPT     := -O2 -g
endif
CPPFLAGS := -Iinclude -Ilib -I. -D_DEFAULT_SOURCE -D_POSIX_C_SOURCE=200809L -include lib/common/banned.h
CFLAGS  := -std=c11 $(WARN) $(OPT) $(PKG_CFLAGS) $(EXTRA_CFLAGS)
LDFLAGS := $(OPT)
LIBS    := $(PKG_LIBS) -lpthread -lm

LIB_SRC := $(sort $(wildcard lib/common/*.c lib/table/*.c lib/stats/*.c lib/validate/*.c lib/monitor/*.c lib/report/*.c lib/store/*.c lib/core/*.c lib/policy/*.c lib/redteam/*.c))
CLI_SRC := $(sort $(wildcard cli/*.c))
GEN_SRC := $(O)/gen/migrations-sqlite.c $(O)/gen/policy-data.c $(O)/gen/redteam-packs.c
MIGRATIONS := $(sort $(wildcard lib/store/migrations/sqlite/*.sql))
# The control catalogue and the default policy, built into the binary.
POLICY_DATA := policy/controls.yaml policy/default.yaml
# The built-in red-team probe packs.
RT_PACKS := $(sort $(wildcard redteam/packs/*.yaml))

LIB_OBJ := $(LIB_SRC:%.c=$(O)/obj/%.o) $(O)/obj/gen/migrations-sqlite.o $(O)/obj/gen/policy-data.o \
           $(O)/obj/gen/redteam-packs.o
CLI_OBJ := $(CLI_SRC:%.c=$(O)/obj/%.o)

UNIT_SRC := $(sort $(wildcard tests/unit/test-*.c))
UNIT_BIN := $(UNIT_SRC:tests/unit/%.c=$(O)/tests/%)
TOOL_SRC := $(sort $(wildcard tests/tools/*.c bench/*.c))
TOOL_BIN := $(TOOL_SRC:%.c=$(O)/%)

.PHONY: all lib tests check demo bench install clean deps fmt

all: $(O)/mrm

lib: $(O)/libmrm.a

$(O)/libmrm.a: $(LIB_OBJ)
	@mkdir -p $(@D)
	rm -f $@
	ar rcs $@ $^

$(O)/mrm: $(CLI_OBJ) $(O)/libmrm.a
	$(CC) $(LDFLAGS) -o $@ $(CLI_OBJ) $(O)/libmrm.a $(LIBS)

$(O)/obj/%.o: %.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) -MMD -MP -c -o $@ $<

$(O)/gen/migrations-sqlite.c: $(MIGRATIONS) scripts/embed-migrations
	@mkdir -p $(@D)
	sh scripts/embed-migrations sqlite lib/store/migrations/sqlite > $@.tmp && mv $@.tmp $@

$(O)/gen/policy-data.c: $(POLICY_DATA) scripts/embed-text
	@mkdir -p $(@D)
	sh scripts/embed-text mrm__policy_controls_yaml=policy/controls.yaml \
		mrm__policy_default_yaml=policy/default.yaml > $@.tmp && mv $@.tmp $@

$(O)/gen/redteam-packs.c: $(RT_PACKS) scripts/embed-text scripts/embed-packs
	@mkdir -p $(@D)
	sh scripts/embed-packs $(RT_PACKS) > $@.tmp && mv $@.tmp $@

$(O)/obj/gen/%.o: $(O)/gen/%.c
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

$(O)/tests/%: tests/unit/%.c $(O)/libmrm.a
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(shell pkg-config --cflags cmocka) -o $@ $< $(O)/libmrm.a \
		$(LIBS) $(shell pkg-config --libs cmocka)

$(O)/tests/tools/%: tests/tools/%.c $(O)/libmrm.a
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) -o $@ $< $(O)/libmrm.a $(LIBS)

$(O)/bench/%: bench/%.c $(O)/libmrm.a
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) -o $@ $< $(O)/libmrm.a $(LIBS)

tests: $(O)/mrm $(UNIT_BIN) $(TOOL_BIN)

deps:
	sh scripts/install-deps

# The full suite under AddressSanitizer + UndefinedBehaviorSanitizer.
check: deps
	$(MAKE) O=build-san SAN=1 tests
	sh tests/run build-san

demo: deps
	$(MAKE) O=build all build/tests/tools/llm-server
	sh scripts/demo

bench:
	sh scripts/install-deps bench
	$(MAKE) O=build all tests
	sh bench/run build
	sh bench/validate-bench.sh build
	sh bench/drift-bench.sh build

install: $(O)/mrm $(O)/libmrm.a
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/lib $(DESTDIR)$(PREFIX)/include/mrm
	install -m 755 $(O)/mrm $(DESTDIR)$(PREFIX)/bin/mrm
	install -m 644 $(O)/libmrm.a $(DESTDIR)$(PREFIX)/lib/libmrm.a
	install -m 644 include/mrm/*.h $(DESTDIR)$(PREFIX)/include/mrm/

fmt:
	clang-format -i $(LIB_SRC) $(CLI_SRC) include/mrm/*.h lib/*/*.h cli/*.h

clean:
	rm -rf build build-san

-include $(shell find $(O)/obj -name '*.d' 2>/dev/null)
