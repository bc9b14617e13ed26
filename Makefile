# Porch: `make run` builds the example site and serves it; `make test` runs
# every test.  Objects go under $(O) so the sanitizer build can live beside
# the normal one (make sanitize uses O=build/asan).

PREFIX	?= /usr/local
DESTDIR	?=
O	?= build
CC	?= cc
PKGS	 = libcmark-gfm lua5.4 yaml-0.1 libdeflate jansson libxxhash libutf8proc
# porch serve's server: its header at build time, the library loaded when
# serve starts (generator/httpd.h says why).
HTTPD_PKG = libmicrohttpd
SAN_FLAGS = -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all

WARN	 = -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
	   -Wformat=2 -Wno-format-nonliteral -Werror
CFLAGS	?= -O2 -g
# libstemmer is loaded when first needed (generator/stemlib.c), not
# linked: from the file the linker would have used (whose identity is part
# of the code's, cache.c), or else by its soname.
STEMMER_LIB := $(abspath $(shell $(CC) -print-file-name=libstemmer.so))
ALL_CFLAGS = -std=c11 -D_GNU_SOURCE $(WARN) $(CFLAGS) $(EXTRA_CFLAGS) \
	   $(shell pkg-config --cflags $(PKGS) $(HTTPD_PKG)) \
	   -DPORCH_THEMES_DIR='"$(abspath themes)"' -DPORCH_VERSION='"$(VERSION)"' \
	   -DPORCH_STEMMER_LIB='"$(STEMMER_LIB)"'
LDLIBS	 = $(shell pkg-config --libs $(PKGS)) -lpthread -ldl -lm
VERSION	 = 0.1.0

