package registry

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"path/filepath"
	"strings"
	"syscall"

	"github.com/containerd/containerd/v2/core/remotes/docker"
	remoteerrors "github.com/containerd/containerd/v2/core/remotes/errors"
	"github.com/containerd/errdefs"

	"github.com/ctui/ctui/backend"
)

// Error turns an error from this resolution's resolver, or from a pull or
// push that used it, into a *backend.Error whose message an operator can
// act on: it names the host that failed and the file or option to change.
// what names the operation ("pull 127.0.0.1:5000/app:v1"). Messages never
// hold a secret: they are built from host names, user names and file paths,
// and the cause kept in Err is containerd's error, which carries URLs and
// statuses but not credentials.
func (r *Resolution) Error(err error, what string) error {
	if err == nil {
		return nil
	}
	var be *backend.Error
	if errors.As(err, &be) {
		return be
	}
	wrap := func(kind error, format string, args ...any) error {
		return &backend.Error{Kind: kind, Err: err, Msg: what + ": " + fmt.Sprintf(format, args...)}
	}
	host := failingHost(err, r.Host)
	hs, _ := r.hosts.get(r.Host)
	tried := r.tried(hs)

	switch {
	case errors.Is(err, context.Canceled):
		return wrap(backend.ErrCanceled, "canceled")
	case errors.Is(err, context.DeadlineExceeded):
		return wrap(backend.ErrTimeout, "%s did not answer in time%s", host, tried)
	}

	// TLS before network: a handshake failure is also a *net.OpError.
	var unknownCA x509.UnknownAuthorityError
	var hostnameErr x509.HostnameError
	var invalidCert x509.CertificateInvalidError
	var verifyErr *tls.CertificateVerificationError
	var alert tls.AlertError
	switch {
	case errors.As(err, &unknownCA):
		if r.skipVerify(hs, host) {
			return wrap(backend.ErrTLS, "the certificate of %s is signed by an unknown authority even though skip_verify is set; %s", host, tlsDetail(err))
		}
		return wrap(backend.ErrTLS, "the certificate of %s is signed by an authority this node does not trust; %s", host, r.trustHint(hs, host))
	case errors.As(err, &hostnameErr):
		names := certNames(hostnameErr.Certificate)
		return wrap(backend.ErrTLS, "the certificate of %s is not valid for that name (it is for %s); use a name the certificate was issued for in the reference or the server/host URL, or %s",
			host, names, r.skipHint(hs, host))
	case errors.As(err, &invalidCert):
		return wrap(backend.ErrTLS, "the certificate of %s cannot be used: %s; %s", host, invalidCert.Error(), r.skipHint(hs, host))
	case errors.As(err, &verifyErr):
		return wrap(backend.ErrTLS, "the certificate of %s failed verification: %s", host, tlsDetail(err))
	case errors.As(err, &alert) || strings.Contains(err.Error(), "tls: certificate required") || strings.Contains(err.Error(), "remote error: tls:"):
		if strings.Contains(err.Error(), "certificate required") || strings.Contains(err.Error(), "bad certificate") || strings.Contains(err.Error(), "unknown certificate authority") {
			return wrap(backend.ErrTLS, "%s demands a client certificate it trusts; set client = [[\"cert.pem\", \"key.pem\"]] in %s, or put client.cert and client.key there%s",
				host, r.hostsFileFor(hs, host), r.alreadySkip(hs, host))
		}
		return wrap(backend.ErrTLS, "the TLS handshake with %s failed: %s%s", host, tlsDetail(err), r.alreadySkip(hs, host))
	case errors.Is(err, http.ErrSchemeMismatch):
		if hs != nil && hs.kind == "hosts.toml" {
			return wrap(backend.ErrPlainHTTP, "%s speaks plain HTTP, not HTTPS; write its URL as http://%s in %s",
				host, host, hs.source)
		}
		return wrap(backend.ErrPlainHTTP, "%s speaks plain HTTP, not HTTPS; pull with plain HTTP (ctr --plain-http), or write server = \"http://%s\" in %s",
			host, host, r.hostsFileFor(hs, host))
	}

	var dnsErr *net.DNSError
	switch {
	case errors.As(err, &dnsErr):
		return wrap(backend.ErrNetwork, "cannot find registry host %s: the name does not resolve on this node (%s)%s", host, dnsErr.Err, tried)
	case errors.Is(err, syscall.ECONNREFUSED):
		return wrap(backend.ErrNetwork, "nothing listens at %s (connection refused); is the registry running and the port right?%s", host, tried)
	case errors.Is(err, syscall.EHOSTUNREACH), errors.Is(err, syscall.ENETUNREACH):
		return wrap(backend.ErrNetwork, "no route to %s from this node%s", host, tried)
	case errors.Is(err, syscall.ECONNRESET):
		return wrap(backend.ErrNetwork, "%s closed the connection%s", host, tried)
	}
	var netErr net.Error
	if errors.As(err, &netErr) && netErr.Timeout() {
		return wrap(backend.ErrNetwork, "%s did not answer in time%s", host, tried)
	}

	var status remoteerrors.ErrUnexpectedStatus
	if errors.As(err, &status) {
		return r.statusError(wrap, status, host, hs)
	}
	switch {
	case errors.Is(err, docker.ErrInvalidAuthorization):
		return wrap(backend.ErrAuth, "%s", r.authSentence(host))
	case errdefs.IsNotFound(err):
		return wrap(backend.ErrNotFound, "%s not found on %s: no such repository, or no such tag or digest in it%s", r.Ref, r.Host, tried)
	case errdefs.IsNotImplemented(err):
		return wrap(backend.ErrUnsupported, "%s", err.Error())
	}
	var urlErr *url.Error
	if errors.As(err, &urlErr) {
		return wrap(backend.ErrNetwork, "request to %s failed: %v%s", host, urlErr.Err, tried)
	}
	return wrap(backend.ErrFailed, "%v", err)
}

