# cxl-fmemu: a thin wrapper so nobody has to type meson.
#   make            build (build/)
#   make demo       install missing deps, build, run the RFC's two hosts with an FM story
#   make check      install missing deps, build plain + sanitized, run every test
#   make bench      install missing deps (+ QEMU, perf), release build, run cxl-fmbench:
#                   a table on stdout and bench/results.json (docs/performance.md)
#   make fuzz       run every libFuzzer target for FUZZ_SECONDS (default 60)
#   make faults     the fault suite (docs/testing.md): broken peers, buffers, sockets and
#                   files, exhaustion and a soak; one PASS/FAIL/SKIP line per scenario.
#                   FAULTS_SOAK_SECONDS (default 60) sets the soak, FAULTS='bus-* soak' a subset
#   make install    PREFIX=/usr/local (DESTDIR honoured)
BUILD      ?= build
SANBUILD   ?= build-san
BENCHBUILD ?= build-bench
PREFIX     ?= /usr/local
FUZZ_SECONDS ?= 60
FAULTS     ?=

.PHONY: all deps demo check bench fuzz faults install clean

all: $(BUILD)/build.ninja
	ninja -C $(BUILD)

$(BUILD)/build.ninja:
	meson setup $(BUILD) --prefix=$(PREFIX)

$(SANBUILD)/build.ninja:
	CC=clang meson setup $(SANBUILD) -Db_sanitize=address,undefined \
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

install: $(BUILD)/build.ninja
	meson configure $(BUILD) --prefix=$(PREFIX)
	ninja -C $(BUILD)
	meson install -C $(BUILD) --no-rebuild

clean:
	rm -rf $(BUILD) $(SANBUILD) $(BENCHBUILD)
