# Porch: `make run` builds the example site and serves it; `make test` runs
# every test.  Objects go under $(O) so the sanitizer build can live beside
# the normal one (make sanitize uses O=build/asan).

PREFIX	?= /usr/local
DESTDIR	?=
O	?= build
CC	?= cc
PKGS	 = libcmark-gfm lua5.4 yaml-0.1 zlib jansson libxxhash
SAN_FLAGS = -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all

WARN	 = -Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes \
	   -Wformat=2 -Wno-format-nonliteral -Werror
CFLAGS	?= -O2 -g
ALL_CFLAGS = -std=c11 -D_GNU_SOURCE $(WARN) $(CFLAGS) $(EXTRA_CFLAGS) \
	   $(shell pkg-config --cflags $(PKGS)) \
	   -DPORCH_THEMES_DIR='"$(abspath themes)"' -DPORCH_VERSION='"$(VERSION)"'
LDLIBS	 = $(shell pkg-config --libs $(PKGS)) -lpthread -lm
VERSION	 = 0.1.0

GEN_SRC	 = $(wildcard generator/*.c)
GEN_OBJ	 = $(GEN_SRC:%.c=$(O)/%.o)
LIB_OBJ	 = $(filter-out $(O)/generator/main.o,$(GEN_OBJ))
UNIT_SRC = $(wildcard tests/unit/test_*.c)
UNIT_BIN = $(UNIT_SRC:tests/unit/%.c=$(O)/tests/%)

.PHONY: all run test check-deps sanitize bench fuzz clean install regen lint format

all: $(O)/porch $(UNIT_BIN)

$(O)/porch: $(GEN_OBJ)
	$(CC) $(ALL_CFLAGS) -o $@ $(GEN_OBJ) $(LDLIBS)

$(O)/generator/%.o: generator/%.c $(wildcard generator/*.h)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(O)/tests/test_%: tests/unit/test_%.c $(LIB_OBJ)
	@mkdir -p $(dir $@)
	$(CC) $(ALL_CFLAGS) -Igenerator -o $@ $< $(LIB_OBJ) $(LDLIBS) -lcmocka

check-deps:
	@bash scripts/install-deps.sh

run: check-deps
	$(MAKE) all
	$(O)/porch build content -o public
	@echo "Serving public/ on http://127.0.0.1:8080/ (Ctrl-C to stop)"
	cd public && python3 -m http.server 8080 --bind 127.0.0.1

test: check-deps
	$(MAKE) all
	@O=$(O) bash tests/run.sh

# The whole suite again, built with AddressSanitizer and UBSan.
sanitize: check-deps
	$(MAKE) O=build/asan EXTRA_CFLAGS='$(SAN_FLAGS)' CFLAGS='-O1 -g' all
	@O=build/asan ASAN_OPTIONS=detect_leaks=1 bash tests/run.sh

bench: all
	bash scripts/bench/run.sh

fuzz:
	bash scripts/fuzz.sh

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
	cp -R themes $(DESTDIR)$(PREFIX)/share/porch/

clean:
	rm -rf build public tests/out
