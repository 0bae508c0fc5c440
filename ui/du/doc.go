// Package du is the disk usage page (:du): the image filesystem and
// containerd's directories (CRI ImageFsInfo and statfs: used, free, inodes)
// at once, then the biggest consumers of space, biggest first: each image's
// unique size (content and snapshots no other image holds) and shared size,
// each container's writable layer, each snapshot's usage with what holds it.
// The sizes are measured in the background (ui/diskscan) with progress; the
// page never waits for them.
package du