func (r *Resolution) statusError(wrap func(error, string, ...any) error, st remoteerrors.ErrUnexpectedStatus, host string, hs *hostSet) error {
	if u, err := url.Parse(st.RequestURL); err == nil && u.Host != "" {
		host = u.Host
	}
	body := string(st.Body)
	switch {
	case st.StatusCode == http.StatusUnauthorized:
		return wrap(backend.ErrAuth, "%s", r.authSentence(host))
	case st.StatusCode == http.StatusForbidden:
		who := "anonymous pulls"
		if cred, ok := r.creds.sent(host); ok && (cred.user != "" || cred.secret != "") {
			who = cred.String()
		}
		return wrap(backend.ErrAuth, "%s denied access to %s for %s: the credentials are valid but lack permission for this repository", host, repoOf(r.Ref), who)
	case st.StatusCode == http.StatusNotFound:
		return wrap(backend.ErrNotFound, "%s not found on %s: no such repository, or no such tag or digest in it", r.Ref, host)
	case st.StatusCode == http.StatusBadRequest && strings.Contains(body, "HTTP request to an HTTPS server"):
		return wrap(backend.ErrPlainHTTP, "%s speaks HTTPS but was asked over plain HTTP; drop --plain-http, or write server = \"https://%s\" in %s",
			host, host, r.hostsFileFor(hs, host))
	case st.StatusCode == http.StatusBadRequest && strings.HasPrefix(st.RequestURL, "http:") && st.RequestMethod == http.MethodHead:
		// A HEAD answer has no body to confirm it, but a 400 to a plain
		// HTTP HEAD is what TLS servers (Go's among them) send.
		return wrap(backend.ErrPlainHTTP, "%s answered 400 Bad Request over plain HTTP, as an HTTPS server does; drop --plain-http, or write server = \"https://%s\" in %s",
			host, host, r.hostsFileFor(hs, host))
	case st.StatusCode == http.StatusTooManyRequests:
		return wrap(backend.ErrFailed, "%s is rate-limiting this node (429 Too Many Requests); wait, log in, or use a mirror", host)
	case st.StatusCode >= 500:
		return wrap(backend.ErrFailed, "%s failed on its side (%s); try again later", host, st.Status)
	}
	return wrap(backend.ErrFailed, "%s answered %s to %s %s", host, st.Status, st.RequestMethod, sanitizeURL(st.RequestURL))
}

// authSentence says whether credentials were sent to host and from where,
// or which sources had none; it names the user, never the secret.
func (r *Resolution) authSentence(host string) string {
	cred, ok := r.creds.sent(host)
	if ok && (cred.user != "" || cred.secret != "") {
		return fmt.Sprintf("%s refused the credentials (%s): wrong user name or password, or the account may not pull %s", host, cred, repoOf(r.Ref))
	}
	msg := fmt.Sprintf("%s requires credentials and none were found (%s); give them with --creds user:password, docker login, or registries.yaml configs.%q.auth",
		host, r.creds.sources(), host)
	if notes := r.creds.notes(); len(notes) > 0 {
		msg += "; skipped: " + strings.Join(notes, "; ")
	}
	return msg
}

