package main

import (
	"archive/tar"
	"bytes"
	"context"
	"io"
	"log"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/google/go-containerregistry/pkg/name"
	"github.com/google/go-containerregistry/pkg/registry"
	v1 "github.com/google/go-containerregistry/pkg/v1"
	"github.com/google/go-containerregistry/pkg/v1/empty"
	"github.com/google/go-containerregistry/pkg/v1/mutate"
	"github.com/google/go-containerregistry/pkg/v1/remote"
	"github.com/google/go-containerregistry/pkg/v1/tarball"
	"go.yaml.in/yaml/v3"
)

// imageTestEnv opts in to TestImageRunsConformAsNonRoot: it compiles ko.
const imageTestEnv = "CONFORM_IMAGE_TEST"

// caBundle is where Debian's ca-certificates package puts the roots; the
// local base image carries them, as distroless does.
const caBundle = "/etc/ssl/certs/ca-certificates.crt"

// nonRoot is distroless's nonroot user, which the image runs as.
const nonRoot = "65532:65532"

// TestImageRunsConformAsNonRoot builds conform's image with ko, the go tool
// of tools/tools.mod, without a Docker daemon and without any registry but
// one in this process on loopback: the base is made here (scratch, CA
// certificates, /etc/passwd with nonroot, user 65532) as distroless
// static:nonroot is on GitHub, and the build uses the ldflags of
// .goreleaser.yaml. It checks the image's user, its entrypoint, the files
// inside it, and runs the binary it holds. Opt-in (CONFORM_IMAGE_TEST=1).
func TestImageRunsConformAsNonRoot(t *testing.T) {
	if os.Getenv(imageTestEnv) == "" {
		t.Skipf("set %s=1 to build ko and the image", imageTestEnv)
	}
	if runtime.GOOS != "linux" {
		t.Skip("the image's binary runs only on linux")
	}
	ca, err := os.ReadFile(caBundle)
	if err != nil {
		t.Fatalf("the local base image needs CA certificates (apt-get install ca-certificates): %v", err)
	}
	srv := httptest.NewServer(registry.New(registry.Logger(log.New(io.Discard, "", 0))))
	t.Cleanup(srv.Close)
	host := strings.TrimPrefix(srv.URL, "http://")

	baseRef, err := name.ParseReference(host + "/base:nonroot")
	if err != nil {
		t.Fatal(err)
	}
	if err := remote.Write(baseRef, localBase(t, ca)); err != nil {
		t.Fatalf("pushing the base: %v", err)
	}

	const stamp = "7.7.7-image.test"
	cfg := readGoreleaserConfig(t)
	b := cfg.Builds[0]
	koConfig, err := yaml.Marshal(map[string]any{
		"defaultBaseImage": baseRef.String(),
		"builds": []map[string]any{{
			"id": b.ID, "main": b.Main, "env": b.Env, "flags": b.Flags,
			"ldflags": []string{releaseLdflags(t, cfg, stamp)},
		}},
	})
	if err != nil {
		t.Fatal(err)
	}
	koDir := t.TempDir()
	if err := os.WriteFile(filepath.Join(koDir, ".ko.yaml"), koConfig, 0o644); err != nil {
		t.Fatal(err)
	}

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Minute)
	defer cancel()
	ko := exec.CommandContext(ctx, "go", "tool", "-modfile=tools/tools.mod", "ko", "build", b.Main,
		"--bare", "--sbom=none", "--platform=linux/"+runtime.GOARCH)
	ko.Dir = "../.."
	ko.Env = append(os.Environ(), "KO_DOCKER_REPO="+host+"/conform", "KO_CONFIG_PATH="+koDir, "GOFLAGS=")
	var stderr bytes.Buffer
	ko.Stderr = &stderr
	out, err := ko.Output()
	if err != nil {
		t.Fatalf("ko build: %v\n%s", err, stderr.String())
	}
	ref, err := name.ParseReference(strings.TrimSpace(string(out)))
	if err != nil {
		t.Fatalf("ko build printed %q: %v", out, err)
	}
	img, err := remote.Image(ref)
	if err != nil {
		t.Fatal(err)
	}
	cf, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	if cf.Config.User != nonRoot {
		t.Errorf("the image runs as %q, want %s (nonroot)", cf.Config.User, nonRoot)
	}
	if want := "/ko-app/conform"; len(cf.Config.Entrypoint) != 1 || cf.Config.Entrypoint[0] != want {
		t.Errorf("entrypoint %q, want [%s]", cf.Config.Entrypoint, want)
	}
	if cf.OS != "linux" || cf.Architecture != runtime.GOARCH {
		t.Errorf("platform %s/%s, want linux/%s", cf.OS, cf.Architecture, runtime.GOARCH)
	}

	files := imageFiles(t, img)
	binary, ok := files["ko-app/conform"]
	if !ok {
		t.Fatalf("no /ko-app/conform in the image; it holds %d files", len(files))
	}
	if !bytes.Equal(files["etc/ssl/certs/ca-certificates.crt"], ca) {
		t.Error("the image has no CA certificates at /etc/ssl/certs/ca-certificates.crt")
	}
	if !strings.Contains(string(files["etc/passwd"]), "nonroot:x:65532:65532:") {
		t.Errorf("/etc/passwd has no nonroot user 65532:\n%s", files["etc/passwd"])
	}
	bin := filepath.Join(t.TempDir(), "conform")
	if err := os.WriteFile(bin, binary, 0o755); err != nil {
		t.Fatal(err)
	}
	got, err := exec.CommandContext(ctx, bin, "version").Output()
	if err != nil || !strings.HasPrefix(string(got), "conform "+stamp+"\n") {
		t.Errorf("the image's conform version: %v\n%s\nwant conform %s", err, got, stamp)
	}
	if layers, err := img.Layers(); err == nil {
		var compressed int64
		for _, l := range layers {
			n, _ := l.Size()
			compressed += n
		}
		t.Logf("image %s: %d layers, %d bytes compressed, conform %d bytes", ref, len(layers), compressed, len(binary))
	}
}

