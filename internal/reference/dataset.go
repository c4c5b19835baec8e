package reference

import (
	"crypto/sha1"
	"fmt"
	"strconv"
	"strings"
	"sync"
)

// companyCount is the size of the synthetic dataset: more than the 10,000
// cap of one export, so a broad export is capped.
const companyCount = 12500

// company is one record of the dataset, as the API returns it.
type company struct {
	index int    // position in the dataset: the default order
	text  string // lower-cased name, domain and keywords, for the query filter

	ID            string   `json:"id"`
	Name          string   `json:"name"`
	Domain        string   `json:"domain"`
	Country       string   `json:"country"`
	State         string   `json:"state"`
	City          string   `json:"city"`
	Industry      string   `json:"industry"`
	NAICSCode     string   `json:"naics_code"`
	Technologies  []string `json:"technologies"`
	Keywords      []string `json:"keywords"`
	EmployeeCount int      `json:"employee_count"`
	FoundedYear   int      `json:"founded_year"`
}

// dataset is the companies, built once per process and never modified.
type dataset struct {
	all  []*company
	byID map[string]*company
}

// companies returns the shared dataset, building it on first use.
var companies = sync.OnceValue(buildDataset)

func buildDataset() *dataset {
	d := &dataset{all: make([]*company, companyCount), byID: make(map[string]*company, companyCount)}
	for i := range companyCount {
		c := generateCompany(i)
		d.all[i] = c
		d.byID[c.ID] = c
	}
	return d
}

type region struct {
	state  string
	cities []string
}

type country struct {
	name    string
	tld     string
	legal   string // the usual legal-form suffix of a company name
	weight  int    // share of the dataset, in percent
	regions []region
}

var countries = []country{
	{"United States", "com", "Inc.", 30, []region{
		{"California", []string{"San Francisco", "Los Angeles", "San Diego"}},
		{"New York", []string{"New York", "Buffalo"}},
		{"Texas", []string{"Austin", "Houston", "Dallas"}},
		{"Washington", []string{"Seattle"}},
		{"Massachusetts", []string{"Boston"}},
	}},
	{"Germany", "de", "GmbH", 14, []region{
		{"Bavaria", []string{"Munich", "Nuremberg"}},
		{"Berlin", []string{"Berlin"}},
		{"Hamburg", []string{"Hamburg"}},
		{"North Rhine-Westphalia", []string{"Cologne", "Düsseldorf"}},
	}},
	{"United Kingdom", "co.uk", "Ltd", 12, []region{
		{"England", []string{"London", "Manchester", "Bristol"}},
		{"Scotland", []string{"Edinburgh", "Glasgow"}},
	}},
	{"France", "fr", "SAS", 9, []region{
		{"Île-de-France", []string{"Paris"}},
		{"Auvergne-Rhône-Alpes", []string{"Lyon", "Grenoble"}},
		{"Occitanie", []string{"Toulouse"}},
	}},
	{"Canada", "ca", "Corp.", 7, []region{
		{"Ontario", []string{"Toronto", "Ottawa"}},
		{"British Columbia", []string{"Vancouver"}},
		{"Quebec", []string{"Montreal"}},
	}},
	{"Netherlands", "nl", "B.V.", 6, []region{
		{"North Holland", []string{"Amsterdam"}},
		{"South Holland", []string{"Rotterdam", "The Hague"}},
	}},
	{"Spain", "es", "S.L.", 5, []region{
		{"Community of Madrid", []string{"Madrid"}},
		{"Catalonia", []string{"Barcelona"}},
	}},
	{"Italy", "it", "S.r.l.", 4, []region{
		{"Lombardy", []string{"Milan"}},
		{"Lazio", []string{"Rome"}},
	}},
	{"Sweden", "se", "AB", 4, []region{
		{"Stockholm County", []string{"Stockholm"}},
		{"Västra Götaland", []string{"Gothenburg"}},
	}},
	{"Switzerland", "ch", "AG", 3, []region{
		{"Zurich", []string{"Zurich"}},
		{"Geneva", []string{"Geneva"}},
	}},
	{"Austria", "at", "GmbH", 3, []region{
		{"Vienna", []string{"Vienna"}},
		{"Styria", []string{"Graz"}},
	}},
	{"Poland", "pl", "sp. z o.o.", 3, []region{
		{"Masovia", []string{"Warsaw"}},
		{"Lesser Poland", []string{"Kraków"}},
	}},
}

var industries = []struct{ name, naics string }{
	{"Software", "511210"},
	{"IT Services", "541512"},
	{"Financial Services", "522320"},
	{"Marketing & Advertising", "541810"},
	{"Manufacturing", "333249"},
	{"Logistics", "488510"},
	{"Healthcare", "621111"},
	{"E-commerce", "454110"},
	{"Management Consulting", "541611"},
	{"Education", "611710"},
	{"Real Estate", "531210"},
	{"Construction", "236220"},
	{"Hospitality", "721110"},
	{"Biotechnology", "541714"},
	{"Telecommunications", "517111"},
	{"Renewable Energy", "221114"},
}

