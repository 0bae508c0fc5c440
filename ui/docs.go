package ui

import "github.com/ctui/ctui/ui/frame"

// KeybindingsMarkdown renders docs/keybindings.md from the keymaps and the
// command table, so the document cannot drift from the code: `go generate
// ./ui` writes it and a test fails when it is stale.
func KeybindingsMarkdown() string { return frame.KeybindingsMarkdown(docSections()) }
