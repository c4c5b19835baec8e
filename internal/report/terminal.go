package report

import (
	"bytes"
	"io"
	"sync"
)

// TerminalWriter passes a stream on with what a terminal would act on
// escaped, as the console summary is (see termSafe): Ginkgo's verbose
// report and the probe's notes quote what the target sent. It escapes whole
// lines, so a character split across two writes is not taken for two bytes
// that are not UTF-8; Flush writes a trailing partial line.
type TerminalWriter struct {
	mu  sync.Mutex
	out io.Writer
	buf bytes.Buffer
}

// NewTerminalWriter wraps out.
func NewTerminalWriter(out io.Writer) *TerminalWriter {
	return &TerminalWriter{out: out}
}

func (w *TerminalWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf.Write(p)
	if i := bytes.LastIndexByte(w.buf.Bytes(), '\n'); i >= 0 {
		if _, err := io.WriteString(w.out, termSafe(string(w.buf.Next(i+1)))); err != nil {
			return 0, err
		}
	}
	return len(p), nil
}

// Flush writes whatever partial line is buffered.
func (w *TerminalWriter) Flush() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.buf.Len() == 0 {
		return nil
	}
	_, err := io.WriteString(w.out, termSafe(w.buf.String()))
	w.buf.Reset()
	return err
}
