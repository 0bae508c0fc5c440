package doctor

import (
	"context"
	"io"
	"io/fs"
	"net"
	"os"
	"path/filepath"

	"github.com/ctui/ctui/backend"
)

// NodeFS is how doctor reads the node: its files, /proc and /sys, the free
// space of a directory and the process serving a socket. The zero Options
// read the machine doctor runs on (Local); backend/remote reads a node over
// SSH through the same calls, so every check runs there unchanged.
type NodeFS interface {
	ReadFile(name string) ([]byte, error)
	Stat(name string) (fs.FileInfo, error)
	ReadDir(name string) ([]fs.DirEntry, error)
	Readlink(name string) (string, error)
	Glob(pattern string) ([]string, error)
	Open(name string) (io.ReadCloser, error)
	// Filesystems groups dirs by the filesystem holding them, with its
	// free space (backend.Filesystems on this machine).
	Filesystems(dirs []backend.DiskRoot) []backend.Filesystem
	// SocketPID is the process serving the unix socket at path (its peer
	// credentials locally).
	SocketPID(path string) (int, error)
}

// Local is the machine doctor runs on.
var Local NodeFS = localFS{}

type localFS struct{}

func (localFS) ReadFile(n string) ([]byte, error)                     { return os.ReadFile(n) }
func (localFS) Stat(n string) (fs.FileInfo, error)                    { return os.Stat(n) }
func (localFS) ReadDir(n string) ([]fs.DirEntry, error)               { return os.ReadDir(n) }
func (localFS) Readlink(n string) (string, error)                     { return os.Readlink(n) }
func (localFS) Glob(p string) ([]string, error)                       { return filepath.Glob(p) }
func (localFS) Open(n string) (io.ReadCloser, error)                  { return os.Open(n) }
func (localFS) Filesystems(d []backend.DiskRoot) []backend.Filesystem { return backend.Filesystems(d) }
func (localFS) SocketPID(p string) (int, error)                       { return socketPeerPID(p) }

// Dialer is a NodeFS that opens TCP connections from the node itself (over
// SSH: the connection's direct-tcpip channel), so the registry mirror
// probes see the node's names, routes and firewall. Local has none: this
// machine is the node.
type Dialer interface {
	DialContext(ctx context.Context, network, addr string) (net.Conn, error)
}

// fromWhere says where a network probe ran, for findings: "" on the node
// itself, " (asked from the node over SSH)" through a Dialer.
func (f *Facts) fromWhere() string {
	if _, ok := f.node().(Dialer); ok {
		return " (asked from the node over SSH)"
	}
	return ""
}
