//go:build tools

// Package tools pins the containerd 2.x binaries the test bed builds
// (daemon, runc shim, ctr) to the containerd version ctui's go.mod requires.
// It is a module of its own so the daemon's dependencies stay out of ctui's.
package tools

import (
	_ "github.com/containerd/containerd/v2/cmd/containerd"
	_ "github.com/containerd/containerd/v2/cmd/containerd-shim-runc-v2"
	_ "github.com/containerd/containerd/v2/cmd/ctr"
)
