package backend

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strings"
	"syscall"

	"github.com/containerd/errdefs"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
)

// Kinds of failure the UI tells apart. Test with errors.Is; show err.Error(),
// which is already a sentence an operator can act on.
var (
	ErrSocketMissing  = errors.New("socket not found")
	ErrPermission     = errors.New("permission denied")
	ErrNotContainerd  = errors.New("not a containerd socket")
	ErrCRIUnavailable = errors.New("CRI not served")
	ErrTimeout        = errors.New("daemon not answering")
	ErrUnavailable    = errors.New("connection lost")
	ErrNotFound       = errors.New("not found")
	ErrAlreadyExists  = errors.New("already exists")
	ErrInvalid        = errors.New("invalid argument")
	ErrUnsupported    = errors.New("not supported")
	ErrReadonly       = errors.New("read-only mode")
	ErrCanceled       = errors.New("canceled")
	ErrFailed         = errors.New("failed")
)

// Error is a failure worded for a node operator. Kind is one of the Err*
// sentinels above (errors.Is matches it); Err is the cause, kept for --debug.
type Error struct {
	Kind error
	Msg  string
	Err  error
}

func (e *Error) Error() string { return e.Msg }

// Unwrap gives the cause, so errors.Is and errors.As also see through it.
func (e *Error) Unwrap() error { return e.Err }

// Is matches the Kind sentinel.
func (e *Error) Is(target error) bool { return target == e.Kind }

// Errorf builds an Error of the given kind.
func Errorf(kind error, format string, args ...any) error {
	return &Error{Kind: kind, Msg: fmt.Sprintf(format, args...)}
}

// Target names what a call was talking to, for the sentences Translate writes.
type Target struct {
	API      string // "containerd" or "CRI"
	Endpoint string // socket path or URL as the user would type it
}

// Translate turns an error from a gRPC call, errdefs or the socket into an
// *Error. what names the operation from the operator's side ("list images",
// "tag docker.io/library/busybox:latest"). An error that already is an *Error
// is returned as it is.
func Translate(err error, t Target, what string) error {
	if err == nil {
		return nil
	}
	var e *Error
	if errors.As(err, &e) {
		return err
	}
	wrap := func(kind error, format string, args ...any) error {
		return &Error{Kind: kind, Msg: fmt.Sprintf(format, args...), Err: err}
	}
	detail := errDetail(err)
	switch {
	case errors.Is(err, context.Canceled):
		return wrap(ErrCanceled, "%s: canceled", what)
	case errors.Is(err, context.DeadlineExceeded), errdefs.IsDeadlineExceeded(err):
		return wrap(ErrTimeout, "%s: %s at %s did not answer in time; is the daemon running and healthy?", what, t.API, t.Endpoint)
	case errors.Is(err, fs.ErrPermission), errors.Is(err, syscall.EACCES), errdefs.IsPermissionDenied(err) && strings.Contains(err.Error(), "connect"):
		return wrap(ErrPermission, "%s: permission denied on %s; run ctui as root or as a member of the socket's group", what, t.Endpoint)
	}
	if s, ok := status.FromError(err); ok {
		switch s.Code() {
		case codes.Unavailable:
			if isConnRefused(s.Message()) {
				return wrap(ErrUnavailable, "%s: nothing is listening on %s; is %s running?", what, t.Endpoint, daemonName(t))
			}
			if strings.Contains(s.Message(), "permission denied") {
				return wrap(ErrPermission, "%s: permission denied on %s; run ctui as root or as a member of the socket's group", what, t.Endpoint)
			}
			if strings.Contains(s.Message(), "no such file") {
				return wrap(ErrSocketMissing, "%s: socket %s is gone; is %s running?", what, t.Endpoint, daemonName(t))
			}
			return wrap(ErrUnavailable, "%s: lost the connection to %s at %s (%s)", what, t.API, t.Endpoint, detail)
		case codes.Unimplemented:
			if t.API == "CRI" {
				return wrap(ErrCRIUnavailable, "%s: %s does not serve the CRI API (v1); in containerd the cri plugin is disabled or failed to load", what, t.Endpoint)
			}
			return wrap(ErrUnsupported, "%s: the daemon at %s does not support this (%s)", what, t.Endpoint, detail)
		case codes.DeadlineExceeded:
			return wrap(ErrTimeout, "%s: %s at %s did not answer in time; is the daemon running and healthy?", what, t.API, t.Endpoint)
		case codes.Canceled:
			return wrap(ErrCanceled, "%s: canceled", what)
		case codes.PermissionDenied, codes.Unauthenticated:
			return wrap(ErrPermission, "%s: refused: %s", what, detail)
		}
	}
	switch {
	case errdefs.IsNotFound(err):
		return wrap(ErrNotFound, "%s: %s", what, detail)
	case errdefs.IsAlreadyExists(err):
		return wrap(ErrAlreadyExists, "%s: %s", what, detail)
	case errdefs.IsInvalidArgument(err):
		return wrap(ErrInvalid, "%s: %s", what, detail)
	case errdefs.IsNotImplemented(err):
		return wrap(ErrUnsupported, "%s: not supported by the daemon at %s", what, t.Endpoint)
	case errdefs.IsFailedPrecondition(err), errdefs.IsConflict(err):
		return wrap(ErrFailed, "%s: %s", what, detail)
	case errdefs.IsUnavailable(err):
		return wrap(ErrUnavailable, "%s: %s is unavailable (%s)", what, t.Endpoint, detail)
	}
	return wrap(ErrFailed, "%s: %s", what, detail)
}

