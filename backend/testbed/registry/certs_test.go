package registry

import (
	"crypto/x509"
	"encoding/pem"
	"os"
	"testing"
	"time"

	"github.com/ctui/ctui/backend/testbed/testclock"
)

// The certificates hold at the time they are made for, whatever day that
// is, and not long after a year.
func TestCertsValidAroundTheirTime(t *testing.T) {
	at := testclock.Now()
	c, err := MakeCertsAt(t.TempDir(), nil, at)
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(c.ServerCert)
	if err != nil {
		t.Fatal(err)
	}
	blk, _ := pem.Decode(b)
	if blk == nil {
		t.Fatal("server.crt holds no PEM block")
	}
	leaf, err := x509.ParseCertificate(blk.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		name string
		at   time.Time
		ok   bool
	}{
		{"when made", at, true},
		{"an hour before (a clock behind)", at.Add(-time.Hour), true},
		{"half a year on", at.AddDate(0, 6, 0), true},
		{"two years on", at.AddDate(2, 0, 0), false},
	} {
		_, err := leaf.Verify(x509.VerifyOptions{Roots: c.Pool, DNSName: "localhost", CurrentTime: tt.at})
		if (err == nil) != tt.ok {
			t.Errorf("%s: verify = %v, want ok %v", tt.name, err, tt.ok)
		}
	}
}
