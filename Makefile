# Skiff entry points. Each one first installs the Debian packages it needs (fast when present).
BUILD_DIR := build
JOBS ?= $(shell nproc)
DATA_DIR ?= $(CURDIR)/.skiff

.PHONY: all build test up cluster cluster-down bench deps clean
# No "Entering directory" lines from the sub-makes cmake runs.
MAKEFLAGS += --no-print-directory

all: build

build:
	@scripts/deps.sh build
	@[ -f $(BUILD_DIR)/CMakeCache.txt ] || cmake --preset dev
	cmake --build $(BUILD_DIR) -j$(JOBS)

test:
	@scripts/deps.sh test
	@scripts/kubectl-1.20.sh $(BUILD_DIR)/tools/kubectl-1.20
	@[ -f $(BUILD_DIR)/CMakeCache.txt ] || cmake --preset dev
	cmake --build $(BUILD_DIR) -j$(JOBS)
	@scripts/dockerd.sh
	@scripts/containerd.sh
	@scripts/images.sh
	ctest --test-dir $(BUILD_DIR) --output-on-failure -j$(JOBS) --timeout 300

# Builds only skiffd and the allinone profile's plugins, one line per step.
up:
	@scripts/deps.sh up
	@BUILD_DIR=$(BUILD_DIR) JOBS=$(JOBS) scripts/build-quiet.sh up "skiffd and the allinone profile's plugins" skiff-profile-allinone
	@scripts/dockerd.sh
	@scripts/containerd.sh
	@scripts/images.sh
	@DATA_DIR=$(DATA_DIR) scripts/up.sh

# A master and NODES workers (default 2), each in its own network namespace (scripts/cluster.sh);
# MASTERS=3: three masters on etcd behind a VIP (the variable reaches the script's environment).
cluster:
	@scripts/deps.sh up
	@scripts/kubectl-1.20.sh $(BUILD_DIR)/tools/kubectl-1.20
	@[ -f $(BUILD_DIR)/CMakeCache.txt ] || cmake --preset dev
	cmake --build $(BUILD_DIR) -j$(JOBS)
	@scripts/dockerd.sh
	@scripts/containerd.sh
	@scripts/images.sh
	@scripts/cluster.sh up

cluster-down:
	@scripts/cluster.sh down

bench:
	@scripts/deps.sh bench
	@[ -f $(BUILD_DIR)/CMakeCache.txt ] || cmake --preset dev
	cmake --build $(BUILD_DIR) -j$(JOBS)
	@bench/run-all.sh $(BUILD_DIR)

clean:
	rm -rf $(BUILD_DIR)
