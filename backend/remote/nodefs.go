package remote

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/ctui/ctui/backend"
	"github.com/ctui/ctui/backend/doctor"
)

// NodeFS is the node as doctor reads it over this connection: its files,
// /proc and /sys through sftp (Files), free space through sftp's statvfs
// extension (filesystems told apart by its fsid), and the process serving a socket found on the node.
func (t *Transport) NodeFS() doctor.NodeFS { return nodeFS{t.Files(), t} }

type nodeFS struct {
	f *Files
	t *Transport
}

var (
	_ doctor.NodeFS = nodeFS{}
	_ doctor.Dialer = nodeFS{}
)

// DialContext opens a TCP connection from the node (ssh -W through the
// master), for the doctor's registry mirror probes.
func (n nodeFS) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	if network != "tcp" && network != "tcp4" && network != "tcp6" {
		return nil, fmt.Errorf("dial %s %s from the node: only tcp goes over SSH", network, addr)
	}
	c, err := n.t.DialTCP(ctx, addr)
	if err != nil {
		return nil, err
	}
	if pc, ok := c.(*pipeConn); ok {
		return &nodeConn{Conn: c, pc: pc}, nil
	}
	return c, nil
}

// nodeConn is a connection opened by the node's sshd. When the node could
// not connect, ssh says why on stderr and the stream just ends: the first
// read's end of file becomes ssh's sentence ("connect failed: Connection
// refused"), which the probe's finding shows.
type nodeConn struct {
	net.Conn
	pc  *pipeConn
	got bool
}

func (c *nodeConn) Read(p []byte) (int, error) {
	n, err := c.Conn.Read(p)
	if n > 0 {
		c.got = true
	}
	if errors.Is(err, io.EOF) && !c.got {
		c.pc.exited(time.Second)
		if m := c.pc.Message(); m != "" {
			return n, fmt.Errorf("the node did not connect: %s", m)
		}
	}
	return n, err
}

func (n nodeFS) ReadFile(name string) ([]byte, error) {
	fh, err := n.f.Open(name)
	if err != nil {
		return nil, err
	}
	defer fh.Close()
	// /proc files say they are empty: read to the end, not to the size.
	b, err := io.ReadAll(fh)
	if err != nil {
		return nil, &fs.PathError{Op: "read", Path: name, Err: err}
	}
	return b, nil
}

func (n nodeFS) Stat(name string) (fs.FileInfo, error) { return n.f.Stat(name) }

func (n nodeFS) ReadDir(name string) ([]fs.DirEntry, error) {
	sc, err := n.f.client()
	if err != nil {
		return nil, err
	}
	infos, err := sc.c.ReadDir(name)
	if err != nil {
		return nil, &fs.PathError{Op: "readdir", Path: name, Err: n.f.translate(sc, err, name)}
	}
	out := make([]fs.DirEntry, len(infos))
	for i, fi := range infos {
		out[i] = fs.FileInfoToDirEntry(fi)
	}
	return out, nil
}

func (n nodeFS) Readlink(name string) (string, error) {
	sc, err := n.f.client()
	if err != nil {
		return "", err
	}
	s, err := sc.c.ReadLink(name)
	if err != nil {
		return "", &fs.PathError{Op: "readlink", Path: name, Err: n.f.translate(sc, err, name)}
	}
	return s, nil
}

func (n nodeFS) Glob(pattern string) ([]string, error) {
	sc, err := n.f.client()
	if err != nil {
		return nil, err
	}
	m, err := sc.c.Glob(pattern)
	return m, n.f.translate(sc, err, pattern)
}

func (n nodeFS) Open(name string) (io.ReadCloser, error) { return n.f.Open(name) }

// Filesystems statvfs's each directory on the node (sftp's statvfs
// extension) and puts those with the same filesystem id together.
func (n nodeFS) Filesystems(dirs []backend.DiskRoot) []backend.Filesystem {
	var out []backend.Filesystem
	byID := map[uint64]int{}
	sc, err := n.f.client()
	for _, d := range dirs {
		if err != nil {
			out = append(out, backend.Filesystem{Dirs: []backend.DiskRoot{d}, Err: err})
			continue
		}
		st, serr := sc.c.StatVFS(d.Path)
		if serr != nil {
			terr := n.f.translate(sc, serr, d.Path)
			out = append(out, backend.Filesystem{Dirs: []backend.DiskRoot{d}, Missing: errors.Is(terr, fs.ErrNotExist),
				Err: backend.Errorf(backend.ErrFailed, "statvfs %s on %s: %v", d.Path, n.f.t.Node(), terr)})
			continue
		}
		if i, ok := byID[st.Fsid]; ok && st.Fsid != 0 {
			out[i].Dirs = append(out[i].Dirs, d)
			continue
		}
		bs := st.Frsize
		if bs == 0 {
			bs = st.Bsize
		}
		byID[st.Fsid] = len(out)
		out = append(out, backend.Filesystem{Dirs: []backend.DiskRoot{d}, Space: backend.DiskSpace{
			Total: st.Blocks * bs, Used: (st.Blocks - st.Bfree) * bs, Avail: st.Bavail * bs,
			Inodes: st.Files, InodesFree: st.Ffree}})
	}
	return out
}

// socketPIDScript prints the process that listens on the unix socket $1:
// the socket's inode from /proc/net/unix, then the process with an open fd
// on it (root can see every process's fds: run through sudo or as root).
const socketPIDScript = `p=$(readlink -f "$1") || p=$1
ino=$(awk -v p="$p" '$NF == p && $4 == "00010000" { print $7; exit }' /proc/net/unix)
if [ -z "$ino" ]; then echo "no process listens on $p" >&2; exit 1; fi
fd=$(find /proc/[0-9]*/fd -maxdepth 1 -lname "socket:\[$ino\]" 2>/dev/null | head -n 1)
if [ -z "$fd" ]; then echo "cannot see which process listens on $p (its fds are root's: connect as root or add ?sudo)" >&2; exit 1; fi
fd=${fd#/proc/}
echo "${fd%%/*}"`

func (n nodeFS) SocketPID(path string) (int, error) {
	path = strings.TrimPrefix(path, "unix://")
	ctx, cancel := context.WithTimeout(context.Background(), n.f.t.opts.ConnectTimeout)
	defer cancel()
	out, err := n.f.t.Run(ctx, "sh", "-c", socketPIDScript, "ctui-socket-pid", path)
	if err != nil {
		return 0, fmt.Errorf("find the process behind %s: %v", n.f.t.Where(path), err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(out)))
	if err != nil || pid <= 0 {
		return 0, fmt.Errorf("find the process behind %s: the node answered %q", n.f.t.Where(path), strings.TrimSpace(string(out)))
	}
	return pid, nil
}
