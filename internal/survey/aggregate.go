package survey

import (
	"sort"
	"strconv"
)

// Scored is one response as the aggregates see it.
type Scored struct {
	Index     float64
	TopBox    bool
	Aspects   map[string]float64
	AdvisorID *int
}

// Group is the mean index and top-box share of some responses.
type Group struct {
	Key         string
	Responses   int
	Index       float64
	TopBoxShare float64
}

// Summary is a store's month: overall, per aspect and per advisor.
type Summary struct {
	Overall  Group
	Aspects  []Group // in the order of aspectOrder, then by key
	Advisors []Group // keyed by advisor id, by id
}

// MeetsTarget reports whether the top-box share reached the 80% target.
func (s Summary) MeetsTarget() bool {
	return s.Overall.Responses > 0 && s.Overall.TopBoxShare >= TopBoxTarget
}

// Aggregate averages responses. An aspect's mean is over the responses
// that scored it (templates differ), an advisor's over their own visits.
func Aggregate(rs []Scored, aspectOrder []string) Summary {
	s := Summary{Overall: mean("all", rs)}
	byAspect := map[string][]Scored{}
	byAdvisor := map[string][]Scored{}
	for _, r := range rs {
		for k, v := range r.Aspects {
			byAspect[k] = append(byAspect[k], Scored{Index: v, TopBox: v >= TopBoxLine})
		}
		if r.AdvisorID != nil {
			k := strconv.Itoa(*r.AdvisorID)
			byAdvisor[k] = append(byAdvisor[k], r)
		}
	}
	for _, k := range orderedKeys(byAspect, aspectOrder) {
		s.Aspects = append(s.Aspects, mean(k, byAspect[k]))
	}
	for _, k := range orderedKeys(byAdvisor, nil) {
		s.Advisors = append(s.Advisors, mean(k, byAdvisor[k]))
	}
	return s
}

func mean(key string, rs []Scored) Group {
	g := Group{Key: key, Responses: len(rs)}
	if len(rs) == 0 {
		return g
	}
	top := 0
	for _, r := range rs {
		g.Index += r.Index
		if r.TopBox {
			top++
		}
	}
	g.Index = round2(g.Index / float64(len(rs)))
	g.TopBoxShare = round2(float64(top)/float64(len(rs))*100) / 100
	return g
}

// orderedKeys lists m's keys: first those in order, then the rest sorted.
func orderedKeys[V any](m map[string]V, order []string) []string {
	var out []string
	seen := map[string]bool{}
	for _, k := range order {
		if _, ok := m[k]; ok && !seen[k] {
			out = append(out, k)
			seen[k] = true
		}
	}
	var rest []string
	for k := range m {
		if !seen[k] {
			rest = append(rest, k)
		}
	}
	sort.Slice(rest, func(i, j int) bool {
		a, ea := strconv.Atoi(rest[i])
		b, eb := strconv.Atoi(rest[j])
		if ea == nil && eb == nil {
			return a < b
		}
		return rest[i] < rest[j]
	})
	return append(out, rest...)
}
