package testbed

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"io"
	"os"
)

// NoShellImage is an image with no shell at all, as distroless and scratch
// images are: its only file is busybox installed as /sleep (busybox picks the
// applet from its name), and its command sleeps forever. Exec tests use it
// for "no shell in this image".
const NoShellImage = "localhost/test/noshell:latest"

// ImportNoShellImage imports NoShellImage into namespace ns and unpacks it.
// Importing again is harmless.
func (d *Daemon) ImportNoShellImage(ctx context.Context, ns string) error {
	var buf bytes.Buffer
	if err := NoShellLayoutTar(&buf); err != nil {
		return err
	}
	_, err := d.ImportTar(ctx, ns, &buf)
	return err
}

// NoShellLayoutTar writes an OCI layout tar holding NoShellImage.
func NoShellLayoutTar(w io.Writer) error {
	bbPath, err := BusyboxPath()
	if err != nil {
		return err
	}
	bb, err := os.ReadFile(bbPath)
	if err != nil {
		return err
	}
	var blob bytes.Buffer
	lw, err := newLayerWriter(&blob, gzip.DefaultCompression)
	if err != nil {
		return err
	}
	for _, h := range []*tar.Header{
		{Typeflag: tar.TypeDir, Name: "dev/", Mode: 0o755},
		{Typeflag: tar.TypeDir, Name: "proc/", Mode: 0o555},
		{Typeflag: tar.TypeDir, Name: "sys/", Mode: 0o555},
		{Typeflag: tar.TypeReg, Name: "sleep", Mode: 0o755, Size: int64(len(bb))},
	} {
		h.ModTime, h.Format = imageTime, tar.FormatPAX
		if err := lw.Tar.WriteHeader(h); err != nil {
			return err
		}
	}
	if _, err := lw.Tar.Write(bb); err != nil {
		return err
	}
	ly, err := lw.close()
	if err != nil {
		return err
	}
	l := newLayout()
	l.addLayerBytes(ly.desc, blob.Bytes())
	if err := l.addImage(ImageSpec{Ref: NoShellImage, Cmd: []string{"/sleep", "2147483647"}}, []layer{ly}); err != nil {
		return err
	}
	return l.writeTar(w)
}
