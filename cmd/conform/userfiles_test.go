package main

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// execConformWithin runs the binary like execConform, but killed after d
// and with its address space capped at 4 GiB: a run that hangs on a FIFO or
// reads /dev/zero without end fails the test in seconds, and cannot take
// the machine's memory with it.
func execConformWithin(d time.Duration, env map[string]string, args ...string) (runResult, error) {
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	cmd := exec.CommandContext(ctx, "sh", append([]string{"-c", `ulimit -v 4194304 && exec "$0" "$@"`, binary}, args...)...)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH"), "HOME=" + os.Getenv("HOME")}
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	cmd.WaitDelay = time.Second
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	err := cmd.Run()
	res := runResult{stdout: stdout.String(), stderr: stderr.String(), elapsed: time.Since(start)}
	if ee, ok := err.(*exec.ExitError); ok {
		res.code, err = ee.ExitCode(), nil
	}
	return res, err
}

func TestUserFilesThatAreNotRegularOrTooLargeExit2Quickly(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	fifo := filepath.Join(dir, "fifo")
	if err := syscall.Mkfifo(fifo, 0o644); err != nil {
		t.Fatal(err)
	}
	// Sparse: as large as they say, without taking the disk.
	huge := func(name string, size int64) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, nil, 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Truncate(path, size); err != nil {
			t.Fatal(err)
		}
		return path
	}
	bigProfile, bigCA, bigOpenAPI := huge("profile.json", 1<<20+1), huge("ca.pem", 1<<20+1), huge("openapi.json", 16<<20+1)
	tls := []string{"--base-url", "https://127.0.0.1:1/api/v1", "--ca-cert"}
	tests := []struct {
		name string
		args []string
		want []string
	}{
		{"--profile a FIFO", []string{"--profile", fifo}, []string{fifo, "is a FIFO, not a regular file"}},
		{"--profile /dev/zero", []string{"--profile", "/dev/zero"}, []string{"/dev/zero", "is a character device, not a regular file"}},
		{"--profile too large", []string{"--profile", bigProfile}, []string{bigProfile, "larger than 1 MiB"}},
		{"--openapi a FIFO", []string{"--openapi", fifo}, []string{"--openapi", fifo, "is a FIFO, not a regular file"}},
		{"--openapi /dev/zero", []string{"--openapi", "/dev/zero"}, []string{"--openapi", "/dev/zero", "is a character device, not a regular file"}},
		{"--openapi too large", []string{"--openapi", bigOpenAPI}, []string{"--openapi", bigOpenAPI, "larger than 16 MiB"}},
		{"--ca-cert a FIFO", append(tls, fifo), []string{"--ca-cert", fifo, "is a FIFO, not a regular file"}},
		{"--ca-cert /dev/zero", append(tls, "/dev/zero"), []string{"--ca-cert", "/dev/zero", "is a character device, not a regular file"}},
		{"--ca-cert too large", append(tls, bigCA), []string{"--ca-cert", bigCA, "larger than 1 MiB"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			res, err := execConformWithin(10*time.Second, nil, append([]string{"run"}, tt.args...)...)
			if err != nil {
				t.Fatalf("running conform: %v", err)
			}
			if res.code != exitUsage {
				t.Errorf("exit %d after %s, want %d\n%.2000s", res.code, res.elapsed.Round(time.Millisecond), exitUsage, res.stderr)
			}
			if res.elapsed > 3*time.Second {
				t.Errorf("took %s", res.elapsed)
			}
			oneLine(t, res.stderr, append([]string{"conform run: "}, tt.want...)...)
		})
	}
}
