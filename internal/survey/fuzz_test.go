package survey

import (
	"encoding/json"
	"testing"

	"aftercare/ent/schema/schematype"
	"aftercare/internal/apperr"
	"aftercare/internal/seed"
)

// FuzzScore feeds survey answers, as a client sends them (JSON), to the
// scoring of the seeded service survey. Whatever arrives, Score either
// refuses it as the client's mistake or returns an index and aspects on
// 0-100 with top box exactly at 80: never a panic, NaN or a score out of
// range.
//
//	go test -run '^$' -fuzz FuzzScore ./internal/survey/
func FuzzScore(f *testing.F) {
	t := Template{ScaleMax: 10, Aspects: seed.ServiceSurveyAspects(), FreeText: []string{"What could we do better?"},
		AlertIndexBelow: 60, AlertIndicatorBelow: 40}
	var full []schematype.SurveyAnswer
	for i, a := range t.Aspects {
		for _, ind := range a.Indicators {
			s := 1 + (i*3)%10
			full = append(full, schematype.SurveyAnswer{Key: ind.Key, Score: &s})
		}
	}
	seedJSON, _ := json.Marshal(append(full, schematype.SurveyAnswer{Key: TextKey(0), Text: "faster, please"}))
	f.Add(seedJSON)
	f.Add([]byte(`[]`))
	f.Add([]byte(`[{"key":"` + full[0].Key + `","score":11}]`))
	f.Add([]byte(`[{"key":"` + full[0].Key + `","score":-2147483648},{"key":"text_0"}]`))
	f.Fuzz(func(tt *testing.T, body []byte) {
		var answers []schematype.SurveyAnswer
		if json.Unmarshal(body, &answers) != nil {
			return // the GraphQL layer refuses what is not a list of answers
		}
		r, err := Score(t, answers)
		if err != nil {
			if e, ok := apperr.As(err); !ok || e.Code != apperr.BadUserInput {
				tt.Fatalf("refused without BAD_USER_INPUT: %v", err)
			}
			return
		}
		if !(r.Index >= 0 && r.Index <= 100) || r.TopBox != (r.Index >= TopBoxLine) {
			tt.Fatalf("index %v, top box %v", r.Index, r.TopBox)
		}
		for k, v := range r.Aspects {
			if !(v >= 0 && v <= 100) {
				tt.Fatalf("aspect %s scored %v", k, v)
			}
		}
		if len(r.Aspects) != len(t.Aspects) {
			tt.Fatalf("%d aspects scored of %d", len(r.Aspects), len(t.Aspects))
		}
	})
}
