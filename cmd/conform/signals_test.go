package main

import (
	"bytes"
	"os"
	"testing"
	"time"
)

// The first signal stops the run (it then ends as incomplete, with its
// reports); the second ends the process at once, exit 5.
func TestASecondInterruptEndsConformAtOnce(t *testing.T) {
	sigs := make(chan os.Signal, 2)
	cancelled := make(chan struct{})
	exited := make(chan int, 1)
	var stderr bytes.Buffer
	abandoned := false
	go onSignals(sigs, func() { close(cancelled) }, func() { abandoned = true }, &stderr, func(code int) { exited <- code })

	sigs <- os.Interrupt
	select {
	case <-cancelled:
	case <-time.After(10 * time.Second):
		t.Fatal("the first interrupt did not stop the run")
	}
	select {
	case code := <-exited:
		t.Fatalf("the first interrupt ended the process (exit %d); it must let the run write its reports", code)
	default:
	}
	sigs <- os.Interrupt
	select {
	case code := <-exited:
		if code != exitIncomplete || !abandoned {
			t.Errorf("exit %d (reports being written abandoned: %v), want %d, abandoned", code, abandoned, exitIncomplete)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("the second interrupt did not end the process")
	}
	if !bytes.Contains(stderr.Bytes(), []byte("interrupted again")) {
		t.Errorf("stderr does not say why conform stopped at once: %q", stderr.String())
	}
}
