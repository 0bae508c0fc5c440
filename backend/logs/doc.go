// Package logs is the engine behind ctui's log viewer: it reads the log files
// containerd keeps for containers (CRI format for pods, raw output for tasks
// started with `ctr run --log-uri file://`), with crictl logs' options (tail,
// since, limit bytes, stream), follows them across rotation and truncation,
// and keeps the newest lines in a bounded Ring the viewer filters, searches
// and saves.
//
// The UI drives it from bubbletea commands: Open starts a Reader whose
// Batches channel a command waits on; Update appends the batch to its Ring
// and issues the wait again; leaving the page cancels the context:
//
//	func waitLogs(r *logs.Reader, gen int) tea.Cmd {
//		return func() tea.Msg {
//			b, ok := <-r.Batches()
//			return logBatchMsg{gen: gen, batch: b, closed: !ok}
//		}
//	}
package logs
