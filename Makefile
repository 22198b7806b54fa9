# hksearch: GNU make, one top-level Makefile, out-of-tree build/.
#   make            libhks.a, libhks.so, hkindex, hksearch
#   make demo       install what is missing, build, index corpus/, search
#   make test       unit, golden, CLI and install tests
#   make SANITIZE=address,undefined test    the same under sanitizers (build-san/)
VERSION    := 0.1.0
# ABI major: bump on any binary-incompatible change. (No trailing comments on
# assignment lines: make keeps the spaces before '#' in the value.)
SOVERSION  := 2
# PREFIX (as in "make install PREFIX=/opt/hks") and prefix are the same.
PREFIX     ?= /usr/local
prefix     ?= $(PREFIX)
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
DEP_LIBS    = $(shell pkg-config --libs $(PKGS) 2>/dev/null) -lm -pthread
# Each folder sees only the headers of the layers below it, so the
# architecture is enforced by the compiler: common/ (text pipeline, tools)
# <- format/ (the index on disk) <- indexer/ (write side) and searcher/
# (read side), which never see each other; programs/ see hks.h alone.
HKS_CFLAGS  = -std=c11 -D_GNU_SOURCE $(WARN) -fPIC -fvisibility=hidden -pthread \
              $(DEP_CFLAGS) $(CFLAGS)
INC_common   := -Iinclude -Icommon
INC_format   := $(INC_common) -Iformat
INC_indexer  := $(INC_format) -Iindexer
INC_searcher := $(INC_format) -Isearcher
INC_programs := -Iinclude
INC_tests    := $(INC_format) -Iindexer -Isearcher
ifdef SANITIZE
  BUILD      := build-san
  HKS_CFLAGS += -fsanitize=$(SANITIZE) -fno-sanitize-recover=all -fno-omit-frame-pointer -O1
  LDFLAGS    += -fsanitize=$(SANITIZE)
endif

