package logs

import (
	"io"
	"io/fs"
	"os"
)

// FS is where log files are read: the machine ctui runs on (OS, the default
// when a Source has none) or a remote node's files over the SSH connection
// (backend/remote). The reader needs no more than this, so a node's logs
// read, follow, rotate and tail the same way wherever ctui runs.
type FS interface {
	Open(name string) (File, error)
	Stat(name string) (fs.FileInfo, error)
	// SameFile reports whether the open file f, whose Stat was fi, is
	// still the file at its path, whose Stat is pi: false once the log was
	// rotated (renamed away and created again).
	SameFile(f File, fi, pi fs.FileInfo) bool
}

// File is an open log file.
type File interface {
	io.Reader
	io.ReaderAt
	io.Seeker
	io.Closer
	Stat() (fs.FileInfo, error)
}

// OS is the local filesystem.
var OS FS = osFS{}

type osFS struct{}

func (osFS) Open(name string) (File, error)        { return os.Open(name) }
func (osFS) Stat(name string) (fs.FileInfo, error) { return os.Stat(name) }
func (osFS) SameFile(_ File, fi, pi fs.FileInfo) bool {
	return os.SameFile(fi, pi)
}

// fsOf is the filesystem src is read from.
func fsOf(src Source) FS {
	if src.FS != nil {
		return src.FS
	}
	return OS
}
