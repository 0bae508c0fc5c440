package cri

import (
	"context"
	"fmt"
	"strings"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	runtimeapi "k8s.io/cri-api/pkg/apis/runtime/v1"

	"github.com/ctui/ctui/backend"
)

// PullImage pulls an image as kubelet does: through CRI, so the daemon's own
// registry configuration (config_path hosts.toml, mirrors, auths) applies and
// the image lands where kubelet looks for it, named by tag, digest and id.
// Credentials go in the request as crictl sends them: o.Creds
// ("user:password", crictl --creds) or o.Auth (base64, crictl --auth). CRI
// reports no progress, so the UI shows a pull without a bar.
//
// The pull is not bounded by the client's per-call timeout (crictl's rule:
// its --timeout does not apply to pull); ctx alone ends it. It returns the
// image reference CRI gives (the image id).
var _ backend.CRIPuller = (*Client)(nil)

func (c *Client) PullImage(ctx context.Context, o backend.CRIPullOptions) (string, error) {
	what := "pull " + o.Ref + " through CRI"
	if strings.TrimSpace(o.Ref) == "" {
		return "", backend.Errorf(backend.ErrInvalid, "pull: no image reference given")
	}
	ref, err := backend.NormalizeRef(o.Ref)
	if err != nil {
		return "", err
	}
	what = "pull " + ref + " through CRI"
	auth, err := criAuth(o, ref)
	if err != nil {
		return "", err
	}
	r, err := c.images.PullImage(ctx, &runtimeapi.PullImageRequest{Image: &runtimeapi.ImageSpec{Image: ref}, Auth: auth})
	if err != nil {
		return "", c.pullError(ctx, err, what, ref, auth)
	}
	return r.ImageRef, nil
}

// criAuth builds the request's AuthConfig as crictl does: no ServerAddress
// unless one was given (containerd then parses it as a URL and ignores the
// credentials unless its host is the registry's, so a bare host:port would
// only break the pull).
func criAuth(o backend.CRIPullOptions, ref string) (*runtimeapi.AuthConfig, error) {
	if o.Creds == "" && o.Auth == "" {
		return nil, nil
	}
	if o.Creds != "" && o.Auth != "" {
		return nil, backend.Errorf(backend.ErrInvalid, "pull %s: give either user:password or an auth string, not both (as crictl --creds and --auth)", ref)
	}
	host, _, _ := strings.Cut(ref, "/")
	a := &runtimeapi.AuthConfig{ServerAddress: o.ServerAddress}
	if o.Auth != "" {
		a.Auth = o.Auth
		return a, nil
	}
	user, pass, _ := strings.Cut(o.Creds, ":")
	if pass == "" {
		return nil, backend.Errorf(backend.ErrNeedPassword, "password needed for user %s to log in to %s", user, host)
	}
	a.Username, a.Password = user, pass
	return a, nil
}

// pullError words a CRI pull failure. CRI carries the daemon's whole error
// chain as one message with code Unknown, so the kind is read from its text;
// the message is the daemon's, which never holds the password, but it is
// checked for it anyway before it is shown.
func (c *Client) pullError(ctx context.Context, err error, what, ref string, auth *runtimeapi.AuthConfig) error {
	if ctx.Err() != nil {
		return &backend.Error{Kind: backend.ErrCanceled, Err: err, Msg: what + ": canceled; containerd drops what it fetched for it"}
	}
	s, ok := status.FromError(err)
	if !ok || s.Code() != codes.Unknown {
		return c.imgErr(err, what)
	}
	msg := s.Message()
	if auth != nil && auth.Password != "" {
		msg = strings.ReplaceAll(msg, auth.Password, "<password>")
	}
	if auth != nil && auth.Auth != "" {
		msg = strings.ReplaceAll(msg, auth.Auth, "<auth>")
	}
	host, _, _ := strings.Cut(ref, "/")
	low := strings.ToLower(msg)
	kind, hint := backend.ErrFailed, ""
	switch {
	case strings.Contains(low, "401 unauthorized"), strings.Contains(low, "authorization failed"), strings.Contains(low, "pull access denied"),
		strings.Contains(low, "403 forbidden"), strings.Contains(low, "unauthorized"):
		kind = backend.ErrAuth
		if auth == nil {
			hint = fmt.Sprintf("%s requires credentials: give user:password (crictl --creds) or put them in containerd's registry configuration", host)
		} else {
			who := auth.Username
			if who == "" {
				who = "the auth string"
			}
			hint = fmt.Sprintf("%s refused the credentials of %s: wrong user name or password, or no access to this repository", host, who)
		}
	case strings.Contains(low, "not found"):
		kind, hint = backend.ErrNotFound, fmt.Sprintf("%s not found on %s: no such repository, or no such tag or digest in it", ref, host)
	case strings.Contains(low, "x509"), strings.Contains(low, "certificate"):
		kind, hint = backend.ErrTLS, fmt.Sprintf("containerd does not trust the certificate of %s; set ca or skip_verify in its hosts.toml under containerd's config_path", host)
	case strings.Contains(low, "server gave http response to https client"):
		kind, hint = backend.ErrPlainHTTP, fmt.Sprintf("%s speaks plain HTTP; tell containerd with server = \"http://%s\" in its hosts.toml under config_path", host, host)
	case strings.Contains(low, "connection refused"), strings.Contains(low, "no such host"), strings.Contains(low, "i/o timeout"), strings.Contains(low, "no route to host"):
		kind, hint = backend.ErrNetwork, fmt.Sprintf("containerd cannot reach %s", host)
	case strings.Contains(low, "no space left"):
		hint = "the disk holding containerd's root is full"
	}
	if hint == "" {
		return &backend.Error{Kind: kind, Err: err, Msg: what + ": " + msg}
	}
	return &backend.Error{Kind: kind, Err: err, Msg: fmt.Sprintf("%s: %s (containerd says: %s)", what, hint, msg)}
}

// RemoveImage removes an image through CRI as `crictl rmi` does: id is an
// image id, id prefix or a ref; containerd resolves it and deletes every
// name of the image (tag, digest and id refs) in k8s.io. CRI answers success
// for an image it does not have, so ctui asks first and says so.
func (c *Client) RemoveImage(ctx context.Context, id string) error {
	what := "remove image " + id + " through CRI"
	uctx, cancel := c.unary(ctx)
	defer cancel()
	st, err := c.images.ImageStatus(uctx, &runtimeapi.ImageStatusRequest{Image: &runtimeapi.ImageSpec{Image: id}})
	if err != nil {
		return c.imgErr(err, what)
	}
	if st.Image == nil {
		return backend.Errorf(backend.ErrNotFound, "%s: CRI knows no image %s", what, id)
	}
	if _, err := c.images.RemoveImage(uctx, &runtimeapi.RemoveImageRequest{Image: &runtimeapi.ImageSpec{Image: st.Image.Id}}); err != nil {
		return c.imgErr(err, what)
	}
	return nil
}
