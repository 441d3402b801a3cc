# cxl-fmemu: a thin wrapper so nobody has to type meson.
#   make            build (build/)
#   make demo       install missing deps, build, run the RFC's two hosts with an FM story
#   make check      install missing deps, build plain + sanitized, run every test
#   make bench      install missing deps (+ QEMU, perf), release build, run cxl-fmbench:
#                   a table on stdout and bench/results.json (docs/performance.md)
#   make fuzz       run every libFuzzer target for FUZZ_SECONDS (default 60);
#                   make check only replays their seed corpora
#   make faults     the fault suite (docs/testing.md): broken peers, buffers, sockets and
#                   files, exhaustion and a soak; one PASS/FAIL/SKIP line per scenario.
#                   FAULTS_SOAK_SECONDS (default 60) sets the soak, FAULTS='bus-* soak' a subset
#   make faults-san the same with cxl-emu and the suite built with ASan+UBSan (build-san/)
#   make install    PREFIX=/usr/local (DESTDIR honoured)
BUILD      ?= build
SANBUILD   ?= build-san
BENCHBUILD ?= build-bench
PREFIX     ?= /usr/local
FUZZ_SECONDS ?= 60
FAULTS     ?=

.PHONY: all deps demo check bench fuzz faults faults-san install clean

all: $(BUILD)/build.ninja
	ninja -C $(BUILD)

# Developer and CI builds treat warnings as errors (meson's default does not).
$(BUILD)/build.ninja:
	meson setup $(BUILD) --prefix=$(PREFIX) --werror

$(SANBUILD)/build.ninja:
	CC=clang meson setup $(SANBUILD) --werror -Db_sanitize=address,undefined \
		-Db_lundef=false -Dfuzz=true

$(BENCHBUILD)/build.ninja:
	meson setup $(BENCHBUILD) --buildtype=release -Db_ndebug=true -Dtests=false

deps:
	scripts/deps.sh build docs

demo: deps
	$(MAKE) all
	BUILD=$(BUILD) scripts/demo.sh

check: deps
	scripts/check.sh $(BUILD) $(SANBUILD)

bench:
	scripts/deps.sh build bench
	$(MAKE) $(BENCHBUILD)/build.ninja
	ninja -C $(BENCHBUILD)
	meson test -C $(BENCHBUILD) --benchmark --verbose

fuzz: deps $(SANBUILD)/build.ninja
	ninja -C $(SANBUILD)
	scripts/fuzz.sh $(SANBUILD) $(FUZZ_SECONDS)

faults: deps
	$(MAKE) all
	set -f; $(BUILD)/tests/faults/cxl-faults $(FAULTS)

# ASan's quarantine off: the memory bounds then see growth, not freed memory held
# back; its allocator's own caches settle at ~1.5 MiB more, hence the bound.
faults-san: deps $(SANBUILD)/build.ninja
	ninja -C $(SANBUILD)
	set -f; FAULTS_ANON_BOUND_KB=$${FAULTS_ANON_BOUND_KB:-4096} \
		ASAN_OPTIONS=detect_leaks=1:abort_on_error=1:quarantine_size_mb=0 \
		UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
		$(SANBUILD)/tests/faults/cxl-faults $(FAULTS)

install: $(BUILD)/build.ninja
	meson configure $(BUILD) --prefix=$(PREFIX)
	ninja -C $(BUILD)
	meson install -C $(BUILD) --no-rebuild

clean:
	rm -rf $(BUILD) $(SANBUILD) $(BENCHBUILD)
