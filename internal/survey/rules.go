// Package survey runs satisfaction surveys: the weighted tree of a template
// (index <- aspects <- indicators), scoring a response, the aggregates store
// managers read, invitations after a delivered visit with their one-time
// links, and the hot alert that turns a dissatisfied answer into a
// complaint in the same transaction.
package survey

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"aftercare/ent/schema/schematype"
	"aftercare/internal/apperr"
)

// TopBoxLine is where "very satisfied" starts on the 0-100 scale: 9 and 10
// on a 1-10 scale, 6 and 7 on a 1-7 scale. TopBoxTarget is the share of
// top-box responses a store aims for (DOMAIN.md: 80%).
const (
	TopBoxLine   = 80.0
	TopBoxTarget = 0.80
)

// weightTolerance absorbs rounding in published weights (20.49 + 18.84 +
// ... is 100 only to two decimals).
const weightTolerance = 0.01

// Template is what scoring needs of a template version.
type Template struct {
	ScaleMax            int
	Aspects             []schematype.SurveyAspect
	FreeText            []string
	AlertIndexBelow     float64
	AlertIndicatorBelow float64
}

// ValidateTree checks a template's weighted tree: a 1-7 or 1-10 scale, at
// least one aspect, each with at least one indicator, unique keys, positive
// weights, and the weights of every level summing to 100%.
func ValidateTree(scaleMax int, aspects []schematype.SurveyAspect) error {
	if scaleMax != 7 && scaleMax != 10 {
		return apperr.Input("scaleMax", "the answer scale is 1-7 or 1-10")
	}
	if len(aspects) == 0 {
		return apperr.Input("aspects", "a survey needs at least one aspect")
	}
	keys := map[string]bool{}
	weights := make([]float64, len(aspects))
	for i, a := range aspects {
		field := fmt.Sprintf("aspects[%d]", i)
		if err := checkNode(keys, field, a.Key, a.Weight); err != nil {
			return err
		}
		if len(a.Indicators) == 0 {
			return apperr.Input(field+".indicators", "an aspect needs at least one indicator")
		}
		inner := make([]float64, len(a.Indicators))
		for j, ind := range a.Indicators {
			if err := checkNode(keys, fmt.Sprintf("%s.indicators[%d]", field, j), ind.Key, ind.Weight); err != nil {
				return err
			}
			inner[j] = ind.Weight
		}
		if err := sumsTo100(field+".indicators", inner); err != nil {
			return err
		}
		weights[i] = a.Weight
	}
	return sumsTo100("aspects", weights)
}

func checkNode(seen map[string]bool, field, key string, weight float64) error {
	switch {
	case strings.TrimSpace(key) == "" || strings.HasPrefix(key, textPrefix):
		return apperr.Input(field+".key", "a key is needed, and may not start with "+textPrefix)
	case seen[key]:
		return apperr.Input(field+".key", "the key "+key+" is used twice")
	case !(weight > 0) || weight > 100:
		return apperr.Input(field+".weight", "a weight is a percentage above 0")
	}
	seen[key] = true
	return nil
}

func sumsTo100(field string, weights []float64) error {
	sum := 0.0
	for _, w := range weights {
		sum += w
	}
	if math.Abs(sum-100) > weightTolerance {
		return apperr.Input(field, fmt.Sprintf("the weights add up to %.2f%%, not 100%%", sum))
	}
	return nil
}

// Normalize puts an answer on the 0-100 scale: the lowest point is 0, the
// highest 100, so 1-7 and 1-10 surveys compare.
func Normalize(score, scaleMax int) float64 {
	return float64(score-1) / float64(scaleMax-1) * 100
}

// textPrefix starts the answer key of a free-text question: "text_1" answers
// the first question.
const textPrefix = "text_"

// TextKey is the answer key of the i-th (0-based) free-text question.
func TextKey(i int) string { return textPrefix + strconv.Itoa(i+1) }

// Result is a scored response.
type Result struct {
	// Index is the weighted score, 0-100, rounded to two decimals.
	Index float64
	// Aspects holds each aspect's weighted score, 0-100, by key.
	Aspects map[string]float64
	// TopBox: the owner was "very satisfied" (Index >= TopBoxLine).
	TopBox bool
	// Hot: the index, or some indicator, fell below the template's alert
	// threshold. Low names what did.
	Hot bool
	Low []string
}

// Score checks the answers against the template and scores them. Every
// indicator needs exactly one score on the scale; free-text answers are
// optional; anything else is refused.
func Score(t Template, answers []schematype.SurveyAnswer) (Result, error) {
	scores, err := checkAnswers(t, answers)
	if err != nil {
		return Result{}, err
	}
	r := Result{Aspects: map[string]float64{}}
	for _, a := range t.Aspects {
		aspect := 0.0
		for _, ind := range a.Indicators {
			n := Normalize(scores[ind.Key], t.ScaleMax)
			aspect += n * ind.Weight / 100
			if n < t.AlertIndicatorBelow {
				r.Low = append(r.Low, ind.Key)
			}
		}
		r.Aspects[a.Key] = round2(aspect)
		r.Index += aspect * a.Weight / 100
	}
	r.Index = round2(r.Index)
	r.TopBox = r.Index >= TopBoxLine
	if r.Index < t.AlertIndexBelow {
		r.Low = append([]string{"index"}, r.Low...)
	}
	r.Hot = len(r.Low) > 0
	return r, nil
}

func checkAnswers(t Template, answers []schematype.SurveyAnswer) (map[string]int, error) {
	indicators := map[string]bool{}
	for _, a := range t.Aspects {
		for _, ind := range a.Indicators {
			indicators[ind.Key] = true
		}
	}
	scores := map[string]int{}
	texts := map[string]bool{}
	for i, a := range answers {
		field := fmt.Sprintf("answers[%d]", i)
		switch {
		case indicators[a.Key]:
			if _, dup := scores[a.Key]; dup {
				return nil, apperr.Input(field, "answered twice: "+a.Key)
			}
			if a.Score == nil || *a.Score < 1 || *a.Score > t.ScaleMax {
				return nil, apperr.Input(field+".score", fmt.Sprintf("a score from 1 to %d is needed", t.ScaleMax))
			}
			scores[a.Key] = *a.Score
		case isTextKey(a.Key, len(t.FreeText)):
			if texts[a.Key] || a.Score != nil || len(a.Text) > 2000 {
				return nil, apperr.Input(field, "a free-text answer is one text of up to 2,000 characters")
			}
			texts[a.Key] = true
		default:
			return nil, apperr.Input(field+".key", "the survey has no question "+a.Key)
		}
	}
	if len(scores) != len(indicators) {
		return nil, apperr.Input("answers", fmt.Sprintf("%d of %d questions are answered; every scored question needs an answer", len(scores), len(indicators)))
	}
	return scores, nil
}

func isTextKey(key string, n int) bool {
	i, err := strconv.Atoi(strings.TrimPrefix(key, textPrefix))
	return err == nil && i >= 1 && i <= n && key == TextKey(i-1)
}

func round2(f float64) float64 { return math.Round(f*100) / 100 }
