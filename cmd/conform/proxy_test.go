package main

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"io"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cornect/conform/internal/reference"
)

// proxiedHost is the target's name in these tests. Go never proxies a
// loopback target, so the target needs a name that is not loopback; and
// should the proxy be bypassed, the direct dial must not leave the machine.
// Go's own resolver never asks DNS about a .onion name (RFC 7686), and the
// name is rooted (the final dot) so that no search domain turns it into one
// it would ask about; the runs force that resolver, so a bypass fails here.
// Only the test proxy knows where the name leads: to a loopback listener.
const proxiedHost = "conform-target.onion."

// proxyEntry is one request the test proxy received.
type proxyEntry struct {
	method, target string // CONNECT host:port, or the absolute URL
	header         http.Header
}

// testProxy is an HTTP proxy on loopback that forwards every request, and
// every CONNECT tunnel, to one upstream loopback address, whatever host was
// asked for; it logs the requests and the bytes clients sent into tunnels.
type testProxy struct {
	upstream string // host:port on loopback
	url      string // http://127.0.0.1:port

	mu      sync.Mutex
	log     []proxyEntry
	tunnels bytes.Buffer // client-to-target bytes of every tunnel
}

func newTestProxy(t *testing.T, upstream string) *testProxy {
	t.Helper()
	if h, _, err := net.SplitHostPort(upstream); err != nil || !net.ParseIP(h).IsLoopback() {
		t.Fatalf("the test proxy forwards to loopback only, not %q", upstream)
	}
	p := &testProxy{upstream: upstream}
	srv := httptest.NewServer(p)
	t.Cleanup(srv.Close)
	p.url = srv.URL
	return p
}

func (p *testProxy) dial(ctx context.Context, _, _ string) (net.Conn, error) {
	var d net.Dialer
	return d.DialContext(ctx, "tcp", p.upstream)
}

func (p *testProxy) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	target := r.Host
	if r.Method != http.MethodConnect {
		target = r.URL.String()
	}
	p.mu.Lock()
	p.log = append(p.log, proxyEntry{r.Method, target, r.Header.Clone()})
	p.mu.Unlock()
	if r.Method == http.MethodConnect {
		p.tunnel(w, r)
		return
	}
	// A plain-HTTP request in absolute form: forward it.
	out := r.Clone(r.Context())
	out.RequestURI = ""
	tr := &http.Transport{DialContext: p.dial}
	defer tr.CloseIdleConnections()
	resp, err := tr.RoundTrip(out)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	defer resp.Body.Close()
	for k, vs := range resp.Header {
		w.Header()[k] = vs
	}
	w.WriteHeader(resp.StatusCode)
	_, _ = io.Copy(w, resp.Body)
}

func (p *testProxy) tunnel(w http.ResponseWriter, r *http.Request) {
	up, err := p.dial(r.Context(), "tcp", r.Host)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	client, buf, err := http.NewResponseController(w).Hijack()
	if err != nil {
		up.Close()
		return
	}
	_, _ = client.Write([]byte("HTTP/1.1 200 Connection established\r\n\r\n"))
	done := make(chan struct{}, 2)
	go func() {
		_, _ = io.Copy(up, io.TeeReader(buf, (*lockedWriter)(p)))
		done <- struct{}{}
	}()
	go func() {
		_, _ = io.Copy(client, up)
		done <- struct{}{}
	}()
	<-done
	client.Close()
	up.Close()
	<-done
}

// lockedWriter appends to the proxy's tunnel capture.
type lockedWriter testProxy

func (l *lockedWriter) Write(b []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.tunnels.Write(b)
}

func (p *testProxy) entries() ([]proxyEntry, []byte) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]proxyEntry(nil), p.log...), bytes.Clone(p.tunnels.Bytes())
}

// certFor makes a self-signed certificate for host and writes its PEM to
// a file, for --ca-cert.
func certFor(t *testing.T, host string) (tls.Certificate, string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: host},
		DNSNames:              []string{host},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		BasicConstraintsValid: true,
		IsCA:                  true,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "ca.pem")
	if err := os.WriteFile(path, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o644); err != nil {
		t.Fatal(err)
	}
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, path
}

// authCounter passes requests to the reference, counting those that carried
// an Authorization header.
type authCounter struct {
	ref  *reference.Server
	auth atomic.Int64
}

func (a *authCounter) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Header.Get("Authorization") != "" {
		a.auth.Add(1)
	}
	a.ref.ServeHTTP(w, r)
}

// proxyEnv is the environment of a run through a proxy: the tokens, and
// Go's own resolver so that a .onion name is never asked of DNS.
func proxyEnv(tokens map[string]string, base string, extra map[string]string) map[string]string {
	env := tokenEnv(tokens, base)
	env["GODEBUG"] = "netdns=go"
	for k, v := range extra {
		env[k] = v
	}
	return env
}

