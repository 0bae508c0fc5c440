package backend

import "testing"

func TestIsCommandNotFound(t *testing.T) {
	for _, tc := range []struct {
		msg  string
		want bool
	}{
		{`OCI runtime exec failed: exec failed: unable to start container process: exec: "ls": executable file not found in $PATH: unknown`, true},
		{`OCI runtime exec failed: exec failed: unable to start container process: exec: "/bin/bash": stat /bin/bash: no such file or directory: unknown`, true},
		{"executable file `bash` not found in $PATH: No such file or directory", true},
		{`OCI runtime exec failed: exec failed: unable to start container process: chdir to cwd ("/nope") set in config.json failed: no such file or directory: unknown`, false},
		{`OCI runtime exec failed: exec failed: unable to start container process: exec: "/etc/passwd": permission denied: unknown`, false},
		{"sh: nosuch: not found", false},
	} {
		if got := IsCommandNotFound(tc.msg); got != tc.want {
			t.Errorf("IsCommandNotFound(%q) = %v, want %v", tc.msg, got, tc.want)
		}
	}
}
