package suite

import "github.com/cornect/conform/internal/probe"

// failingEvidence is how many exchanges that broke a rule a check keeps
// whole (cut for evidence); the others are kept as summaries, their
// violations all listed: a check that fails alike on 5,000 operations
// shows the bodies of the first few.
const failingEvidence = 32

// passingEvidence is how many exchanges that broke no rule a check keeps,
// as summaries: enough to show what was sent, few enough that a report
// grows with failures, not with the operations swept.
const passingEvidence = 8

// trimEvidence keeps every exchange a violation names whole, and of the
// others the first few as summaries; the batch's answers are let go.
func (s *spec) trimEvidence() {
	s.got = nil
	named := map[int]bool{}
	for _, v := range s.res.Violations {
		named[v.Exchange] = true
	}
	var kept []probe.Exchange
	index := map[int]int{} // old index → new
	passing, failing := 0, 0
	for i, ex := range s.res.Exchanges {
		switch {
		case named[i] && failing < failingEvidence:
			failing++
			ex = ex.ForEvidence()
		case named[i]:
			ex = ex.SummaryOf(probe.PastEvidenceCap)
		case passing == passingEvidence:
			continue
		default:
			passing++
			ex = ex.Summary()
		}
		index[i] = len(kept)
		kept = append(kept, ex)
	}
	for i := range s.res.Violations {
		s.res.Violations[i].Exchange = index[s.res.Violations[i].Exchange]
	}
	s.res.Exchanges, s.seqs = kept, nil
}
