package suite

import (
	"context"
	"regexp"
	"slices"

	"github.com/onsi/ginkgo/v2/types"

	"github.com/cornect/conform/internal/probe"
)

// batch is a set of probes that do not depend on each other, keyed by the
// check (or table entry) that will judge them. A family of checks sends its
// batch at once in a BeforeAll, so a target 40 ms away costs one round trip
// per family instead of one per check; each check then records and judges
// its own exchanges.
type batch struct {
	keys []string
	reqs []probe.Request
}

// add queues requests for key.
func (b *batch) add(key string, reqs ...probe.Request) {
	for _, r := range reqs {
		b.keys = append(b.keys, key)
		b.reqs = append(b.reqs, r)
	}
}

// send fires the whole batch concurrently (within the probe's pacing) and
// returns the exchanges by key, in the order they were added.
func (b *batch) send(ctx context.Context) map[string][]probe.Exchange {
	got := map[string][]probe.Exchange{}
	for i, ex := range doAll(ctx, b.reqs...) {
		got[b.keys[i]] = append(got[b.keys[i]], ex)
	}
	return got
}

// selection is --label-filter and --focus as Ginkgo applies them.
type selection struct {
	labels types.LabelFilter
	focus  []*regexp.Regexp
	skip   []*regexp.Regexp
}

func newSelection(labelFilter string, focus, skip []string) (selection, error) {
	sel := selection{labels: func([]string) bool { return true }}
	if labelFilter != "" {
		f, err := types.ParseLabelFilter(labelFilter)
		if err != nil {
			return sel, err
		}
		sel.labels = f
	}
	for _, f := range focus {
		re, err := regexp.Compile(f)
		if err != nil {
			return sel, err
		}
		sel.focus = append(sel.focus, re)
	}
	for _, f := range skip {
		re, err := regexp.Compile(f)
		if err != nil {
			return sel, err
		}
		sel.skip = append(sel.skip, re)
	}
	return sel, nil
}

// wants says whether the filters select a check (and table entry, with its
// own labels), so a batch leaves out the probes of checks that will not run.
func wants(id, variant string, labels ...string) bool {
	return target.selection.selects(lookup(id), variant, labels...)
}

// selects applies the filters to a check, or one variant of it with labels
// of its own.
func (sel selection) selects(c Check, variant string, labels ...string) bool {
	if !sel.labels(append(slices.Clone(c.Labels), labels...)) {
		return false
	}
	text := c.Text() + " " + variant
	for _, re := range sel.skip {
		if re.MatchString(text) {
			return false
		}
	}
	if len(sel.focus) == 0 {
		return true
	}
	for _, re := range sel.focus {
		if re.MatchString(text) {
			return true
		}
	}
	return false
}