// localBase is the base the release gets from distroless static:nonroot,
// made here: CA certificates, /etc/passwd and /etc/group with root and
// nonroot, a home for nonroot, /tmp, user 65532.
func localBase(t *testing.T, ca []byte) v1.Image {
	t.Helper()
	var layer bytes.Buffer
	tw := tar.NewWriter(&layer)
	epoch := time.Unix(0, 0)
	dirs := []struct {
		name string
		mode int64
		uid  int
	}{{"etc/", 0o755, 0}, {"etc/ssl/", 0o755, 0}, {"etc/ssl/certs/", 0o755, 0}, {"home/", 0o755, 0}, {"home/nonroot/", 0o700, 65532}, {"tmp/", 0o1777, 0}}
	for _, d := range dirs {
		if err := tw.WriteHeader(&tar.Header{Typeflag: tar.TypeDir, Name: d.name, Mode: d.mode, Uid: d.uid, Gid: d.uid, ModTime: epoch}); err != nil {
			t.Fatal(err)
		}
	}
	files := []struct {
		name string
		data []byte
	}{
		{"etc/ssl/certs/ca-certificates.crt", ca},
		{"etc/passwd", []byte("root:x:0:0:root:/root:/sbin/nologin\nnonroot:x:65532:65532:nonroot:/home/nonroot:/sbin/nologin\n")},
		{"etc/group", []byte("root:x:0:\nnonroot:x:65532:\n")},
	}
	for _, f := range files {
		if err := tw.WriteHeader(&tar.Header{Typeflag: tar.TypeReg, Name: f.name, Mode: 0o644, Size: int64(len(f.data)), ModTime: epoch}); err != nil {
			t.Fatal(err)
		}
		if _, err := tw.Write(f.data); err != nil {
			t.Fatal(err)
		}
	}
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	l, err := tarball.LayerFromOpener(func() (io.ReadCloser, error) {
		return io.NopCloser(bytes.NewReader(layer.Bytes())), nil
	})
	if err != nil {
		t.Fatal(err)
	}
	img, err := mutate.AppendLayers(empty.Image, l)
	if err != nil {
		t.Fatal(err)
	}
	cf, err := img.ConfigFile()
	if err != nil {
		t.Fatal(err)
	}
	cf = cf.DeepCopy()
	cf.OS, cf.Architecture = "linux", runtime.GOARCH
	cf.Config.User = nonRoot
	cf.Config.Env = []string{"PATH=/usr/local/bin:/usr/bin:/bin", "SSL_CERT_FILE=" + caBundle}
	img, err = mutate.ConfigFile(img, cf)
	if err != nil {
		t.Fatal(err)
	}
	return img
}

// imageFiles reads the image's flattened file system: regular files by
// path, without the leading "/".
func imageFiles(t *testing.T, img v1.Image) map[string][]byte {
	t.Helper()
	rc := mutate.Extract(img)
	defer rc.Close()
	files := map[string][]byte{}
	tr := tar.NewReader(rc)
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return files
		}
		if err != nil {
			t.Fatal(err)
		}
		if h.Typeflag != tar.TypeReg {
			continue
		}
		data, err := io.ReadAll(io.LimitReader(tr, 200<<20))
		if err != nil {
			t.Fatal(err)
		}
		files[strings.TrimPrefix(h.Name, "/")] = data
	}
}