GEN_SRC	 = $(wildcard generator/*.c)
GEN_OBJ	 = $(GEN_SRC:%.c=$(O)/%.o)
LIB_OBJ	 = $(filter-out $(O)/generator/main.o,$(GEN_OBJ))
UNIT_SRC = $(wildcard tests/unit/test_*.c)
UNIT_BIN = $(UNIT_SRC:tests/unit/%.c=$(O)/tests/%)
# Fuzz targets (tests/fuzz/fuzz_*.c).  `make all` links each with
# tests/fuzz/replay.c into $(O)/tests/test_fuzz_NAME, which replays the
# saved corpus tests/fuzz/corpus/NAME as part of `make test`; `make fuzz`
# builds them with libFuzzer (scripts/fuzz.sh) for FUZZ_SECONDS each.
FUZZ_TARGETS = front markdown template sitelua search
FUZZ_BIN = $(FUZZ_TARGETS:%=$(O)/tests/test_fuzz_%)
# porchd's untrusted-input parsers (tests/fuzz/fuzz_pd_NAME.c), linked
# with porchd's objects; make fuzz runs them too.
PD_FUZZ_TARGETS = pd_path pd_cookie pd_json pd_catalog pd_mail pd_ratelimit \
		  pd_multipart pd_ticketform
# The search client's query handling (tests/fuzz/query_fuzz.js, node):
# `make test` replays its corpus and 300 seeded queries
# (tests/cli/query_fuzz.sh); make fuzz runs it against the example site
# built by $(O)/porch.
JS_FUZZ_TARGETS = query
FUZZ_SECONDS ?= 60

# porchd (endpoints/): its own libraries; never Lua or cmark.
PD_PKGS	 = libmicrohttpd sqlite3 jansson libargon2 libcurl nettle libseccomp
PD_CFLAGS = -std=c11 -D_GNU_SOURCE $(WARN) $(CFLAGS) $(EXTRA_CFLAGS) \
	   $(shell pkg-config --cflags $(PD_PKGS)) -DPORCH_VERSION='"$(VERSION)"'
PD_LIBS	 = $(shell pkg-config --libs $(PD_PKGS)) -lpthread -lm
PD_SRC	 = $(wildcard endpoints/*.c)
PD_OBJ	 = $(PD_SRC:%.c=$(O)/%.o)
PD_LIB_OBJ = $(filter-out $(O)/endpoints/main.o,$(PD_OBJ))
PD_UNIT_SRC = $(wildcard tests/unit/porchd/test_*.c)
PD_UNIT_BIN = $(PD_UNIT_SRC:tests/unit/porchd/test_%.c=$(O)/tests/test_pd_%)
PD_BIN	 = $(if $(PD_SRC),$(O)/porchd)
PD_FUZZ_BIN = $(PD_FUZZ_TARGETS:%=$(O)/tests/test_fuzz_%)

.PHONY: all run test check-deps sanitize bench bench-search bench-incremental fuzz clean install regen lint format \
	valgrind

all: $(O)/porch $(UNIT_BIN) $(FUZZ_BIN) $(PD_BIN) $(PD_UNIT_BIN) $(PD_FUZZ_BIN)

$(O)/porchd: $(PD_OBJ)
	$(CC) $(PD_CFLAGS) -o $@ $(PD_OBJ) $(PD_LIBS)

$(O)/endpoints/%.o: endpoints/%.c $(wildcard endpoints/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(PD_CFLAGS) -c -o $@ $<

$(O)/tests/test_pd_%: tests/unit/porchd/test_%.c $(PD_LIB_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(PD_CFLAGS) -Iendpoints -o $@ $< $(PD_LIB_OBJ) $(PD_LIBS) -lcmocka

$(O)/porch: $(GEN_OBJ)
	$(CC) $(ALL_CFLAGS) -o $@ $(GEN_OBJ) $(LDLIBS)

$(O)/generator/%.o: generator/%.c $(wildcard generator/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(O)/tests/test_%: tests/unit/test_%.c $(LIB_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Igenerator -o $@ $< $(LIB_OBJ) $(LDLIBS) -lcmocka

$(FUZZ_BIN): $(O)/tests/test_fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/replay.c $(LIB_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Igenerator \
	    -DFUZZ_CORPUS='"$(abspath tests/fuzz/corpus/$*)"' -o $@ $< \
	    tests/fuzz/replay.c $(LIB_OBJ) $(LDLIBS)

$(PD_FUZZ_BIN): $(O)/tests/test_fuzz_%: tests/fuzz/fuzz_%.c tests/fuzz/replay.c $(PD_LIB_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(PD_CFLAGS) -Iendpoints \
	    -DFUZZ_CORPUS='"$(abspath tests/fuzz/corpus/$*)"' -o $@ $< \
	    tests/fuzz/replay.c $(PD_LIB_OBJ) $(PD_LIBS)

check-deps:
	@bash scripts/install-deps.sh

# The whole portal from one process: the example site built into public/
# and served by porchd with its SQLite database in var/.  Mails (sign-up
# verification, resets) are kept as files in var/mail/ instead of sent.
run: check-deps
	$(MAKE) all
	@mkdir -p var
	@if [ -f var/porch.db ]; then $(O)/porchd report --db var/porch.db votes \
	    --json >var/votes.json; fi
	$(O)/porch build content -o public $(if $(wildcard var/porch.db),--votes var/votes.json)
	@mkdir -p var/mail
	@# porchd will not stay root: started by root it runs as nobody, which
	@# must be able to write the database folder and the kept mails.
	@if [ "$$(id -u)" = 0 ]; then chown nobody var var/mail; fi
	@echo "Porch: http://127.0.0.1:8080/ (Ctrl-C to stop; mails go to var/mail/)"
	$(O)/porchd serve --site public --db var/porch.db --listen 127.0.0.1:8080 \
	    --public-url http://127.0.0.1:8080 --sendmail $(abspath scripts/dev-sendmail.sh) \
	    $(if $(filter 0,$(shell id -u)),--user nobody)

test: check-deps
	$(MAKE) all
	@O=$(O) bash tests/run.sh

# The whole suite again, built with AddressSanitizer and UBSan.
sanitize: check-deps
	$(MAKE) O=build/asan EXTRA_CFLAGS='$(SAN_FLAGS)' CFLAGS='-O1 -g' all
	@O=build/asan ASAN_OPTIONS=detect_leaks=1 bash tests/run.sh

# Unit tests, corpus replays, the generator on the example site and porchd
# through the e2e suites under valgrind memcheck (slow: not in make test;
# results in docs/SECURITY.md).
valgrind: all
	O=$(O) bash scripts/valgrind.sh

# Porch against Hugo, Hugo + Pagefind and the floors (cmark-gfm, gzip) on
# generated corpora; see docs/PERFORMANCE.md.  BENCH_ARGS='--sizes "1000
# 10000 100000"' or BENCH_ARGS='--content DIR' pass options to run.sh.
bench: all
	bash scripts/bench/run.sh $(BENCH_ARGS)
	bash scripts/bench/porchd.sh
	bash scripts/bench/search.sh --porch $(O)/porch $(BENCH_SEARCH_ARGS)
	bash scripts/bench/incremental.sh --porch $(O)/porch $(BENCH_INCREMENTAL_ARGS)

# Porch's search index and client against Pagefind over the same built
# pages (index time, bytes per query, MRR@5, latency in chromium); see
# docs/PERFORMANCE.md.  BENCH_SEARCH_ARGS='--sizes "example 1000"'.
bench-search: all
	bash scripts/bench/search.sh --porch $(O)/porch $(BENCH_SEARCH_ARGS)

# Incremental rebuilds after one small edit (no change, body edit, title
# edit, page added, page deleted), each checked byte-identical to a clean
# build; see docs/PERFORMANCE.md.  BENCH_INCREMENTAL_ARGS='--sizes 1000'.
bench-incremental: all
	bash scripts/bench/incremental.sh --porch $(O)/porch $(BENCH_INCREMENTAL_ARGS)

# Runs every fuzz target for FUZZ_SECONDS (make fuzz FUZZ_SECONDS=20), or
# some: make fuzz FUZZ_TARGETS="front markdown".
fuzz: check-deps $(O)/porch
	FUZZ_SECONDS='$(FUZZ_SECONDS)' FUZZ_PKGS='$(PKGS)' \
	    FUZZ_PD_PKGS='$(PD_PKGS)' PORCH='$(O)/porch' \
	    bash scripts/fuzz.sh $(FUZZ_TARGETS) $(PD_FUZZ_TARGETS) \
	    $(JS_FUZZ_TARGETS)

# Rewrites the golden files after an intended change; asks first.  Never
# part of `make test`.
regen: all
	bash tests/golden/regen.sh

lint:
	cppcheck --quiet --error-exitcode=1 --enable=warning,performance,portability \
	    --suppress=missingIncludeSystem -I generator generator

format:
	clang-format -i generator/*.c generator/*.h

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/porch
	install -m 755 $(O)/porch $(DESTDIR)$(PREFIX)/bin/porch
	$(if $(PD_BIN),install -m 755 $(O)/porchd $(DESTDIR)$(PREFIX)/bin/porchd)
	cp -R themes $(DESTDIR)$(PREFIX)/share/porch/

clean:
	rm -rf build public tests/out
