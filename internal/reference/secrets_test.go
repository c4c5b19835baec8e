package reference

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"
)

// sweep sends every kind of request with every token and returns the responses.
func sweep(e *env) []*result {
	var out []*result
	exportID := ""
	if r := e.post("/exports", RoleReadWrite, `{"name":"sweep","search_filters":{"countries":["Poland"]}}`); r.status == http.StatusCreated {
		exportID = decodeAs[createExportResponse](e.t, r).ExportJob.ID
		out = append(out, r)
	}
	roles := append(TokenRoles(), "")
	for _, role := range roles {
		out = append(out,
			e.post("/companies/search", role, `{"countries":["Poland"]}`),
			e.post("/companies/search", role, `{"countries":`),
			e.get("/companies/"+companies().all[0].ID, role),
			e.get("/companies/unknown", role),
			e.get("/credits", role),
			e.post("/exports", role, `{"name":"x","search_filters":{"countries":["Germany"]}}`),
			e.post("/exports", role, `{}`),
			e.get("/exports/"+exportID, role),
			e.post("/exports/"+exportID+"/download", role, ""),
			e.do(http.MethodDelete, v1+"/credits", role, ""),
			e.get("/nowhere", role),
		)
	}
	for _, value := range e.tokens {
		for _, h := range []string{value, "Basic " + value, "Bearer " + value + "!", "Bearer " + strings.TrimPrefix(value, "cornect_")} {
			out = append(out, e.get("/credits", "", withHeader("Authorization", h)))
		}
	}
	for range 70 {
		out = append(out, e.get("/credits", RoleRead))
	}
	e.clock.Advance(10 * time.Minute)
	if exportID != "" {
		r := e.post("/exports/"+exportID+"/download", RoleRead, "")
		out = append(out, r)
		if r.status == http.StatusOK {
			dl := decodeAs[downloadResponse](e.t, r)
			if u, err := url.Parse(dl.DownloadURL); err == nil {
				out = append(out, e.do(http.MethodGet, u.RequestURI(), "", ""))
			}
		}
	}
	return out
}

func TestTokenValuesNeverAppearInResponses(t *testing.T) {
	configs := map[string][]Option{"default": nil}
	for _, f := range Faults() {
		if f.Name == faultTokenEcho {
			continue // echoing the token is this fault's very symptom; faultCases proves it shows
		}
		configs["fault "+f.Name] = []Option{WithFaults(f.Name)}
	}
	for _, v := range Variations() {
		if v.Name != variationLatency40ms {
			configs["variation "+v.Name] = []Option{WithVariations(v.Name)}
		}
	}
	for name, opts := range configs {
		t.Run(name, func(t *testing.T) {
			e := newEnv(t, opts...)
			for i, r := range sweep(e) {
				for role, value := range e.tokens {
					secret := strings.TrimPrefix(value, "cornect_")
					if strings.Contains(string(r.body), secret) {
						t.Fatalf("response %d (status %d) body contains the %s token", i, r.status, role)
					}
					for k, vs := range r.header {
						for _, v := range vs {
							if strings.Contains(v, secret) {
								t.Fatalf("response %d header %s contains the %s token", i, k, role)
							}
						}
					}
				}
			}
		})
	}
}
