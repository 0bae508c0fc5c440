// Command gendocs writes docs/keybindings.md from ctui's keymaps. It runs
// from `go generate ./ui`.
package main

import (
	"flag"
	"log"
	"os"

	"github.com/ctui/ctui/ui"
)

func main() {
	out := flag.String("o", "docs/keybindings.md", "file to write")
	flag.Parse()
	if err := os.WriteFile(*out, []byte(ui.KeybindingsMarkdown()), 0o644); err != nil {
		log.Fatal(err)
	}
}
