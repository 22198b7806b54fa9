# hksearch: GNU make, one top-level Makefile, out-of-tree build/.
#   make            libhks.a, libhks.so, hkindex, hksearch
#   make demo       install what is missing, build, index corpus/, search
#   make test       unit, golden, CLI and install tests
#   make SANITIZE=address,undefined test    the same under sanitizers (build-san/)
VERSION    := 0.1.0
# ABI major: bump on any binary-incompatible change. (No trailing comments on
# assignment lines: make keeps the spaces before '#' in the value.)
SOVERSION  := 0
prefix     ?= /usr/local
libdir     ?= $(prefix)/lib
includedir ?= $(prefix)/include
bindir     ?= $(prefix)/bin
pkgconfigdir ?= $(libdir)/pkgconfig
BUILD      ?= build
WARN       := -Wall -Wextra -Wpedantic -Wshadow -Wstrict-prototypes \
              -Wmissing-prototypes -Wvla -Wformat=2
CFLAGS     ?= -O2 -g
PKGS       := libutf8proc libzstd libxxhash
DEP_CFLAGS  = $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
DEP_LIBS    = $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lm
HKS_CFLAGS  = -std=c11 -D_GNU_SOURCE $(WARN) -fPIC -fvisibility=hidden \
              -Iinclude -Icommon $(DEP_CFLAGS) $(CFLAGS)
ifdef SANITIZE
  BUILD      := build-san
  HKS_CFLAGS += -fsanitize=$(SANITIZE) -fno-sanitize-recover=all -fno-omit-frame-pointer -O1
  LDFLAGS    += -fsanitize=$(SANITIZE)
endif

