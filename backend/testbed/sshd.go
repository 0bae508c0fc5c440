package testbed

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// SSHD is Debian's OpenSSH server on a private loopback port, in front of the
// test daemons, for remote-node tests (ssh://). It runs in a mount namespace
// of its own, where private copies of /etc/passwd, /etc/group, /etc/shadow
// and /etc/sudoers add two users that exist nowhere else (and /etc/hosts
// NodeOnlyHost): User, who may run
// anything through sudo without a password (and needs sudo to reach a
// daemon's socket, which is root's), and PasswordUser, whose sudo asks for a
// password. The real /etc is never touched; the users vanish with the
// namespace when sshd ends.
//
// Clients use SSHCommand (ssh -F with a config of the test's own: its key,
// its known_hosts naming the private host key, strict checking), which is
// what CTUI_SSH takes.
type SSHD struct {
	Dir          string
	Port         int
	User         string // non-root, passwordless sudo
	PasswordUser string // non-root, sudo asks for a password
	// SSHCommand is ssh with the test's client config: CTUI_SSH's value.
	SSHCommand string
	// WrongKeyCommand offers a key sshd does not accept;
	// WrongHostKeyCommand expects another host key than sshd's.
	WrongKeyCommand     string
	WrongHostKeyCommand string
	// Autodetected is the socket that appears at the first of the known
	// socket paths (/run/containerd/containerd.sock) on the node, or at
	// AutodetectedAt when set (k3s's /run/k3s/containerd/containerd.sock;
	// under /run, which is sshd's own): both take effect at Start.
	Autodetected   string
	AutodetectedAt string
	// KnownHosts and Key are the client's files (the key has no passphrase).
	KnownHosts string
	Key        string
	cmd        *exec.Cmd
	exited     chan struct{}
}

// NodeOnlyHost is a name only the node behind SSHD resolves (127.0.0.1 in
// its private /etc/hosts): what ctui reaches through it is reached from
// the node, not from ctui's machine.
const NodeOnlyHost = "ctui-node-only.test"

// Test users' ids; well above any distribution's system and login ranges.
const (
	sshUID   = 42420
	sshPWUID = 42421
)

// StartSSHD starts sshd on a free loopback port and stops it, with every
// session it has, when the test ends. It needs root, /usr/sbin/sshd
// (openssh-server) and sudo.
// autodetected ("" for none) is linked from /run/containerd/containerd.sock
// inside sshd's namespace, for autodetection on the node.
func StartSSHD(t testing.TB, autodetected string) *SSHD {
	t.Helper()
	for _, bin := range []string{"/usr/sbin/sshd", "ssh", "ssh-keygen", "sudo", "unshare"} {
		if _, err := exec.LookPath(bin); err != nil {
			t.Skipf("%s not installed (make deps installs openssh-server and sudo): %v", bin, err)
		}
	}
	if os.Geteuid() != 0 {
		t.Skip("sshd on loopback needs root")
	}
	dir, err := os.MkdirTemp("", "ctui-sshd-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	s, err := setupSSHD(dir)
	if s != nil {
		s.Autodetected = autodetected
	}
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Stop)
	return s
}

// StartSSHNode is a remote node for a test: a daemon of version v (Start)
// behind sshd on loopback (StartSSHD), whose socket is also the one
// autodetection on the node finds; both end with the test.
func StartSSHNode(t testing.TB, v Version) (*Daemon, *SSHD) {
	t.Helper()
	d := Start(t, v)
	return d, StartSSHD(t, d.Socket)
}

// EachSSHNode is EachVersion with sshd on loopback in front of each
// daemon (StartSSHD, the daemon's socket also the one autodetection on the
// node finds).
func EachSSHNode(t *testing.T, timeout time.Duration, f func(ctx context.Context, t *testing.T, d *Daemon, s *SSHD)) {
	t.Helper()
	if testing.Short() {
		t.Skip("starts containerd daemons and sshd")
	}
	EachVersion(t, timeout, func(ctx context.Context, t *testing.T, d *Daemon) {
		f(ctx, t, d, StartSSHD(t, d.Socket))
	})
}

// NewSSHD is StartSSHD for a benchmark (no testing.TB): sshd in dir, which
// the caller removes after Stop.
func NewSSHD(dir, autodetected string) (*SSHD, error) {
	s, err := setupSSHD(dir)
	if err != nil {
		return nil, err
	}
	s.Autodetected = autodetected
	return s, s.Start()
}

