package backend

import "testing"

func TestHostLogURI(t *testing.T) {
	for _, tc := range []struct{ root, uri, want string }{
		{"", "file:///var/log/ctr/job.log", "file:///var/log/ctr/job.log"},
		{"/host", "file:///var/log/ctr/job.log", "file:///host/var/log/ctr/job.log"},
		{"/host", "/run/containerd/fifo/1/job-stdout", "/run/containerd/fifo/1/job-stdout"},
		{"/host", "binary:///usr/bin/logger?x=1", "binary:///usr/bin/logger?x=1"},
		{"/host", "", ""},
	} {
		if got := HostLogURI(tc.root, tc.uri); got != tc.want {
			t.Errorf("HostLogURI(%q, %q) = %q, want %q", tc.root, tc.uri, got, tc.want)
		}
	}
}

func TestHostPath(t *testing.T) {
	for _, tc := range []struct{ root, p, want string }{
		{"", "/var/log/pods/ns_web_1/app/0.log", "/var/log/pods/ns_web_1/app/0.log"},
		{"/", "/var/log/pods/ns_web_1/app/0.log", "/var/log/pods/ns_web_1/app/0.log"},
		{"/host", "/var/log/pods/ns_web_1/app/0.log", "/host/var/log/pods/ns_web_1/app/0.log"},
		{"/host", "/var/log/../log/x.log", "/host/var/log/x.log"},
		{"/host", "relative.log", "relative.log"},
		{"/host", "", ""},
	} {
		if got := (Config{HostRoot: tc.root}).HostPath(tc.p); got != tc.want {
			t.Errorf("HostPath(%q) under %q = %q, want %q", tc.p, tc.root, got, tc.want)
		}
	}
}