LIB_SRC   := $(wildcard common/*.c) \
             $(filter-out indexer/hkindex.c,$(wildcard indexer/*.c)) \
             $(filter-out searcher/hksearch.c,$(wildcard searcher/*.c))
LIB_OBJ   := $(LIB_SRC:%.c=$(BUILD)/obj/%.o)
UNIT_SRC  := $(wildcard tests/unit/test_*.c)
UNIT_BIN  := $(UNIT_SRC:tests/unit/%.c=$(BUILD)/tests/%)
TOOL_SRC  := $(wildcard tests/tools/*.c)
TOOL_BIN  := $(TOOL_SRC:tests/tools/%.c=$(BUILD)/tools/%)
HELPER_SRC := $(wildcard tests/helpers/*.c)
HELPER_OBJ := $(HELPER_SRC:%.c=$(BUILD)/obj/%.o)
LIB_A     := $(BUILD)/libhks.a
LIB_SO    := $(BUILD)/libhks.so.$(VERSION)
PROGS     := $(BUILD)/hkindex $(BUILD)/hksearch

.PHONY: all deps demo test unit golden golden-update cli-test install-test \
        bench install uninstall check-abi clean lint format valgrind
.DELETE_ON_ERROR:

all: $(LIB_A) $(LIB_SO) $(PROGS)

deps:
	@sh scripts/install-deps.sh

$(BUILD)/obj/%.o: %.c include/hks.h common/hks_int.h $(wildcard common/*.h searcher/*.h indexer/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(HKS_CFLAGS) -c $< -o $@

$(LIB_A): $(LIB_OBJ)
	@rm -f $@
	$(AR) rcs $@ $^

$(LIB_SO): $(LIB_OBJ)
	$(CC) -shared -Wl,-soname,libhks.so.$(SOVERSION) $(LDFLAGS) -o $@ $^ $(DEP_LIBS)
	ln -sf libhks.so.$(VERSION) $(BUILD)/libhks.so.$(SOVERSION)
	ln -sf libhks.so.$(SOVERSION) $(BUILD)/libhks.so

# The CLIs link the static library so they run from build/ without an
# installed libhks; they include only hks.h.
$(BUILD)/hkindex: indexer/hkindex.c $(LIB_A)
	$(CC) $(HKS_CFLAGS) $(LDFLAGS) -o $@ $< $(LIB_A) $(DEP_LIBS)
$(BUILD)/hksearch: searcher/hksearch.c $(LIB_A)
	$(CC) $(HKS_CFLAGS) $(LDFLAGS) -o $@ $< $(LIB_A) $(DEP_LIBS)

$(BUILD)/tests/%: tests/unit/%.c $(HELPER_OBJ) $(LIB_A)
	@mkdir -p $(dir $@)
	$(CC) $(HKS_CFLAGS) -Itests/helpers $(LDFLAGS) -o $@ $< $(HELPER_OBJ) $(LIB_A) \
	    $(DEP_LIBS) $(shell pkg-config --libs cmocka)
$(BUILD)/tools/%: tests/tools/%.c $(LIB_A)
	@mkdir -p $(dir $@)
	$(CC) $(HKS_CFLAGS) -Itests/helpers $(LDFLAGS) -o $@ $< $(LIB_A) $(DEP_LIBS)

# ---- tests -------------------------------------------------------------
test: deps
	@$(MAKE) --no-print-directory unit golden cli-test install-test
	@echo "make test: all passed"

unit: $(UNIT_BIN) $(TOOL_BIN) $(PROGS)
	@set -e; for t in $(UNIT_BIN); do \
	    echo "== $$t"; HKS_BUILD=$(BUILD) $$t; done

golden: $(BUILD)/tools/tokdump
	@sh tests/golden/run.sh $(BUILD)/tools/tokdump

golden-update: $(BUILD)/tools/tokdump
	@sh tests/golden/run.sh $(BUILD)/tools/tokdump --update

cli-test: $(PROGS)
	@sh tests/cli/run.sh $(BUILD)

# Installs into a temporary prefix, then builds and runs examples/ against
# the installed copy through pkg-config, as an embedding program would.
install-test: all
	@sh tests/install/run.sh "$(MAKE)"

valgrind: $(UNIT_BIN)
	@set -e; for t in $(UNIT_BIN); do \
	    HKS_BUILD=$(BUILD) valgrind -q --error-exitcode=1 --leak-check=full $$t; done

bench: deps all $(TOOL_BIN)
	@sh scripts/bench.sh $(BUILD)

demo: deps all
	@rm -rf demo-index
	$(BUILD)/hkindex build -i demo-index corpus/ corpus/dxy_covid_news.docs.jsonl.zst
	$(BUILD)/hksearch -i demo-index "疫苗接种"

# ---- install -----------------------------------------------------------
$(BUILD)/hks.pc:
	@mkdir -p $(BUILD)
	@printf '%s\n' 'prefix=$(prefix)' 'libdir=$(libdir)' 'includedir=$(includedir)' '' \
	  'Name: hks' 'Description: Full-text search for Chinese news (bigram index, BM25)' \
	  'Version: $(VERSION)' 'Requires.private: $(PKGS)' 'Libs: -L$${libdir} -lhks' \
	  'Libs.private: -lm' 'Cflags: -I$${includedir}' > $@
.PHONY: $(BUILD)/hks.pc

install: all $(BUILD)/hks.pc
	install -d $(DESTDIR)$(libdir) $(DESTDIR)$(includedir) $(DESTDIR)$(bindir) $(DESTDIR)$(pkgconfigdir)
	install -m 644 include/hks.h $(DESTDIR)$(includedir)/hks.h
	install -m 644 $(LIB_A) $(DESTDIR)$(libdir)/libhks.a
	install -m 755 $(LIB_SO) $(DESTDIR)$(libdir)/libhks.so.$(VERSION)
	ln -sf libhks.so.$(VERSION) $(DESTDIR)$(libdir)/libhks.so.$(SOVERSION)
	ln -sf libhks.so.$(SOVERSION) $(DESTDIR)$(libdir)/libhks.so
	install -m 755 $(PROGS) $(DESTDIR)$(bindir)/
	install -m 644 $(BUILD)/hks.pc $(DESTDIR)$(pkgconfigdir)/hks.pc

uninstall:
	rm -f $(DESTDIR)$(includedir)/hks.h $(DESTDIR)$(libdir)/libhks.* \
	      $(DESTDIR)$(bindir)/hkindex $(DESTDIR)$(bindir)/hksearch \
	      $(DESTDIR)$(pkgconfigdir)/hks.pc

# Only hks_* symbols may leave the shared library.
check-abi: $(LIB_SO)
	@bad=$$(nm -D --defined-only $(LIB_SO) | awk '{print $$3}' | grep -v '^hks_' || true); \
	if [ -n "$$bad" ]; then echo "check-abi: exported non-API symbols: $$bad"; exit 1; fi; \
	echo "check-abi: ok"

lint:
	@! grep -nE '\b(malloc|calloc|realloc|free)\(' common/*.c indexer/*.c searcher/*.c \
	    | grep -v '^common/alloc.c' || { echo "lint: raw allocation outside common/alloc.c"; exit 1; }
	cppcheck --quiet --error-exitcode=1 --enable=warning,portability \
	    --inline-suppr -Iinclude -Icommon common indexer searcher

format:
	clang-format -i include/*.h common/*.[ch] indexer/*.c searcher/*.[ch]

clean:
	rm -rf build build-san demo-index
