package cri

import "github.com/ctui/ctui/backend"

// The describe page asserts backend.RuntimeDescriber on Backend.CRI; this
// keeps the client from drifting out of it.
var _ backend.RuntimeDescriber = (*Client)(nil)
