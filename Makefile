# ctui's build, test bed and demo. Runs as root on Debian 12 with Go on PATH:
# the tests start real containerd daemons (see backend/testbed).

GO           ?= go
APT_PACKAGES := containerd runc busybox-static umoci tmux docker-registry apache2-utils openssh-server sudo socat
BENCH        ?= .

# VERSION is stamped into ctui (`ctui version`) and names the release files:
# the tag at HEAD (v1.2.3), else Go's pseudo-version of the commit,
# v0.0.0-<commit time, UTC>-<first 12 hex of the commit>; +dirty when the
# checkout has changes (git status, as Go's vcs.modified); devel outside git.
ifeq ($(origin VERSION),undefined)
VERSION := $(shell \
	v=$$(git describe --tags --exact-match --match 'v[0-9]*' 2>/dev/null) || \
	v=$$(TZ=UTC git log -1 --format=v0.0.0-%cd-%H --date=format-local:%Y%m%d%H%M%S 2>/dev/null | cut -c1-34); \
	if [ -z "$$v" ]; then v=devel; elif [ -n "$$(git status --porcelain 2>/dev/null)" ]; then v="$$v+dirty"; fi; \
	echo "$$v")
endif
# A static binary (no libc: it runs on glibc and musl nodes alike), without
# local paths or symbols.
GOBUILD := CGO_ENABLED=0 $(GO) build -trimpath -ldflags '-s -w -X main.version=$(VERSION)'
# OUT is where make build writes ctui.
OUT     ?= bin/ctui
# The release files: a binary per platform, ctui's image, their checksums.
DIST         := dist
PLATFORMS    := linux/amd64 linux/arm64
RELEASE_BINS := $(foreach p,$(PLATFORMS),$(DIST)/ctui-$(VERSION)-$(subst /,-,$(p)))
# IMAGE is the name make image gives ctui's image; its tag is VERSION
# (a tag takes no '+': +dirty becomes -dirty).
IMAGE        ?= localhost/ctui
IMAGE_TAR    := $(DIST)/ctui-$(VERSION)-image.tar
COMMIT_TIME  := $(shell git log -1 --format=%cI 2>/dev/null)

.PHONY: all build version release-bins image release lab deps containerd2 vet test test-ahead demo docs bench clean

all: build

build:
	$(GOBUILD) -o $(OUT) ./cmd/ctui

version:
	@echo $(VERSION)

# release-bins cross-compiles the static binary for every platform.
release-bins:
	@mkdir -p $(DIST)
	@set -e; for p in $(PLATFORMS); do \
		echo "make: $(DIST)/ctui-$(VERSION)-$${p%/*}-$${p#*/}"; \
		GOOS=$${p%/*} GOARCH=$${p#*/} $(GOBUILD) -o $(DIST)/ctui-$(VERSION)-$${p%/*}-$${p#*/} ./cmd/ctui; \
	done

# image writes ctui's container image, an OCI layout tar for every platform
# that `ctr images import` loads (no Docker needed).
image: release-bins lab
	bin/ctui-lab image --ref $(IMAGE):$(subst +,-,$(VERSION)) --version $(VERSION) --created '$(COMMIT_TIME)' \
		--out $(IMAGE_TAR) $(foreach p,$(PLATFORMS),$(p)=$(DIST)/ctui-$(VERSION)-$(subst /,-,$(p)))
	@echo "make: $(IMAGE_TAR) ($(IMAGE):$(subst +,-,$(VERSION)))"

# release writes the binaries and the image under dist/ with SHA256SUMS
# (check with: cd dist && sha256sum -c SHA256SUMS).
release: image
	cd $(DIST) && sha256sum $(notdir $(RELEASE_BINS) $(IMAGE_TAR)) > SHA256SUMS
	@ls -l $(RELEASE_BINS) $(IMAGE_TAR) $(DIST)/SHA256SUMS

lab:
	$(GO) build -o bin/ctui-lab ./cmd/ctui-lab

# deps installs what the test bed needs from Debian, running apt-get update
# once and only when something is missing.
deps:
	@command -v $(GO) >/dev/null || { echo "make: Go not found on PATH (ctui needs the version in go.mod)" >&2; exit 1; }
	@missing=""; \
	for p in $(APT_PACKAGES); do \
		dpkg-query -W -f='$${Status}' $$p 2>/dev/null | grep -q "install ok installed" || missing="$$missing $$p"; \
	done; \
	if [ -n "$$missing" ]; then \
		if [ "$$(id -u)" != 0 ]; then echo "make: missing Debian packages:$$missing; run as root" >&2; exit 1; fi; \
		echo "make: installing$$missing"; \
		apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $$missing; \
	fi

# containerd2 builds containerd 2.x from backend/testbed/tools into
# .build/containerd-<version>/, once.
containerd2: lab
	bin/ctui-lab containerd2

vet:
	$(GO) vet ./...

test: deps containerd2 vet test-ahead
	$(GO) test -count=1 -timeout 20m ./...

# test-ahead runs the unit tests (-short skips those that start daemons or
# registries) with the tests' clock a year ahead of the wall clock: a test
# that passes only because the code read the wall clock, not the clock it
# was given, fails here every day rather than one day a year.
test-ahead:
	CTUI_TEST_CLOCK_AHEAD=8760h $(GO) test -short -count=1 -timeout 10m ./ui/... ./backend/...

# demo starts a seeded containerd (DEMO_VERSION=1.6 or 2.x) and runs ctui on it.
DEMO_VERSION ?= 1.6
demo: deps containerd2 build
	bin/ctui-lab demo --version $(DEMO_VERSION) -- bin/ctui

docs:
	$(GO) generate ./...

bench: deps containerd2
	$(GO) test -run '^$$' -bench '$(BENCH)' -benchmem -count=1 -timeout 30m ./...

clean:
	rm -rf bin .build $(DIST)
