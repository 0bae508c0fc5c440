package namespaces

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/charmbracelet/x/ansi"

	"github.com/ctui/ctui/backend"
	"github.com/ctui/ctui/ui/internal/fake"
	"github.com/ctui/ctui/ui/internal/uitest"
	"github.com/ctui/ctui/ui/page"
	"github.com/ctui/ctui/ui/theme"
)

func TestRow(t *testing.T) {
	tests := []struct {
		ns      backend.Namespace
		current string
		want    string
	}{
		{backend.Namespace{Name: "default"}, "default", "default (current)|-"},
		{backend.Namespace{Name: "k8s.io", Labels: map[string]string{"b": "2", "a": "1"}}, "default", "k8s.io|a=1,b=2"},
	}
	for _, tt := range tests {
		if got := strings.Join(row(tt.ns, tt.current).Cells, "|"); got != tt.want {
			t.Errorf("row(%v) = %q, want %q", tt.ns, got, tt.want)
		}
	}
}

func TestEnterAsksToSwitch(t *testing.T) {
	f := &fake.Native{NS: []backend.Namespace{{Name: "default"}, {Name: "k8s.io"}}}
	m, cmd := New(Config{ID: 2, Ctx: context.Background(), Lister: f, Current: "default", Timeout: time.Second, Styles: theme.New(theme.Options{NoColor: true})})
	var p page.Page = m
	p, _ = p.Update(page.SizeMsg{Width: 80, Height: 10})
	for _, msg := range uitest.Drain(cmd, time.Second) {
		p, _ = p.Update(msg.(page.Reply).Msg)
	}
	if v := ansi.Strip(p.View()); !strings.Contains(v, "default (current)") {
		t.Fatalf("current not marked:\n%s", v)
	}
	p, _ = p.Update(uitest.Press("j"))
	_, cmd = p.Update(uitest.Press("enter"))
	msgs := uitest.Drain(cmd, time.Second)
	if len(msgs) != 1 || msgs[0] != (page.SwitchNamespaceMsg{Namespace: "k8s.io"}) {
		t.Fatalf("enter yields %v", msgs)
	}
}
