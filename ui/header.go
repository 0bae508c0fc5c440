package ui

import (
	"context"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/ctui/ctui/backend"
	"github.com/ctui/ctui/ui/theme"
)

// headerRefresh is how often versions and CRI conditions are asked again: a
// condition such as NetworkReady can flip without any containerd event.
const headerRefresh = 30 * time.Second

// headerInfo is what the header shows about the node, as last answered.
type headerInfo struct {
	loaded    bool
	cd        backend.ServerVersion
	cdErr     error
	rv        backend.RuntimeVersion
	rvErr     error
	status    backend.RuntimeStatus
	statusErr error
}

// headerMsg answers headerCmd; seq drops an answer overtaken by a newer ask.
type headerMsg struct {
	seq  uint64
	info headerInfo
}

// headerTickMsg asks for a header refresh.
type headerTickMsg struct{ seq uint64 }

// headerCmd asks both sides for versions and CRI status. A side that is not
// connected reports why it is not, once, from the Backend.
func headerCmd(parent context.Context, b *backend.Backend, timeout time.Duration, seq uint64) tea.Cmd {
	native, nativeErr, cri, criErr := b.Native, b.NativeErr, b.CRI, b.CRIErr
	return func() tea.Msg {
		var h headerInfo
		h.loaded = true
		call := func(f func(ctx context.Context)) {
			ctx, cancel := context.WithTimeout(parent, timeout)
			defer cancel()
			f(ctx)
		}
		if native != nil {
			call(func(ctx context.Context) { h.cd, h.cdErr = native.Version(ctx) })
		} else {
			h.cdErr = nativeErr
		}
		if cri != nil {
			call(func(ctx context.Context) { h.rv, h.rvErr = cri.Version(ctx) })
			call(func(ctx context.Context) { h.status, h.statusErr = cri.Status(ctx) })
		} else {
			h.rvErr, h.statusErr = criErr, criErr
		}
		return headerMsg{seq: seq, info: h}
	}
}

// headerView is everything the header draws, gathered so that rendering is
// a pure function of it.
type headerView struct {
	info     headerInfo
	endpoint string
	ns       string
	readonly bool
	context  string // the ctui context's name, "" for none
	// doctor is the last doctor run's badge ("doctor: 2 FAIL"), or "".
	doctor string
}

// renderHeader draws the two header lines: who and where, then CRI health.
// Lines may be wider than width; the frame cuts them.
func renderHeader(st theme.Styles, h headerView) [2]string {
	var b strings.Builder
	sep := "  "
	b.WriteString(st.Title.Render("ctui"))
	if h.context != "" {
		b.WriteString(sep + st.Label.Render("ctx ") + st.Value.Render(h.context))
	}
	b.WriteString(sep + st.Label.Render("ns ") + st.Value.Render(h.ns))
	b.WriteString(sep + st.Label.Render("containerd "))
	switch {
	case !h.info.loaded:
		b.WriteString(st.Dim.Render("…"))
	case h.info.cdErr != nil:
		b.WriteString(st.Bad.Render("unavailable"))
	default:
		b.WriteString(st.Value.Render(h.info.cd.Version))
	}
	b.WriteString(sep + st.Label.Render("CRI "))
	switch {
	case !h.info.loaded:
		b.WriteString(st.Dim.Render("…"))
	case h.info.rvErr != nil:
		b.WriteString(st.Dim.Render("unavailable"))
	default:
		b.WriteString(st.Value.Render(h.info.rv.RuntimeName + " " + h.info.rv.RuntimeVersion))
	}
	if h.readonly {
		b.WriteString(sep + st.Badge.Render("READONLY"))
	}
	if h.doctor != "" {
		b.WriteString(sep + st.Bad.Render(h.doctor))
	}
	if h.endpoint != "" {
		b.WriteString(sep + st.Dim.Render(h.endpoint))
	}
	return [2]string{b.String(), renderHealth(st, h.info)}
}

// renderHealth is the CRI conditions line: a warning naming the condition
// and its reason when RuntimeReady or NetworkReady is false, since that is
// why pods are not starting.
func renderHealth(st theme.Styles, h headerInfo) string {
	switch {
	case !h.loaded:
		return ""
	case h.statusErr != nil:
		return st.Dim.Render("CRI: " + h.statusErr.Error())
	}
	var parts []string
	warn := false
	for _, typ := range []string{backend.ConditionRuntimeReady, backend.ConditionNetworkReady} {
		c, ok := h.status.Condition(typ)
		switch {
		case !ok:
			parts = append(parts, st.Dim.Render(typ+" ?"))
		case c.Status:
			parts = append(parts, st.OK.Render(typ+" ✓"))
		default:
			warn = true
			s := "⚠ " + typ + "=false"
			if c.Reason != "" {
				s += ": " + c.Reason
			}
			if c.Message != "" {
				s += ": " + c.Message
			}
			parts = append(parts, st.Warn.Render(s))
		}
	}
	if !warn {
		return st.Dim.Render("CRI ") + strings.Join(parts, " ")
	}
	return strings.Join(parts, "  ")
}