func TestRunGoesThroughAnHTTPSProxyWithTLSEndToEnd(t *testing.T) {
	cert, caFile := certFor(t, proxiedHost)
	target := &authCounter{ref: reference.New()}
	srv := httptest.NewUnstartedServer(target)
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{cert}}
	srv.StartTLS()
	t.Cleanup(srv.Close)
	proxy := newTestProxy(t, srv.Listener.Addr().String())

	base := "https://" + proxiedHost + "/api/v1"
	env := proxyEnv(target.ref.Tokens(), base, map[string]string{"HTTPS_PROXY": proxy.url})
	res := runConformBinary(t, env, "run", "--ca-cert", caFile, "--label-filter", "auth")
	if res.code != exitOK {
		t.Fatalf("exit %d, want 0\n%s\n%s", res.code, res.stdout, res.stderr)
	}

	log, tunnelled := proxy.entries()
	if len(log) == 0 {
		t.Fatal("the proxy saw no request: HTTPS_PROXY was not honoured")
	}
	for _, e := range log {
		if e.method != http.MethodConnect || e.target != proxiedHost+":443" {
			t.Errorf("the proxy saw %s %s; want only CONNECT %s:443", e.method, e.target, proxiedHost)
		}
		if len(e.header["Authorization"]) > 0 {
			t.Error("a CONNECT request carried the Authorization header")
		}
	}
	if target.auth.Load() == 0 {
		t.Fatal("no request with a token reached the target; the test proves nothing")
	}
	t.Logf("%d CONNECT tunnels, %d requests with a token at the target, %d bytes into the tunnels", len(log), target.auth.Load(), len(tunnelled))
	// Inside the tunnel: a TLS handshake record first, and no token, nor a
	// header name, in clear text anywhere.
	if len(tunnelled) == 0 || tunnelled[0] != 0x16 {
		t.Errorf("the tunnel does not start with a TLS handshake record: % x", tunnelled[:min(len(tunnelled), 8)])
	}
	for _, clear := range []string{"Authorization", "authorization", "Bearer", "cornect_", "/api/v1"} {
		if bytes.Contains(tunnelled, []byte(clear)) {
			t.Errorf("%q crossed the proxy in clear text", clear)
		}
	}
	for role, v := range target.ref.Tokens() {
		if bytes.Contains(tunnelled, []byte(v)) {
			t.Errorf("the %s token crossed the proxy in clear text", role)
		}
	}
}

func TestRunHonoursHTTPProxyAndNoProxyAndNeverProxiesLoopback(t *testing.T) {
	ref := reference.New()
	srv := httptest.NewServer(ref)
	t.Cleanup(srv.Close)
	loopback := srv.URL + "/api/v1"

	tests := []struct {
		name    string
		base    string
		env     map[string]string // "PROXY" stands for the test proxy's URL
		want    int               // exit code
		proxied bool              // every request goes through the proxy, none else
	}{
		{
			name:    "HTTP_PROXY carries an http target",
			base:    "http://" + proxiedHost + "/api/v1",
			env:     map[string]string{"HTTP_PROXY": "PROXY"},
			want:    exitOK,
			proxied: true,
		},
		{
			name: "NO_PROXY names the target: a direct dial, which fails here",
			base: "http://" + proxiedHost + "/api/v1",
			env:  map[string]string{"HTTP_PROXY": "PROXY", "HTTPS_PROXY": "PROXY", "NO_PROXY": "example.com," + proxiedHost},
			want: exitUnreachable,
		},
		{
			name: "a loopback target is never proxied",
			base: loopback,
			env:  map[string]string{"HTTP_PROXY": "PROXY", "HTTPS_PROXY": "PROXY"},
			want: exitOK,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			proxy := newTestProxy(t, srv.Listener.Addr().String())
			extra := map[string]string{}
			for k, v := range tt.env {
				extra[k] = strings.ReplaceAll(v, "PROXY", proxy.url)
			}
			res := runConformBinary(t, proxyEnv(ref.Tokens(), tt.base, extra), "run", "--focus", "AUTH-MISSING")
			if res.code != tt.want {
				t.Fatalf("exit %d, want %d\n%s\n%s", res.code, tt.want, res.stdout, res.stderr)
			}
			log, _ := proxy.entries()
			if !tt.proxied && len(log) > 0 {
				t.Errorf("the proxy saw %d requests, want none: %+v", len(log), log[0])
			}
			if tt.proxied && len(log) == 0 {
				t.Error("the proxy saw no request")
			}
			for _, e := range log {
				if tt.proxied && (e.method == http.MethodConnect || !strings.HasPrefix(e.target, "http://"+proxiedHost+"/api/v1/")) {
					t.Errorf("the proxy saw %s %s, want requests for http://%s/api/v1/…", e.method, e.target, proxiedHost)
				}
			}
			if tt.want == exitUnreachable && !strings.Contains(res.stderr, "cannot reach the target") {
				t.Errorf("the direct dial did not fail on the name:\n%s", res.stderr)
			}
		})
	}
}
