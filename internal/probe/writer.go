package probe

import (
	"bytes"
	"io"
	"sync"
)

// RedactingWriter redacts whole lines before passing them on, so a secret
// split across two Write calls is still caught. Flush writes a trailing
// partial line.
type RedactingWriter struct {
	mu  sync.Mutex
	out io.Writer
	r   *Redactor
	buf bytes.Buffer
}

// NewRedactingWriter wraps out.
func NewRedactingWriter(out io.Writer, r *Redactor) *RedactingWriter {
	return &RedactingWriter{out: out, r: r}
}

func (w *RedactingWriter) Write(p []byte) (int, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	w.buf.Write(p)
	if i := bytes.LastIndexByte(w.buf.Bytes(), '\n'); i >= 0 {
		line := w.buf.Next(i + 1)
		if _, err := w.out.Write(w.r.Bytes(line)); err != nil {
			return 0, err
		}
	}
	return len(p), nil
}

// Flush writes whatever partial line is buffered.
func (w *RedactingWriter) Flush() error {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.buf.Len() == 0 {
		return nil
	}
	_, err := w.out.Write(w.r.Bytes(w.buf.Bytes()))
	w.buf.Reset()
	return err
}
