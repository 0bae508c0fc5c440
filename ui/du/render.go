package du

import (
	"fmt"
	"sort"
	"strconv"
	"strings"

	"github.com/ctui/ctui/backend"
	"github.com/ctui/ctui/ui/humanize"
	"github.com/ctui/ctui/ui/table"
)

// Kinds of rows, as the KIND column says them.
const (
	KindImage     = "image"
	KindContainer = "container"
	KindSnapshot  = "snapshot"
)

// Item is one consumer of space: an image (its unique size, and what it
// shares), a container's writable layer, or a snapshot.
type Item struct {
	Kind   string
	ID     string // stable: target digest, container id, snapshotter/key
	Name   string
	Size   int64 // -1 while unknown
	Shared int64 // images only; -1 for others
	Note   string
}

// Columns are the table's.
func Columns() []table.Column {
	return []table.Column{
		{Title: "KIND", Key: 'k', Width: 9},
		{Title: "NAME", Key: 'n', Flex: 3, Min: 20},
		{Title: "SIZE", Key: 's', Width: 10, Align: table.AlignRight, Numeric: true},
		{Title: "SHARED", Key: 'h', Width: 10, Align: table.AlignRight, Numeric: true, Drop: 2},
		{Title: "HELD BY / NOTE", Key: 'o', Flex: 2, Min: 12, Drop: 1},
	}
}

// Row renders an item.
func Row(it Item) table.Row {
	size := humanize.Size(it.Size)
	shared := "-"
	if it.Kind == KindImage {
		shared = humanize.Size(it.Shared)
	}
	return table.Row{
		ID:    it.Kind + ":" + it.ID,
		Cells: []string{it.Kind, it.Name, size, shared, it.Note},
		Num:   []int64{0, 0, it.Size, it.Shared, 0},
	}
}

// Items are the report's consumers, biggest first: images by unique size,
// containers by writable layer, snapshots by usage; unknown sizes last.
func Items(rep backend.DiskReport) []Item {
	out := make([]Item, 0, len(rep.Images)+len(rep.Containers)+len(rep.Snapshots))
	for _, iu := range rep.Images {
		it := Item{Kind: KindImage, ID: iu.Target, Name: iu.Names[0], Size: iu.Unique, Shared: iu.Shared}
		var notes []string
		if len(iu.Names) > 1 {
			notes = append(notes, fmt.Sprintf("+%d names", len(iu.Names)-1))
		}
		if iu.Partial {
			notes = append(notes, "snapshots not all measured")
		}
		it.Note = strings.Join(notes, "; ")
		out = append(out, it)
	}
	for _, cu := range rep.Containers {
		it := Item{Kind: KindContainer, ID: cu.ID, Name: cu.ID, Size: -1, Shared: -1, Note: cu.Image}
		switch {
		case cu.Usage.Known:
			it.Size = cu.Usage.Size
		case cu.Usage.Reason != "":
			it.Note = cu.Usage.Reason
		}
		out = append(out, it)
	}
	for _, s := range rep.Snapshots {
		it := Item{Kind: KindSnapshot, ID: s.SnapshotRef.String(), Name: s.Snapshotter + "/" + s.Key, Size: -1, Shared: -1,
			Note: strings.ToLower(string(s.Kind)) + ", " + HeldBy(s.Holders)}
		switch {
		case s.Usage.Known:
			it.Size = s.Usage.Size
		case s.Usage.Reason != "":
			it.Note += "; " + s.Usage.Reason
		}
		out = append(out, it)
	}
	sortItems(out)
	return out
}

func sortItems(items []Item) {
	// Stable: each part of the report is in its own order already.
	sort.SliceStable(items, func(i, j int) bool { return items[i].Size > items[j].Size })
}

// HeldBy says what keeps something from garbage collection: the first holder
// and how many more, or that nothing does.
func HeldBy(hs []backend.Holder) string {
	switch len(hs) {
	case 0:
		return "orphan: held by nothing (the next GC removes it)"
	case 1:
		return hs[0].String()
	}
	return hs[0].String() + " +" + strconv.Itoa(len(hs)-1)
}

// FSLines are the filesystem part of the page, one or two lines per
// filesystem, cut to width by the caller.
func FSLines(fs FS, loaded bool) []string {
	if !loaded {
		return []string{"filesystems: asking CRI (ImageFsInfo) and statfs…"}
	}
	var out []string
	used := map[string]backend.FilesystemUsage{}
	for _, f := range fs.ImageFS {
		used[f.Mountpoint] = f
	}
	for _, f := range fs.Filesystems {
		var names []string
		for _, d := range f.Dirs {
			names = append(names, d.What)
		}
		head := strings.Join(names, ", ") + "  " + f.Dirs[0].Path
		out = append(out, head)
		var parts []string
		if u, ok := used[f.Dirs[0].Path]; ok {
			parts = append(parts, fmt.Sprintf("CRI: %s used, %s inodes", humanize.Size(int64(u.UsedBytes)), thousands(u.InodesUsed)))
		}
		if f.Err != nil {
			parts = append(parts, "statfs: "+f.Err.Error())
		} else {
			sp := f.Space
			inodes := "-"
			if sp.Inodes > 0 {
				inodes = fmt.Sprintf("%.0f%%", 100*float64(sp.Inodes-sp.InodesFree)/float64(sp.Inodes))
			}
			parts = append(parts, fmt.Sprintf("disk %.0f%% used (%s of %s), %s free, inodes %s used",
				sp.UsedPercent(), humanize.Size(int64(sp.Used)), humanize.Size(int64(sp.Total)), humanize.Size(int64(sp.Avail)), inodes))
		}
		out = append(out, "  "+strings.Join(parts, " · "))
	}
	if fs.ImageFSErr != nil {
		out = append(out, "image filesystem: "+fs.ImageFSErr.Error())
	}
	if fs.RootsErr != nil {
		out = append(out, "containerd's directories: "+fs.RootsErr.Error())
	}
	if len(out) == 0 {
		out = append(out, "filesystems: neither CRI nor containerd named one")
	}
	return out
}

// ProgressLine says how far the measuring is.
func ProgressLine(done, total int, measuring bool, err error) string {
	switch {
	case err != nil:
		return fmt.Sprintf("measured %s of %s snapshots; stopped: %s", thousands(uint64(done)), thousands(uint64(total)), err)
	case measuring:
		return fmt.Sprintf("measuring snapshots (as ctr snapshots usage): %s of %s…", thousands(uint64(done)), thousands(uint64(total)))
	}
	return fmt.Sprintf("%s snapshots measured", thousands(uint64(total)))
}

func thousands(n uint64) string {
	s := strconv.FormatUint(n, 10)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}
