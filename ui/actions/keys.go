package actions

import (
	"charm.land/bubbles/v2/key"
	tea "charm.land/bubbletea/v2"
)

// ActionKeyMap is the image actions, bound once at the root and active
// while the page on top shows images: each acts on the marked images, or
// on the image under the cursor when none is marked. It is data, like the
// other keymaps: help and docs/keybindings.md come from it.
type ActionKeyMap struct {
	Pull, Tag, Import, Export, Push, Remove key.Binding
}

// DefaultActionKeyMap follows the letters: p pull, t tag, i import,
// e export, P push, ctrl+d remove (k9s deletes with ctrl+d).
func DefaultActionKeyMap() ActionKeyMap {
	return ActionKeyMap{
		Pull:   key.NewBinding(key.WithKeys("p"), key.WithHelp("p", "pull an image (reference prompt; runs as a job)")),
		Tag:    key.NewBinding(key.WithKeys("t"), key.WithHelp("t", "tag the image: give it another name")),
		Import: key.NewBinding(key.WithKeys("i"), key.WithHelp("i", "import a tar (docker save or OCI; path prompt, tab completes)")),
		Export: key.NewBinding(key.WithKeys("e"), key.WithHelp("e", "export the marked images, else this one, to one tar")),
		Push:   key.NewBinding(key.WithKeys("P"), key.WithHelp("P", "push the marked images, else this one, to a registry")),
		Remove: key.NewBinding(key.WithKeys("ctrl+d"), key.WithHelp("ctrl+d", "remove the marked images, else this one (asks first)")),
	}
}

// Bindings lists the actions in help order; enabled false shows them as
// unavailable (--readonly, or no containerd API) by leaving them out of
// help.
func (k ActionKeyMap) Bindings(enabled bool) []key.Binding {
	bs := []key.Binding{k.Pull, k.Tag, k.Import, k.Export, k.Push, k.Remove}
	for i := range bs {
		bs[i].SetEnabled(enabled)
	}
	return bs
}

// match names the action a key asks for; "" for none.
func (k ActionKeyMap) match(msg tea.KeyPressMsg) actionName {
	switch {
	case key.Matches(msg, k.Pull):
		return actPull
	case key.Matches(msg, k.Tag):
		return actTag
	case key.Matches(msg, k.Import):
		return actImport
	case key.Matches(msg, k.Export):
		return actExport
	case key.Matches(msg, k.Push):
		return actPush
	case key.Matches(msg, k.Remove):
		return actRemove
	}
	return ""
}