func setupSSHD(dir string) (*SSHD, error) {
	s := &SSHD{Dir: dir, User: "ctuitest", PasswordUser: "ctuipw",
		KnownHosts: filepath.Join(dir, "known_hosts"), Key: filepath.Join(dir, "id_ed25519")}
	if err := os.Chmod(dir, 0o755); err != nil {
		return nil, err
	}
	for _, key := range []string{"host_ed25519", "id_ed25519", "other_ed25519", "otherhost_ed25519"} {
		if out, err := exec.Command("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "ctui-test", "-f", filepath.Join(dir, key)).CombinedOutput(); err != nil {
			return nil, fmt.Errorf("ssh-keygen: %v: %s", err, out)
		}
	}
	port, err := freePort()
	if err != nil {
		return nil, err
	}
	s.Port = port
	pub, err := os.ReadFile(filepath.Join(dir, "id_ed25519.pub"))
	if err != nil {
		return nil, err
	}
	hostPub, err := os.ReadFile(filepath.Join(dir, "host_ed25519.pub"))
	if err != nil {
		return nil, err
	}
	otherHostPub, err := os.ReadFile(filepath.Join(dir, "otherhost_ed25519.pub"))
	if err != nil {
		return nil, err
	}
	client := func(key, knownHosts string) string {
		return fmt.Sprintf(`Host *
  IdentityFile %s/%s
  IdentitiesOnly yes
  IdentityAgent none
  UserKnownHostsFile %s/%s
  GlobalKnownHostsFile /dev/null
  StrictHostKeyChecking yes
  LogLevel ERROR
`, dir, key, dir, knownHosts)
	}
	home := filepath.Join(dir, "home")
	files := map[string]string{
		"authorized_keys":         string(pub),
		"known_hosts":             fmt.Sprintf("[127.0.0.1]:%d %s", port, hostPub),
		"known_hosts_wrong":       fmt.Sprintf("[127.0.0.1]:%d %s", port, otherHostPub),
		"ssh_config":              client("id_ed25519", "known_hosts"),
		"ssh_config_wrongkey":     client("other_ed25519", "known_hosts"),
		"ssh_config_wronghostkey": client("id_ed25519", "known_hosts_wrong"),
		"sshd_config": fmt.Sprintf(`Port %d
ListenAddress 127.0.0.1
HostKey %s/host_ed25519
AuthorizedKeysFile %s/authorized_keys
StrictModes no
AllowStreamLocalForwarding yes
AllowTcpForwarding yes
UsePAM no
PasswordAuthentication no
KbdInteractiveAuthentication no
PermitRootLogin prohibit-password
PidFile none
LogLevel ERROR
MaxSessions 100
MaxStartups 100
Subsystem sftp /usr/lib/openssh/sftp-server
`, port, dir, dir),
	}
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
			return nil, err
		}
	}
	// Private account files: the real ones plus the test users.
	add := map[string]string{
		"passwd": fmt.Sprintf("%s:x:%d:%d:ctui test:%s:/bin/sh\n%s:x:%d:%d:ctui test:%s:/bin/sh\n", s.User, sshUID, sshUID, home, s.PasswordUser, sshPWUID, sshPWUID, home),
		"group":  fmt.Sprintf("%s:x:%d:\n%s:x:%d:\n", s.User, sshUID, s.PasswordUser, sshPWUID),
		"shadow": fmt.Sprintf("%s:*:19000:0:99999:7:::\n%s:*:19000:0:99999:7:::\n", s.User, s.PasswordUser),
		"hosts":  "127.0.0.1 " + NodeOnlyHost + "\n",
	}
	for name, extra := range add {
		real, err := os.ReadFile("/etc/" + name)
		if err != nil {
			return nil, err
		}
		if len(real) > 0 && real[len(real)-1] != '\n' {
			real = append(real, '\n')
		}
		if err := os.WriteFile(filepath.Join(dir, "etc-"+name), append(real, extra...), 0o644); err != nil {
			return nil, err
		}
	}
	os.Chmod(filepath.Join(dir, "etc-shadow"), 0o640)
	sudoers := fmt.Sprintf("Defaults env_reset\nDefaults secure_path=\"/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin\"\nroot ALL=(ALL:ALL) ALL\n%s ALL=(ALL:ALL) NOPASSWD: ALL\n%s ALL=(ALL:ALL) ALL\n", s.User, s.PasswordUser)
	if err := os.WriteFile(filepath.Join(dir, "etc-sudoers"), []byte(sudoers), 0o440); err != nil {
		return nil, err
	}
	if err := os.MkdirAll(home, 0o755); err != nil {
		return nil, err
	}
	// ssh, with this config, as one command for CTUI_SSH.
	s.SSHCommand = "ssh -F " + filepath.Join(dir, "ssh_config")
	s.WrongKeyCommand = "ssh -F " + filepath.Join(dir, "ssh_config_wrongkey")
	s.WrongHostKeyCommand = "ssh -F " + filepath.Join(dir, "ssh_config_wronghostkey")
	return s, nil
}

