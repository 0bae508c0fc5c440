package containerd

import (
	"context"
	"fmt"
	"io"
	"sync/atomic"

	"github.com/containerd/containerd/v2/client"
	"github.com/containerd/containerd/v2/core/content"
	"google.golang.org/grpc"
)

// A client-side pull (client.Pull, the path every daemon from 1.6 on
// serves) copies each blob from the registry into the daemon's content store
// with one gRPC Write per MiB, and each Write waits for the daemon to store
// and hash the chunk before the next is read from the network: the two never
// overlap. ctr 2.x pulls through the transfer service inside the daemon and
// has no such hop, which on a loopback registry made it a third faster.
// opsPipeStore overlaps them: the blob is read in 2 MiB chunks while the
// previous one is being written.

// opsPullClient is a client on the same connection whose content store
// writes through opsPipeStore. It shares c's connection and must not be
// closed.
func (c *Client) opsPullClient() (*client.Client, error) {
	conn, ok := c.c.Conn().(*grpc.ClientConn)
	if !ok {
		return nil, fmt.Errorf("containerd client has no gRPC connection")
	}
	return client.NewWithConn(conn, client.WithServices(client.WithContentStore(opsPipeStore{c.c.ContentStore()})))
}

// opsPipeStore is a content store whose writers pipeline their input.
type opsPipeStore struct{ content.Store }

// Writer opens an ingest whose ReadFrom overlaps reading and writing.
func (s opsPipeStore) Writer(ctx context.Context, opts ...content.WriterOpt) (content.Writer, error) {
	w, err := s.Store.Writer(ctx, opts...)
	if err != nil {
		return nil, err
	}
	return &opsPipeWriter{Writer: w}, nil
}

type opsPipeWriter struct{ content.Writer }

const (
	opsPipeChunk = 2 << 20 // bytes per gRPC Write; the daemon accepts 16 MiB messages
	opsPipeDepth = 2       // chunks queued for writing while the next is read
)

// ReadFrom is what content.Copy uses when the writer has it: it reads r in
// chunks and hands each to a writer goroutine, so the next chunk downloads
// while the daemon stores the last. Order is kept (one writer goroutine, a
// FIFO queue); the first write error stops the reading.
func (w *opsPipeWriter) ReadFrom(r io.Reader) (int64, error) {
	full := make(chan []byte, opsPipeDepth)
	free := make(chan []byte, opsPipeDepth+1)
	for range opsPipeDepth + 1 {
		free <- make([]byte, opsPipeChunk)
	}
	var failed atomic.Bool
	werr := make(chan error, 1)
	go func() {
		var err error
		for b := range full {
			if err == nil {
				if _, err = w.Writer.Write(b); err != nil {
					failed.Store(true)
				}
			}
			free <- b[:cap(b)]
		}
		werr <- err
	}()
	var n int64
	var rerr error
	for !failed.Load() {
		b := <-free
		nr, err := io.ReadFull(r, b)
		if nr > 0 {
			full <- b[:nr]
			n += int64(nr)
		}
		if err == io.EOF || err == io.ErrUnexpectedEOF {
			break
		}
		if err != nil {
			rerr = err
			break
		}
	}
	close(full)
	if err := <-werr; err != nil {
		return n, err
	}
	return n, rerr
}