var technologies = []struct{ name, category string }{
	{"Salesforce", "CRM"},
	{"Pipedrive", "CRM"},
	{"HubSpot", "Marketing Automation"},
	{"Marketo", "Marketing Automation"},
	{"Shopify", "E-commerce Platform"},
	{"Magento", "E-commerce Platform"},
	{"WordPress", "CMS"},
	{"Contentful", "CMS"},
	{"AWS", "Cloud Hosting"},
	{"Google Cloud", "Cloud Hosting"},
	{"Microsoft Azure", "Cloud Hosting"},
	{"Stripe", "Payments"},
	{"Adyen", "Payments"},
	{"Zendesk", "Customer Support"},
	{"Intercom", "Customer Support"},
	{"Google Analytics", "Analytics"},
	{"Segment", "Analytics"},
	{"Snowflake", "Data Warehouse"},
	{"Kubernetes", "Infrastructure"},
	{"Slack", "Collaboration"},
	{"Jira", "Project Management"},
	{"React", "Frontend Framework"},
}

var keywords = []string{
	"b2b", "saas", "enterprise", "startup", "sustainability", "artificial intelligence",
	"fintech", "ecommerce", "healthtech", "marketplace", "open source", "remote first",
	"hardware", "consulting", "agency", "logistics",
}

var namePrefixes = []string{
	"Apex", "Blue", "Bright", "Cedar", "Crest", "Delta", "Echo", "Ember",
	"Falcon", "Granite", "Harbor", "Helix", "Iron", "Juniper", "Kite", "Lumen",
	"Maple", "Nimbus", "North", "Nova", "Oak", "Orbit", "Pine", "Prism",
	"Quartz", "River", "Sage", "Summit", "Terra", "Vertex", "Willow", "Zenith",
}

var nameCores = []string{
	"Analytics", "Bio", "Cloud", "Data", "Dynamics", "Energy", "Foods", "Health",
	"Labs", "Logistics", "Media", "Networks", "Robotics", "Software", "Systems", "Works",
}

// employeeBands are the company size bands and their share, in percent.
var employeeBands = []struct{ min, max, weight int }{
	{1, 10, 30}, {11, 50, 30}, {51, 200, 20}, {201, 1000, 12}, {1001, 5000, 6}, {5001, 50000, 2},
}

// generateCompany derives company i from i alone, so every server (and every
// run) has the same dataset.
func generateCompany(i int) *company {
	r := rng(uint64(i) + 0x5eed)
	ctry := pickCountry(r.intn(100))
	reg := ctry.regions[r.intn(len(ctry.regions))]
	ind := industries[r.intn(len(industries))]
	prefix := namePrefixes[r.intn(len(namePrefixes))]
	core := nameCores[r.intn(len(nameCores))]

	city := reg.cities[r.intn(len(reg.cities))]
	techs := pickDistinct(&r, len(technologies), 2+r.intn(3), func(k int) string { return technologies[k].name })
	words := pickDistinct(&r, len(keywords), 2+r.intn(2), func(k int) string { return keywords[k] })
	employees := pickEmployees(&r)
	founded := 1950 + r.intn(75)

	c := &company{
		index:         i,
		ID:            nameUUID("company/" + strconv.Itoa(i)),
		Name:          fmt.Sprintf("%s %s %s", prefix, core, ctry.legal),
		Domain:        fmt.Sprintf("%s%s-%s.%s", strings.ToLower(prefix), strings.ToLower(core), strconv.FormatInt(int64(i), 36), ctry.tld),
		Country:       ctry.name,
		State:         reg.state,
		City:          city,
		Industry:      ind.name,
		NAICSCode:     ind.naics,
		Technologies:  techs,
		Keywords:      words,
		EmployeeCount: employees,
		FoundedYear:   founded,
	}
	c.text = strings.ToLower(c.Name + " " + c.Domain + " " + strings.Join(c.Keywords, " "))
	return c
}

func pickCountry(percent int) *country {
	for i := range countries {
		if percent < countries[i].weight {
			return &countries[i]
		}
		percent -= countries[i].weight
	}
	return &countries[0]
}

func pickEmployees(r *rng) int {
	p := r.intn(100)
	for _, b := range employeeBands {
		if p < b.weight {
			return b.min + r.intn(b.max-b.min+1)
		}
		p -= b.weight
	}
	return 1
}

// pickDistinct picks n distinct items out of size, in vocabulary order.
func pickDistinct(r *rng, size, n int, name func(int) string) []string {
	chosen := make([]bool, size)
	for picked := 0; picked < n; {
		if k := r.intn(size); !chosen[k] {
			chosen[k] = true
			picked++
		}
	}
	out := make([]string, 0, n)
	for k, ok := range chosen {
		if ok {
			out = append(out, name(k))
		}
	}
	return out
}

// technologyCategory returns the category of a technology of the vocabulary.
func technologyCategory(tech string) string {
	for _, t := range technologies {
		if t.name == tech {
			return t.category
		}
	}
	return ""
}

// rng is splitmix64: tiny, deterministic, and good enough for synthetic data.
type rng uint64

func (r *rng) next() uint64 {
	*r += 0x9e3779b97f4a7c15
	z := uint64(*r)
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

func (r *rng) intn(n int) int { return int(r.next() % uint64(n)) }

// nameUUID derives a stable UUID (version 5 layout) from a name, for the
// fixed ids of the sandbox: companies, workspaces, lists, seeded records.
func nameUUID(name string) string {
	sum := sha1.Sum([]byte("cornect-reference/" + name))
	b := sum[:16]
	b[6] = b[6]&0x0f | 0x50
	b[8] = b[8]&0x3f | 0x80
	return formatUUID(b)
}
