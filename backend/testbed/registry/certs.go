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

// makeCerts writes a CA (ca.crt), a server certificate for opts.TLSNames
// signed by it (server.crt, server.key) and, with ClientCerts, a client
// certificate (client.cert, client.key: the names Docker's certs.d layout
// uses). Everything is made here with crypto/x509 so no test depends on a
// certificate that expires or on openssl.
func (r *Registry) makeCerts(opts Options) error {
	names := opts.TLSNames
	if len(names) == 0 {
		names = []string{"127.0.0.1", "localhost"}
	}
	caKey, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return err
	}
	now := time.Now()
	caTmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "ctui test CA"},
		NotBefore:             now.Add(-time.Hour),
		NotAfter:              now.Add(24 * time.Hour),
		KeyUsage:              x509.KeyUsageCertSign | x509.KeyUsageDigitalSignature,
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	caDER, err := x509.CreateCertificate(rand.Reader, caTmpl, caTmpl, &caKey.PublicKey, caKey)
	if err != nil {
		return err
	}
	ca, err := x509.ParseCertificate(caDER)
	if err != nil {
		return err
	}
	r.CAFile = filepath.Join(r.Dir, "ca.crt")
	if err := writePEM(r.CAFile, "CERTIFICATE", caDER); err != nil {
		return err
	}

	leaf := func(serial int64, cn string, usage x509.ExtKeyUsage, sans []string, certPath, keyPath string) (tls.Certificate, error) {
		key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			return tls.Certificate{}, err
		}
		tmpl := &x509.Certificate{
			SerialNumber: big.NewInt(serial),
			Subject:      pkix.Name{CommonName: cn},
			NotBefore:    now.Add(-time.Hour),
			NotAfter:     now.Add(24 * time.Hour),
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
	if _, err := leaf(2, names[0], x509.ExtKeyUsageServerAuth, names,
		filepath.Join(r.Dir, "server.crt"), filepath.Join(r.Dir, "server.key")); err != nil {
		return err
	}
	pool := x509.NewCertPool()
	pool.AddCert(ca)
	// The harness's own client verifies the name it dials (127.0.0.1)
	// only against the CA, so a TLSNames mismatch set up for a test does
	// not stop the harness from pushing.
	r.tls = &tls.Config{
		RootCAs:            pool,
		InsecureSkipVerify: true,
		VerifyPeerCertificate: func(raw [][]byte, _ [][]*x509.Certificate) error {
			cert, err := x509.ParseCertificate(raw[0])
			if err != nil {
				return err
			}
			_, err = cert.Verify(x509.VerifyOptions{Roots: pool})
			return err
		},
	}
	if opts.ClientCerts {
		r.ClientCert = filepath.Join(r.Dir, "client.cert")
		r.ClientKey = filepath.Join(r.Dir, "client.key")
		c, err := leaf(3, "ctui test client", x509.ExtKeyUsageClientAuth, nil, r.ClientCert, r.ClientKey)
		if err != nil {
			return err
		}
		r.tls.Certificates = []tls.Certificate{c}
	}
	return nil
}

func writePEM(path, typ string, der []byte) error {
	return os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: typ, Bytes: der}), 0o600)
}
