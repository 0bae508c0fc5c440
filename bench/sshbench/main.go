// Command sshbench serves a node reached over a slow SSH link, for
// bench/ssh.sh: a throwaway containerd seeded with image names, Debian's
// sshd on loopback in front of it (backend/testbed, as the remote-node tests
// use it), and a TCP proxy in front of sshd that delays every byte by
// --delay in each direction (this kernel has no netem). It prints the
// arguments that point bench/tmuxbench at that node, `--address
// ssh://ctuitest@127.0.0.1:PORT?sudo --ctr WRAPPER`, where WRAPPER runs `ssh
// node sudo -n ctr ...` over the same delayed link, and the CTUI_SSH value to
// export, then keeps everything until interrupted.
//
// The test user (not root) is benchmarked: root's shell start-up on these
// machines (.bashrc runs pyenv init) would add seconds to every ssh command.
//
//	go run ./bench/sshbench --version 1.6 --images 10000 --delay 50ms
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"
	"time"

	"github.com/ctui/ctui/backend/testbed"
	"github.com/ctui/ctui/bench/internal/seed"
)

func main() {
	f := seed.Define(seed.Flags{Namespace: "default", Images: 10000, Containers: -1})
	delay := flag.Duration("delay", 50*time.Millisecond, "latency added in each direction")
	flag.Parse()
	if err := serve(f, *delay); err != nil {
		fmt.Fprintln(os.Stderr, "sshbench:", err)
		os.Exit(1)
	}
}

func serve(f *seed.Flags, delay time.Duration) error {
	d, _, err := f.StartSeeded(context.Background())
	if err != nil {
		return err
	}
	defer d.Stop()
	v, ns, nImages := d.Version, f.Namespace, f.Images
	dir, err := os.MkdirTemp("", "sshbench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	s, err := testbed.NewSSHD(dir, d.Socket)
	if err != nil {
		return err
	}
	defer s.Stop()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return err
	}
	defer l.Close()
	go proxy(l, s.Addr(), delay)
	port := l.Addr().(*net.TCPAddr).Port

	// The delayed port has the same host key as sshd's own.
	kh, err := os.ReadFile(s.KnownHosts)
	if err != nil {
		return err
	}
	if err := os.WriteFile(s.KnownHosts, append(kh, []byte(fmt.Sprintf("\n[127.0.0.1]:%d %s", port, hostKey(kh)))...), 0o644); err != nil {
		return err
	}
	wrapper := filepath.Join(dir, "ctr-over-ssh")
	script := fmt.Sprintf(`#!/bin/sh
# ctr on the node over the delayed link; tmuxbench passes -a ADDRESS first.
[ "$1" = -a ] && shift 2
exec %s -p %d -l %s 127.0.0.1 -- sudo -n %s -a %s "$@"
`, s.SSHCommand, port, s.User, d.CtrPath, d.Socket)
	if err := os.WriteFile(wrapper, []byte(script), 0o755); err != nil {
		return err
	}
	fmt.Printf("containerd %s with %d image names in %s, sshd %s, delayed %v each way at 127.0.0.1:%d\n", v, nImages, ns, s.Addr(), delay, port)
	fmt.Printf("CTUI_SSH=%s\n", s.SSHCommand)
	fmt.Printf("ARGS=--address ssh://%s@127.0.0.1:%d?sudo --ctr %s\n", s.User, port, wrapper)
	sig := make(chan os.Signal, 1)
	signal.Notify(sig, os.Interrupt, syscall.SIGTERM)
	<-sig
	return nil
}

// hostKey is the key part ("ssh-ed25519 AAAA...") of a known_hosts line.
func hostKey(line []byte) string {
	f := string(line)
	for i := 0; i < len(f); i++ {
		if f[i] == ' ' {
			return f[i+1:]
		}
	}
	return f
}

// proxy accepts connections and relays each to target with delay added to
// every chunk in each direction, in order, without limiting throughput.
func proxy(l net.Listener, target string, delay time.Duration) {
	for {
		c, err := l.Accept()
		if err != nil {
			return
		}
		go func() {
			u, err := net.Dial("tcp", target)
			if err != nil {
				c.Close()
				return
			}
			go delayed(u, c, delay)
			delayed(c, u, delay)
		}()
	}
}

type chunk struct {
	at   time.Time
	data []byte
}

// delayed copies from src to dst, each chunk written delay after it was
// read; it closes dst's write side when src ends.
func delayed(dst, src net.Conn, delay time.Duration) {
	q := make(chan chunk, 4096)
	go func() {
		defer close(q)
		for {
			b := make([]byte, 32<<10)
			n, err := src.Read(b)
			if n > 0 {
				q <- chunk{time.Now().Add(delay), b[:n]}
			}
			if err != nil {
				return
			}
		}
	}()
	for c := range q {
		time.Sleep(time.Until(c.at))
		if _, err := dst.Write(c.data); err != nil {
			break
		}
	}
	if tc, ok := dst.(*net.TCPConn); ok {
		tc.CloseWrite()
	} else {
		dst.Close()
	}
	io.Copy(io.Discard, src)
}
