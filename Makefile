# ctui's build, test bed and demo. Runs as root on Debian 12 with Go on PATH:
# the tests start real containerd daemons (see backend/testbed).

GO           ?= go
APT_PACKAGES := containerd runc busybox-static umoci tmux docker-registry apache2-utils
BENCH        ?= .

.PHONY: all build lab deps containerd2 vet test demo docs bench clean

all: build

build:
	$(GO) build -o bin/ctui ./cmd/ctui

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

test: deps containerd2 vet
	$(GO) test -count=1 -timeout 20m ./...

# demo starts a seeded containerd (DEMO_VERSION=1.6 or 2.x) and runs ctui on it.
DEMO_VERSION ?= 1.6
demo: deps containerd2 build
	bin/ctui-lab demo --version $(DEMO_VERSION) -- bin/ctui

docs:
	$(GO) generate ./...

bench: deps containerd2
	$(GO) test -run '^$$' -bench '$(BENCH)' -benchmem -count=1 -timeout 30m ./...

clean:
	rm -rf bin .build
