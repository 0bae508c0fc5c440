package registry

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"time"
)

// The certificates' validity around the time they are made: a day's slack
// before it for a clock that differs a little, a year after it so that
// no test run outlives them.
const (
	validBefore = 24 * time.Hour
	validAfter  = 365 * 24 * time.Hour
)

// Certs are PEM files MakeCerts wrote.
type Certs struct {
	CAFile                string // ca.crt
	ServerCert, ServerKey string // server.crt, server.key
	ClientCert, ClientKey string // client.cert, client.key: Docker's certs.d names
	Pool                  *x509.CertPool
	Client                tls.Certificate
}

// makeCerts makes the registry's certificates and the harness's TLS client
// configuration.
func (r *Registry) makeCerts(opts Options) error {
	c, err := MakeCerts(r.Dir, opts.TLSNames)
	if err != nil {
		return err
	}
	r.CAFile = c.CAFile
	// The harness's own client verifies the name it dials (127.0.0.1)
	// only against the CA, so a TLSNames mismatch set up for a test does
	// not stop the harness from pushing.
	r.tls = &tls.Config{
		RootCAs:            c.Pool,
		InsecureSkipVerify: true,
		VerifyPeerCertificate: func(raw [][]byte, _ [][]*x509.Certificate) error {
			cert, err := x509.ParseCertificate(raw[0])
			if err != nil {
				return err
			}
			_, err = cert.Verify(x509.VerifyOptions{Roots: c.Pool})
			return err
		},
	}
	if opts.ClientCerts {
		r.ClientCert, r.ClientKey = c.ClientCert, c.ClientKey
		r.tls.Certificates = []tls.Certificate{c.Client}
	}
	return nil
}

// MakeCerts writes into dir a CA (ca.crt), a server certificate for names
// signed by it (server.crt, server.key; default names 127.0.0.1 and
// localhost) and a client certificate (client.cert, client.key).
// Everything is made with crypto/x509 so no test depends on openssl or on a
// checked-in certificate that expires. They are valid around the wall
// clock, which is what containerd, the registry and Go's TLS check them
// against (not a test's clock).
func MakeCerts(dir string, names []string) (*Certs, error) {
	return MakeCertsAt(dir, names, time.Now())
}

// MakeCertsAt is MakeCerts with certificates valid from a day before now
// to a year after it.
func MakeCertsAt(dir string, names []string, now time.Time) (*Certs, error) {
	if len(names) == 0 {
		names = []string{"127.0.0.1", "localhost"}
	}
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, err
	}
	caTmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "ctui test CA"},
		NotBefore:             now.Add(-validBefore),
		NotAfter:              now.Add(validAfter),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		return nil, err
	}
	ca, err := x509.ParseCertificate(caDER)
	if err != nil {
		return nil, err
	}
	c := &Certs{
		CAFile:     filepath.Join(dir, "ca.crt"),
		ServerCert: filepath.Join(dir, "server.crt"), ServerKey: filepath.Join(dir, "server.key"),
		ClientCert: filepath.Join(dir, "client.cert"), ClientKey: filepath.Join(dir, "client.key"),
		Pool: x509.NewCertPool(),
	}
	c.Pool.AddCert(ca)
	if err := writePEM(c.CAFile, "CERTIFICATE", caDER); err != nil {
		return nil, err
	}

	leaf := func(serial int64, cn string, usage x509.ExtKeyUsage, sans []string, certPath, keyPath string) (tls.Certificate, error) {
		key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			return tls.Certificate{}, err
		}
		tmpl := &x509.Certificate{
			SerialNumber: big.NewInt(serial),
			Subject:      pkix.Name{CommonName: cn},
			NotBefore:    now.Add(-validBefore),
			NotAfter:     now.Add(validAfter),
			KeyUsage:     x509.KeyUsageDigitalSignature,
			ExtKeyUsage:  []x509.ExtKeyUsage{usage},
		}
		for _, n := range sans {
			if ip := net.ParseIP(n); ip != nil {
				tmpl.IPAddresses = append(tmpl.IPAddresses, ip)
			} else {
				tmpl.DNSNames = append(tmpl.DNSNames, n)
			}
		}
		der, err := x509.CreateCertificate(rand.Reader, tmpl, ca, &key.PublicKey, caKey)
		if err != nil {
			return tls.Certificate{}, err
		}
		keyDER, err := x509.MarshalECPrivateKey(key)
		if err != nil {
			return tls.Certificate{}, err
		}
		if err := writePEM(certPath, "CERTIFICATE", der); err != nil {
			return tls.Certificate{}, err
		}
		if err := writePEM(keyPath, "EC PRIVATE KEY", keyDER); err != nil {
			return tls.Certificate{}, err
		}
		return tls.LoadX509KeyPair(certPath, keyPath)
	}
	if _, err := leaf(2, names[0], x509.ExtKeyUsageServerAuth, names, c.ServerCert, c.ServerKey); err != nil {
		return nil, err
	}
	if c.Client, err = leaf(3, "ctui test client", x509.ExtKeyUsageClientAuth, nil, c.ClientCert, c.ClientKey); err != nil {
		return nil, err
	}
	return c, nil
}

func writePEM(path, typ string, der []byte) error {
	return os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}), 0o600)
}
