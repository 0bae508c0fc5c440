package theme

import (
	"strings"
	"testing"
)

func TestNoColorEnv(t *testing.T) {
	tests := []struct {
		env  map[string]string
		want bool
	}{
		{map[string]string{}, false},
		{map[string]string{"NO_COLOR": ""}, false}, // no-color.org: present and not empty
		{map[string]string{"NO_COLOR": "1"}, true},
	}
	for _, tt := range tests {
		lookup := func(k string) (string, bool) { v, ok := tt.env[k]; return v, ok }
		if got := NoColorEnv(lookup); got != tt.want {
			t.Errorf("NoColorEnv(%v) = %v", tt.env, got)
		}
	}
}

func TestMonochromeHasNoColour(t *testing.T) {
	s := New(Options{NoColor: true})
	for name, st := range map[string]interface{ Render(...string) string }{
		"Title": s.Title, "Warn": s.Warn, "Bad": s.Bad, "Cursor": s.Cursor, "ColumnHeader": s.ColumnHeader, "FlashErr": s.FlashErr,
	} {
		// 38;/48; are the SGR codes of 256-colour and true-colour
		// foregrounds and backgrounds, which every palette colour uses.
		if out := st.Render("x"); strings.Contains(out, "38;") || strings.Contains(out, "48;") {
			t.Errorf("%s renders colour in monochrome: %q", name, out)
		}
	}
	if !s.WithLight(true).Options().NoColor {
		t.Error("WithLight dropped NoColor")
	}
}

func TestLightAndDarkDiffer(t *testing.T) {
	d, l := New(Options{}), New(Options{Light: true})
	if d.Title.GetForeground() == l.Title.GetForeground() {
		t.Error("light and dark palettes give the same title colour")
	}
	if !d.WithLight(true).Options().Light {
		t.Error("WithLight(true) not light")
	}
}
