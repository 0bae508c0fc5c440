package backend

import "errors"

// Kinds of registry failure, added beside the daemon ones in errors.go. The
// UI offers a different next step for each: a credentials dialog for
// ErrAuth and ErrNeedPassword, a pointer to hosts.toml for ErrTLS and
// ErrPlainHTTP, a retry for ErrNetwork.
var (
	// ErrAuth: the registry refused the credentials sent, or asked for
	// credentials none of the configured sources had (HTTP 401/403).
	ErrAuth = errors.New("registry authentication failed")
	// ErrNeedPassword: a user name was given without a password (as
	// `ctr -u user` or `crictl --creds user`), so the password has to be
	// asked for with echo off before anything is sent.
	ErrNeedPassword = errors.New("password needed")
	// ErrTLS: the registry's certificate was not trusted, did not match
	// its name, or the TLS handshake failed.
	ErrTLS = errors.New("registry TLS failure")
	// ErrPlainHTTP: the registry speaks plain HTTP where HTTPS was tried.
	ErrPlainHTTP = errors.New("registry speaks plain HTTP")
	// ErrNetwork: the registry host could not be reached (unknown name,
	// connection refused, timeout).
	ErrNetwork = errors.New("registry unreachable")
)