func daemonName(t Target) string {
	if t.API == "CRI" {
		return "the container runtime"
	}
	return "containerd"
}

func isConnRefused(msg string) bool {
	return strings.Contains(msg, "connection refused")
}

// errDetail is the daemon's own message without gRPC's "rpc error: code = X
// desc =" prefix.
func errDetail(err error) string {
	if s, ok := status.FromError(err); ok && s.Message() != "" {
		return s.Message()
	}
	return err.Error()
}

// CheckSocket says, before any RPC, why a unix socket cannot be used: it is
// missing (naming the sockets that do exist among candidates), is not a
// socket, or cannot be opened by this user. It returns nil when a connect
// may work.
func CheckSocket(path, api string, candidates []string) error {
	fi, err := os.Stat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		var found []string
		for _, c := range candidates {
			if c != path && IsSocket(c) {
				found = append(found, c)
			}
		}
		hint := "no known runtime socket exists on this node; is the runtime running?"
		if len(found) > 0 {
			hint = "sockets that exist: " + strings.Join(found, ", ") + " (choose one with -a/--address or -r/--runtime-endpoint)"
		}
		return &Error{Kind: ErrSocketMissing, Err: err, Msg: fmt.Sprintf("%s socket %s does not exist; %s", api, path, hint)}
	case errors.Is(err, fs.ErrPermission):
		return &Error{Kind: ErrPermission, Err: err, Msg: fmt.Sprintf("cannot reach %s: permission denied on a directory above it; run ctui as root", path)}
	case err != nil:
		return &Error{Kind: ErrFailed, Err: err, Msg: fmt.Sprintf("cannot use %s: %v", path, err)}
	case fi.Mode()&fs.ModeSocket == 0:
		return &Error{Kind: ErrNotContainerd, Msg: fmt.Sprintf("%s is not a socket (it is a %s)", path, fileKind(fi))}
	}
	if err := syscall.Access(path, 2 /* W_OK */); err != nil {
		return &Error{Kind: ErrPermission, Err: err, Msg: permissionSentence(path, fi)}
	}
	return nil
}

// IsSocket reports whether path exists and is a unix socket.
func IsSocket(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.Mode()&fs.ModeSocket != 0
}

func fileKind(fi fs.FileInfo) string {
	switch {
	case fi.IsDir():
		return "directory"
	case fi.Mode().IsRegular():
		return "regular file"
	}
	return fi.Mode().Type().String()
}

func permissionSentence(path string, fi fs.FileInfo) string {
	msg := fmt.Sprintf("permission denied on %s (mode %s", path, fi.Mode().Perm())
	if st, ok := fi.Sys().(*syscall.Stat_t); ok {
		msg += fmt.Sprintf(", owner uid %d, group gid %d", st.Uid, st.Gid)
	}
	return msg + "); run ctui as root (sudo ctui) or as a member of the socket's group"
}