// sshdScript runs in the new mount namespace: private /run (sshd's
// privilege-separation directory, sudo's timestamps) and the account files
// bound over the real ones, then sshd in the foreground.
const sshdScript = `set -e
mount --make-rprivate /
mount -t tmpfs -o mode=755 ctui-sshd /run
mkdir -p /run/sshd
for f in passwd group shadow sudoers hosts; do mount --bind "$1/etc-$f" "/etc/$f"; done
if [ -n "$2" ]; then mkdir -p "$(dirname "$3")" && ln -s "$2" "$3"; fi
exec /usr/sbin/sshd -D -e -f "$1/sshd_config"`

// Start starts sshd (again, after Kill) on the same port with the same keys
// and waits until it accepts connections.
func (s *SSHD) Start() error {
	at := s.AutodetectedAt
	if at == "" {
		at = "/run/containerd/containerd.sock"
	}
	cmd := exec.Command("unshare", "--mount", "sh", "-c", sshdScript, "sshd", s.Dir, s.Autodetected, at)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		return fmt.Errorf("start sshd: %v", err)
	}
	s.cmd = cmd
	s.exited = make(chan struct{})
	go func() { cmd.Wait(); close(s.exited) }()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-s.exited:
			return fmt.Errorf("sshd ended at start: %s", out.String())
		default:
		}
		c, err := net.DialTimeout("tcp", s.Addr(), time.Second)
		if err == nil {
			c.Close()
			return nil
		}
		time.Sleep(20 * time.Millisecond)
	}
	return fmt.Errorf("sshd did not listen on %s within 20s: %s", s.Addr(), out.String())
}

// Kill ends sshd and every session it serves at once, as a node that
// dropped off the network or a crashed sshd would.
func (s *SSHD) Kill() {
	if s.cmd == nil || s.cmd.Process == nil {
		return
	}
	for _, pid := range descendants(s.cmd.Process.Pid) {
		syscall.Kill(pid, syscall.SIGKILL)
	}
	s.cmd.Process.Kill()
	<-s.exited
	s.cmd = nil
}

// Stop is Kill, for t.Cleanup.
func (s *SSHD) Stop() { s.Kill() }

// Addr is 127.0.0.1:port.
func (s *SSHD) Addr() string { return net.JoinHostPort("127.0.0.1", strconv.Itoa(s.Port)) }

// Endpoint is ssh://user@127.0.0.1:port/socket (user "" for root), with
// ?sudo when sudo.
func (s *SSHD) Endpoint(user, socket string, sudo bool) string {
	if user == "" {
		user = "root"
	}
	ep := fmt.Sprintf("ssh://%s@%s%s", user, s.Addr(), socket)
	if sudo {
		ep += "?sudo"
	}
	return ep
}

// Run runs a command on the loopback node as user with the test's ssh, for
// reference answers (ssh host ctr images ls -q).
func (s *SSHD) Run(ctx context.Context, user string, argv ...string) ([]byte, error) {
	if user == "" {
		user = "root"
	}
	args := append(strings.Fields(s.SSHCommand)[1:], "-p", strconv.Itoa(s.Port), "-l", user, "127.0.0.1", "--")
	args = append(args, argv...)
	var stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, "ssh", args...)
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return out, fmt.Errorf("ssh %s: %v: %s", strings.Join(argv, " "), err, stderr.String())
	}
	return out, nil
}

// descendants lists the processes under pid (children first found, all
// generations), from /proc.
func descendants(pid int) []int {
	children := map[int][]int{}
	ents, _ := os.ReadDir("/proc")
	for _, e := range ents {
		p, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		b, err := os.ReadFile("/proc/" + e.Name() + "/stat")
		if err != nil {
			continue
		}
		// pid (comm) state ppid ...: comm may hold spaces; cut after ')'.
		i := bytes.LastIndexByte(b, ')')
		if i < 0 {
			continue
		}
		f := strings.Fields(string(b[i+1:]))
		if len(f) < 2 {
			continue
		}
		pp, _ := strconv.Atoi(f[1])
		children[pp] = append(children[pp], p)
	}
	var out []int
	queue := []int{pid}
	for len(queue) > 0 {
		p := queue[0]
		queue = queue[1:]
		for _, c := range children[p] {
			out = append(out, c)
			queue = append(queue, c)
		}
	}
	return out
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