LIB_DIRS  := common format indexer searcher
LIB_SRC   := $(foreach d,$(LIB_DIRS),$(wildcard $(d)/*.c))
LIB_HDR   := include/hks.h $(foreach d,$(LIB_DIRS),$(wildcard $(d)/*.h))
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
SQLITE_EXT := $(BUILD)/hks_fts5.so
VENV      := $(BUILD)/venv

.PHONY: all deps demo test unit golden golden-update cli-test readme-test install-test \
        bench eval install uninstall check-abi clean lint format check-format valgrind \
        lib sqlite python embed-test sqlite-test python-test \
        pg-deps pg-test
.DELETE_ON_ERROR:

all: $(LIB_A) $(LIB_SO) $(PROGS)

deps:
	@sh scripts/install-deps.sh

$(BUILD)/obj/%.o: %.c $(LIB_HDR)
	@mkdir -p $(dir $@)
	$(CC) $(HKS_CFLAGS) $(INC_$(firstword $(subst /, ,$<))) -c $< -o $@

$(LIB_A): $(LIB_OBJ)
	@rm -f $@
	$(AR) rcs $@ $^

$(LIB_SO): $(LIB_OBJ)
	$(CC) -shared -Wl,-soname,libhks.so.$(SOVERSION) $(LDFLAGS) -o $@ $^ $(DEP_LIBS)
	ln -sf libhks.so.$(VERSION) $(BUILD)/libhks.so.$(SOVERSION)
	ln -sf libhks.so.$(SOVERSION) $(BUILD)/libhks.so

lib: $(LIB_A) $(LIB_SO)

# The SQLite extension (sqlite/README.md) carries libhks inside it; only its
# entry point is exported.
sqlite: $(SQLITE_EXT)
$(SQLITE_EXT): sqlite/hks_fts5.c include/hks.h $(LIB_A)
	$(CC) $(HKS_CFLAGS) $(INC_programs) -shared $(LDFLAGS) -Wl,--exclude-libs,ALL -o $@ $< \
	    $(LIB_A) $(DEP_LIBS)

# The Python package (python/README.md), installed the way the README says:
# into a venv that sees Debian's packages, with no build isolation.
python: $(VENV)/.installed
$(VENV)/.installed: $(LIB_SO) $(SQLITE_EXT) $(wildcard python/hksearch/*.py) python/setup.py python/pyproject.toml
	/usr/bin/python3 -m venv --system-site-packages $(VENV)
	$(VENV)/bin/pip install -q --no-build-isolation --no-index ./python
	@touch $@

# The CLIs link the static library so they run from build/ without an
# installed libhks; they are compiled with include/ alone (hks.h).
$(BUILD)/hkindex: programs/hkindex.c $(LIB_A)
	$(CC) $(HKS_CFLAGS) $(INC_programs) $(LDFLAGS) -o $@ $< $(LIB_A) $(DEP_LIBS)
$(BUILD)/hksearch: programs/hksearch.c $(LIB_A)
	$(CC) $(HKS_CFLAGS) $(INC_programs) $(LDFLAGS) -o $@ $< $(LIB_A) $(DEP_LIBS)

$(BUILD)/tests/%: tests/unit/%.c $(HELPER_OBJ) $(LIB_A)
	@mkdir -p $(dir $@)
	$(CC) $(HKS_CFLAGS) $(INC_tests) -Itests/helpers $(LDFLAGS) -o $@ $< $(HELPER_OBJ) $(LIB_A) \
	    $(DEP_LIBS) $(shell pkg-config --libs cmocka)
$(BUILD)/tools/%: tests/tools/%.c $(LIB_A)
	@mkdir -p $(dir $@)
	$(CC) $(HKS_CFLAGS) $(INC_tests) -Itests/helpers $(LDFLAGS) -o $@ $< $(LIB_A) $(DEP_LIBS)

# ---- tests -------------------------------------------------------------
test: deps pg-deps
	@$(MAKE) --no-print-directory unit golden cli-test readme-test install-test fuzz-replay \
	    embed-test pg-test
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

# The README's "Using it" block, run as written.
readme-test: $(PROGS)
	@sh tests/readme/run.sh $(BUILD)

# The Python package and the SQLite extension: pytest (Debian's) in the venv,
# and the extension from the sqlite3 shell. Under SANITIZE they are skipped:
# an instrumented library cannot be loaded into python3 or sqlite3.
ifdef SANITIZE
embed-test:
	@echo "embed-test: skipped under SANITIZE (python3 and sqlite3 are not instrumented)"
else
embed-test: sqlite-test python-test
endif
sqlite-test: $(SQLITE_EXT) python
	@sh sqlite/tests/shell.sh $(SQLITE_EXT)
	@$(VENV)/bin/python -m pytest -q -p no:cacheprovider sqlite/tests
python-test: python
	@$(VENV)/bin/python -m pytest -q -p no:cacheprovider python/tests

# Installs into a temporary prefix, then builds and runs examples/ against
# the installed copy through pkg-config, as an embedding program would.
install-test: all
	@sh tests/install/run.sh "$(MAKE)"

# The PostgreSQL extension (postgres/): built against libhks.a, installed,
# and tested with pg_regress on three servers of its own (postgres/tests/run.sh).
pg-deps:
	@sh scripts/install-deps.sh --pg

# A PostgreSQL backend cannot load a sanitized library: the extension always
# links the plain build/.
pg-test:
	@$(MAKE) --no-print-directory BUILD=build SANITIZE= all
	@sh postgres/tests/run.sh build

# ---- fuzzing (STYLE.md 2.9) --------------------------------------------
# tests/fuzz/fuzz_<target>.c each implement LLVMFuzzerTestOneInput.
#   make fuzz-replay   (part of `make test`) builds each target with gcc and
#                      the plain driver fuzz_main.c into $(BUILD)/fuzz-replay/
#                      and replays its committed corpus tests/fuzz/corpus/<target>/.
#   make fuzz FUZZ_TIME=N   installs clang + libFuzzer when missing, then
#                      clang -fsanitize=fuzzer,address,undefined builds
#                      (library compiled with clang too, into build-fuzz/obj/),
#                      each target run N seconds. The committed corpus is only
#                      read: new inputs go to build-fuzz/new/<target>/, crash
#                      reproducers to build-fuzz/. A reproducer is added to
#                      tests/fuzz/corpus/<target>/ by hand, once minimized
#                      (build-fuzz/<target> -minimize_crash=1 -runs=10000 FILE).
FUZZ_TARGETS := $(filter-out main,$(patsubst tests/fuzz/fuzz_%.c,%,$(wildcard tests/fuzz/fuzz_*.c)))
FUZZ_UTIL    := tests/fuzz/fuzzutil.c tests/fuzz/fuzzutil.h
FUZZ_TIME    ?= 60
FUZZ_CC      ?= clang
FUZZ_CFLAGS   = -std=c11 -D_GNU_SOURCE $(WARN) -g -O1 -fno-omit-frame-pointer \
                -fno-sanitize-recover=all $(DEP_CFLAGS)
FUZZ_OBJ     := $(LIB_SRC:%.c=build-fuzz/obj/%.o)
# Largest input per target (-max_len): texts and queries stay short, files
# must hold a small segment or document store.
FUZZ_MAXLEN_tokenize   := 8192
FUZZ_MAXLEN_query      := 1024
FUZZ_MAXLEN_jsonl      := 16384
FUZZ_MAXLEN_codec      := 4096
FUZZ_MAXLEN_docstore   := 65536
FUZZ_MAXLEN_open_index := 16384
# Whole files and sections are mutated from their full size at once, not
# grown from short inputs (libFuzzer's -len_control would cut them).
FUZZ_OPTS_docstore     := -len_control=0
FUZZ_OPTS_open_index   := -len_control=0
.PHONY: fuzz fuzz-deps fuzz-run fuzz-replay
# Keep the clang objects: made through a pattern rule, make would delete
# them as intermediate files after each link.
.SECONDARY: $(FUZZ_OBJ)

$(BUILD)/fuzz-replay/%: tests/fuzz/fuzz_%.c tests/fuzz/fuzz_main.c $(FUZZ_UTIL) $(LIB_A)
	@mkdir -p $(dir $@)
	$(CC) $(HKS_CFLAGS) $(INC_tests) -Itests/fuzz $(LDFLAGS) -o $@ tests/fuzz/fuzz_main.c \
	    tests/fuzz/fuzzutil.c $< $(LIB_A) $(DEP_LIBS)

fuzz-replay: $(FUZZ_TARGETS:%=$(BUILD)/fuzz-replay/%)
	@set -e; for t in $(FUZZ_TARGETS); do \
	    $(BUILD)/fuzz-replay/$$t tests/fuzz/corpus/$$t; done

build-fuzz/obj/%.o: %.c $(LIB_HDR)
	@mkdir -p $(dir $@)
	$(FUZZ_CC) $(FUZZ_CFLAGS) $(INC_$(firstword $(subst /, ,$<))) \
	    -fsanitize=fuzzer-no-link,address,undefined -c $< -o $@

build-fuzz/%: tests/fuzz/fuzz_%.c $(FUZZ_UTIL) $(FUZZ_OBJ)
	$(FUZZ_CC) $(FUZZ_CFLAGS) $(INC_tests) -fsanitize=fuzzer,address,undefined -Itests/fuzz \
	    -o $@ $< tests/fuzz/fuzzutil.c $(FUZZ_OBJ) $(DEP_LIBS)

fuzz-deps:
	@sh scripts/install-deps.sh --fuzz

fuzz: fuzz-deps
	@$(MAKE) --no-print-directory fuzz-run

fuzz-run: $(FUZZ_TARGETS:%=build-fuzz/%)
	$(foreach t,$(FUZZ_TARGETS),mkdir -p build-fuzz/new/$(t) && \
	    build-fuzz/$(t) -max_total_time=$(FUZZ_TIME) -max_len=$(FUZZ_MAXLEN_$(t)) \
	    -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 -artifact_prefix=build-fuzz/$(t)- \
	    $(FUZZ_OPTS_$(t)) $(FUZZ_FLAGS) build-fuzz/new/$(t) tests/fuzz/corpus/$(t) && ) true

# Definite leaks only: the kill -9 test's children end in _exit/SIGKILL
# with their blocks still reachable. HKS_VALGRIND makes the slowest cases
# skip themselves.
valgrind: $(UNIT_BIN)
	@set -e; for t in $(UNIT_BIN); do echo "== valgrind $$t"; \
	    HKS_BUILD=$(BUILD) HKS_VALGRIND=1 valgrind -q --error-exitcode=1 --leak-check=full \
	    --errors-for-leak-kinds=definite $$t; done

bench: deps all $(TOOL_BIN)
	@sh scripts/install-deps.sh --bench
	@sh scripts/bench.sh $(BUILD)

# Relevance on the judged sets of ../shared/data (or $HKS_DATA): MRR@10,
# nDCG@10, R@100, R@1000, all questions and two fixed halves; fails when a
# set falls below its floor in eval/floors.tsv. Figures: eval/RESULTS.md.
eval: deps all
	@sh scripts/install-deps.sh --eval
	@python3 eval/eval.py $(BUILD) $${HKS_DATA:-../shared/data}

demo: deps all
	@rm -rf demo-index
	$(BUILD)/hkindex build -i demo-index corpus/ corpus/dxy_covid_news.docs.jsonl.zst
	$(BUILD)/hkindex synonyms -i demo-index data/health-synonyms.txt
	$(BUILD)/hksearch -i demo-index "疫苗接种"
	@echo 'The programs are in $(BUILD)/: export PATH="$$PWD/$(BUILD):$$PATH" (or make install).'


# ---- install -----------------------------------------------------------
# The dependencies are listed as libraries (Libs.private), not as
# Requires.private: pkg-config adds a required package's Cflags to
# `--cflags hks`, and libutf8proc's carry -DUTF8PROC_EXPORTS, which an
# embedding program must not get (hks.h includes none of their headers).
$(BUILD)/hks.pc:
	@mkdir -p $(BUILD)
	@printf '%s\n' 'prefix=$(prefix)' 'libdir=$(libdir)' 'includedir=$(includedir)' '' \
	  'Name: hks' 'Description: Full-text search for Chinese news (bigram index, BM25)' \
	  'Version: $(VERSION)' 'Libs: -L$${libdir} -lhks' \
	  'Libs.private: $(strip $(shell pkg-config --static --libs $(PKGS))) -lm -pthread' \
	  'Cflags: -I$${includedir}' > $@
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

# The CLIs (programs/) are not the library: they may use malloc.
# clang-tidy's checks are chosen in .clang-tidy. check-layers.sh proves on
# the objects that the read side never links the writer (nor the reverse).
LINT_CLI := $(wildcard programs/*.c)
lint: $(LIB_OBJ) check-format
	@sh scripts/check-layers.sh $(BUILD)
	@! grep -nE '\b(malloc|calloc|realloc|free)\(' $(LIB_SRC) \
	    | grep -v -e '^common/alloc.c' \
	    || { echo "lint: raw allocation outside common/alloc.c"; exit 1; }
	cppcheck --quiet --error-exitcode=1 --enable=warning,portability \
	    --inline-suppr $(INC_tests) $(LIB_DIRS) programs
	clang-tidy --quiet $(LIB_SRC) $(LINT_CLI) -- -std=c11 -D_GNU_SOURCE $(INC_tests) \
	    $(DEP_CFLAGS)

# Formatting (.clang-format): everything but the generated fold table.
FORMAT_SRC := $(filter-out common/zhfold_data.c,$(sort $(LIB_HDR) $(LIB_SRC) $(LINT_CLI) \
              $(wildcard tests/*/*.[ch] examples/*.c sqlite/*.c)))
format:
	clang-format -i $(FORMAT_SRC)

check-format:
	@clang-format --dry-run --Werror $(FORMAT_SRC) || \
	    { echo "check-format: run 'make format'"; exit 1; }
	@echo "check-format: ok"

clean:
	rm -rf build build-san build-fuzz demo-index python/build python/hksearch.egg-info
	-$(MAKE) --no-print-directory -C postgres clean 2>/dev/null
