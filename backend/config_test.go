package backend

import "testing"

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
