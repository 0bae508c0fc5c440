package registry

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/pelletier/go-toml/v2"
)

// hostsFileCheck is the part of hosts.toml whose mistakes containerd's
// loader does not report: on any parse error it logs and falls back to
// certificate files, which silently drops every mirror and setting.
type hostsFileCheck struct {
	Capabilities []string `toml:"capabilities"`
	DialTimeout  string   `toml:"dial_timeout"`
	Host         map[string]struct {
		Capabilities []string `toml:"capabilities"`
		DialTimeout  string   `toml:"dial_timeout"`
	} `toml:"host"`
}

// parseTOML checks a hosts.toml for the errors containerd's
// parseHostsFile would reject it for: TOML syntax, unknown capabilities,
// a dial_timeout that is not a duration.
func parseTOML(b []byte) error {
	var c hostsFileCheck
	if err := toml.Unmarshal(b, &c); err != nil {
		// A header may carry a token; the decoder's message may quote
		// the line it stopped at.
		var de *toml.DecodeError
		if errors.As(err, &de) {
			row, col := de.Position()
			return fmt.Errorf("line %d column %d: %s", row, col, redact(de.Error()))
		}
		return fmt.Errorf("%s", redact(err.Error()))
	}
	check := func(where string, caps []string, timeout string) error {
		for _, cp := range caps {
			switch strings.ToLower(cp) {
			case "pull", "resolve", "push", "referrers":
			default:
				return fmt.Errorf("%sunknown capability %s (use pull, resolve, push, referrers)", where, cp)
			}
		}
		if timeout != "" {
			if _, err := time.ParseDuration(timeout); err != nil {
				return fmt.Errorf("%sdial_timeout %s is not a duration like 5s", where, timeout)
			}
		}
		return nil
	}
	if err := check("", c.Capabilities, c.DialTimeout); err != nil {
		return err
	}
	for name, h := range c.Host {
		if err := check(fmt.Sprintf("[host.%q]: ", name), h.Capabilities, h.DialTimeout); err != nil {
			return err
		}
	}
	return nil
}