// tried lists the endpoints when there was more than one, since containerd
// reports only the most relevant failure of all of them.
func (r *Resolution) tried(hs *hostSet) string {
	if hs == nil || len(hs.endpoints) < 2 {
		return ""
	}
	var urls []string
	for _, ep := range hs.endpoints {
		urls = append(urls, ep.Scheme+"://"+ep.Host+ep.Path)
	}
	return " (tried " + strings.Join(urls, ", then ") + ")"
}

func (r *Resolution) skipVerify(hs *hostSet, host string) bool {
	if hs == nil {
		return false
	}
	if ep, ok := hs.endpointFor(host); ok {
		if t := hs.endpointTLS(ep); t != nil {
			return t.InsecureSkipVerify
		}
	}
	return false
}

func (r *Resolution) alreadySkip(hs *hostSet, host string) string {
	if r.skipVerify(hs, host) {
		return " (skip_verify is already set for it, so this is not about trusting its certificate)"
	}
	return ""
}

// trustHint says where a CA for host goes, in the file that configures it.
func (r *Resolution) trustHint(hs *hostSet, host string) string {
	if hs != nil && hs.kind == "registries.yaml" {
		return fmt.Sprintf("trust its CA with configs.%q.tls.ca_file in %s (or insecure_skip_verify: true)", host, hs.source)
	}
	return fmt.Sprintf("trust its CA with ca = \"/path/to/ca.crt\" in %s (or skip_verify = true), or put the CA as a .crt file in that directory", r.hostsFileFor(hs, host))
}

func (r *Resolution) skipHint(hs *hostSet, host string) string {
	if hs != nil && hs.kind == "registries.yaml" {
		return fmt.Sprintf("set configs.%q.tls.insecure_skip_verify: true in %s", host, hs.source)
	}
	return fmt.Sprintf("set skip_verify = true in %s", r.hostsFileFor(hs, host))
}

// hostsFileFor is the hosts.toml an operator should edit for host: the
// one in use when it came from a hosts directory, else where containerd
// would look first (<first root>/<host_port_>/hosts.toml).
func (r *Resolution) hostsFileFor(hs *hostSet, host string) string {
	if hs != nil && hs.kind == "hosts.toml" {
		return hs.source
	}
	root := "/etc/containerd/certs.d"
	if len(r.hosts.hostsDirs) > 0 {
		root = r.hosts.hostsDirs[0]
	}
	return filepath.Join(root, hostDirName(r.Host), "hosts.toml")
}

// hostDirName is containerd's hostDirectory: host:port -> host_port_.
func hostDirName(host string) string {
	if i := strings.LastIndex(host, ":"); i > 0 {
		return host[:i] + "_" + host[i+1:] + "_"
	}
	return host
}

// failingHost is the host:port of the request that failed, from the URL in
// the error chain, else def.
func failingHost(err error, def string) string {
	var urlErr *url.Error
	if errors.As(err, &urlErr) {
		if u, perr := url.Parse(urlErr.URL); perr == nil && u.Host != "" {
			return u.Host
		}
	}
	var st remoteerrors.ErrUnexpectedStatus
	if errors.As(err, &st) {
		if u, perr := url.Parse(st.RequestURL); perr == nil && u.Host != "" {
			return u.Host
		}
	}
	return def
}

func certNames(c *x509.Certificate) string {
	if c == nil {
		return "other names"
	}
	var names []string
	for _, ip := range c.IPAddresses {
		names = append(names, ip.String())
	}
	names = append(names, c.DNSNames...)
	if len(names) == 0 && c.Subject.CommonName != "" {
		names = append(names, c.Subject.CommonName+" (common name only, which Go does not accept)")
	}
	return strings.Join(names, ", ")
}

// tlsDetail is the innermost TLS message without the URL and method.
func tlsDetail(err error) string {
	var urlErr *url.Error
	if errors.As(err, &urlErr) {
		return urlErr.Err.Error()
	}
	return err.Error()
}

func repoOf(ref string) string {
	if i := strings.LastIndexAny(ref, "@"); i > 0 {
		ref = ref[:i]
	}
	if i := strings.LastIndex(ref, ":"); i > strings.LastIndex(ref, "/") {
		ref = ref[:i]
	}
	return ref
}

// sanitizeURL drops a query (mirrors get ?ns=, uploads carry state) and any
// user info.
func sanitizeURL(s string) string {
	u, err := url.Parse(s)
	if err != nil {
		return s
	}
	u.User, u.RawQuery = nil, ""
	return u.String()
}
