// Package frame draws what surrounds the page on top: the two header lines
// (who and where, CRI health) with the command that fills them, the help
// screen, the connection-lost panel, a dialog laid over the page, and the
// cut to the terminal's size. Everything here but LoadHeader is a pure
// function of its arguments.
package frame

import (
	"context"
	"strings"
	"time"

	tea "charm.land/bubbletea/v2"

	"github.com/ctui/ctui/backend"
	"github.com/ctui/ctui/ui/theme"
)

// HeaderRefresh is how often versions and CRI conditions are asked again: a
// condition such as NetworkReady can flip without any containerd event.
const HeaderRefresh = 30 * time.Second

// Header is what the header shows about the node, as last answered.
type Header struct {
	loaded    bool
	cd        backend.ServerVersion
	cdErr     error
	rv        backend.RuntimeVersion
	rvErr     error
	status    backend.RuntimeStatus
	statusErr error
}

// ContainerdErr is why containerd did not answer, nil when it did.
func (h Header) ContainerdErr() error { return h.cdErr }

// HeaderMsg answers LoadHeader; Seq drops an answer overtaken by a newer
// ask.
type HeaderMsg struct {
	Seq  uint64
	Info Header
}

// LoadHeader asks both sides for versions and CRI status. A side that is not
// connected reports why it is not, once, from the Backend.
func LoadHeader(parent context.Context, b *backend.Backend, timeout time.Duration, seq uint64) tea.Cmd {
	native, nativeErr, cri, criErr := b.Native, b.NativeErr, b.CRI, b.CRIErr
	return func() tea.Msg {
		var h Header
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
		return HeaderMsg{Seq: seq, Info: h}
	}
}

// HeaderView is everything the header draws, gathered so that rendering is
// a pure function of it.
type HeaderView struct {
	Info     Header
	Endpoint string // the socket or address connected to
	NS       string
	Readonly bool
	Context  string // the ctui context's name, "" for none
	// Doctor is the last doctor run's badge ("doctor: 2 FAIL"), or "".
	Doctor string
}

// RenderHeader draws the two header lines: who and where, then CRI health.
// Lines may be wider than width; the frame cuts them.
func RenderHeader(st *theme.Styles, h HeaderView) [2]string {
	var b strings.Builder
	sep := "  "
	b.WriteString(st.Title.Render("ctui"))
	if h.Context != "" {
		b.WriteString(sep + st.Label.Render("ctx ") + st.Value.Render(h.Context))
	}
	b.WriteString(sep + st.Label.Render("ns ") + st.Value.Render(h.NS))
	b.WriteString(sep + st.Label.Render("containerd "))
	switch {
	case !h.Info.loaded:
		b.WriteString(st.Dim.Render("…"))
	case h.Info.cdErr != nil:
		b.WriteString(st.Bad.Render("unavailable"))
	default:
		b.WriteString(st.Value.Render(h.Info.cd.Version))
	}
	b.WriteString(sep + st.Label.Render("CRI "))
	switch {
	case !h.Info.loaded:
		b.WriteString(st.Dim.Render("…"))
	case h.Info.rvErr != nil:
		b.WriteString(st.Dim.Render("unavailable"))
	default:
		b.WriteString(st.Value.Render(h.Info.rv.RuntimeName + " " + h.Info.rv.RuntimeVersion))
	}
	if h.Readonly {
		b.WriteString(sep + st.Badge.Render("READONLY"))
	}
	if h.Doctor != "" {
		b.WriteString(sep + st.Bad.Render(h.Doctor))
	}
	if h.Endpoint != "" {
		b.WriteString(sep + st.Dim.Render(h.Endpoint))
	}
	return [2]string{b.String(), renderHealth(st, h.Info)}
}

// renderHealth is the CRI conditions line: a warning naming the condition
// and its reason when RuntimeReady or NetworkReady is false, since that is
// why pods are not starting.
func renderHealth(st *theme.Styles, h Header) string {
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
