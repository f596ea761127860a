package survey

import (
	"math"
	"testing"
	"time"

	"aftercare/ent/schema/schematype"
	"aftercare/internal/apperr"
	"aftercare/internal/seed"
)

func ind(key string, w float64) schematype.SurveyIndicator {
	return schematype.SurveyIndicator{Key: key, Title: key, Weight: w}
}

func TestValidateTree(t *testing.T) {
	two := func(a, b float64) []schematype.SurveyAspect {
		return []schematype.SurveyAspect{
			{Key: "a", Weight: a, Indicators: []schematype.SurveyIndicator{ind("a1", 50), ind("a2", 50)}},
			{Key: "b", Weight: b, Indicators: []schematype.SurveyIndicator{ind("b1", 100)}},
		}
	}
	for _, tc := range []struct {
		name    string
		scale   int
		aspects []schematype.SurveyAspect
		field   string // "" = valid
	}{
		{"seeded service survey", 10, seed.ServiceSurveyAspects(), ""},
		{"sales example of DOMAIN.md (two decimals)", 10, seed.SalesSurveyAspects(), ""},
		{"1-7 scale", 7, two(40, 60), ""},
		{"aspects sum to 99", 10, two(40, 59), "aspects"},
		{"aspects sum to 101", 10, two(41, 60), "aspects"},
		{"zero weight", 10, two(0, 100), "aspects[0].weight"},
		{"negative weight", 10, two(-10, 110), "aspects[0].weight"},
		{"scale 1-5", 5, two(40, 60), "scaleMax"},
		{"no aspects", 10, nil, "aspects"},
		{"indicators sum to 90", 10, []schematype.SurveyAspect{
			{Key: "a", Weight: 100, Indicators: []schematype.SurveyIndicator{ind("a1", 50), ind("a2", 40)}}}, "aspects[0].indicators"},
		{"aspect without indicators", 10, []schematype.SurveyAspect{{Key: "a", Weight: 100}}, "aspects[0].indicators"},
		{"duplicate key across levels", 10, []schematype.SurveyAspect{
			{Key: "a", Weight: 100, Indicators: []schematype.SurveyIndicator{ind("a", 100)}}}, "aspects[0].indicators[0].key"},
		{"reserved text key", 10, []schematype.SurveyAspect{
			{Key: "a", Weight: 100, Indicators: []schematype.SurveyIndicator{ind("text_1", 100)}}}, "aspects[0].indicators[0].key"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := ValidateTree(tc.scale, tc.aspects)
			if tc.field == "" {
				if err != nil {
					t.Fatalf("valid tree refused: %v", err)
				}
				return
			}
			e, ok := apperr.As(err)
			if !ok || e.Code != apperr.BadUserInput || e.Field != tc.field {
				t.Fatalf("got %v, want BAD_USER_INPUT on %s", err, tc.field)
			}
		})
	}
}

func score(n int) *int { return &n }

func answers(scores map[string]int, texts ...string) []schematype.SurveyAnswer {
	var out []schematype.SurveyAnswer
	for k, v := range scores {
		out = append(out, schematype.SurveyAnswer{Key: k, Score: score(v)})
	}
	for i, s := range texts {
		out = append(out, schematype.SurveyAnswer{Key: TextKey(i), Text: s})
	}
	return out
}

func TestScoreArithmetic(t *testing.T) {
	tpl := Template{ScaleMax: 10, AlertIndexBelow: 60, AlertIndicatorBelow: 40, FreeText: []string{"Anything else?"},
		Aspects: []schematype.SurveyAspect{
			{Key: "advisor", Weight: 40, Indicators: []schematype.SurveyIndicator{ind("courtesy", 50), ind("explain", 50)}},
			{Key: "quality", Weight: 60, Indicators: []schematype.SurveyIndicator{ind("fixed", 75), ind("clean", 25)}},
		}}
	for _, tc := range []struct {
		name    string
		tpl     Template
		scores  map[string]int
		index   float64
		aspects map[string]float64
		topBox  bool
		low     []string
	}{
		{"all 10s", tpl, map[string]int{"courtesy": 10, "explain": 10, "fixed": 10, "clean": 10}, 100, map[string]float64{"advisor": 100, "quality": 100}, true, nil},
		{"all 1s", tpl, map[string]int{"courtesy": 1, "explain": 1, "fixed": 1, "clean": 1}, 0, map[string]float64{"advisor": 0, "quality": 0},
			false, []string{"index", "courtesy", "explain", "fixed", "clean"}},
		// advisor (10+1)/2 -> (100+0)/2 = 50; quality 0.75*100 + 0.25*0 = 75;
		// index 0.4*50 + 0.6*75 = 65.
		{"weighted", tpl, map[string]int{"courtesy": 10, "explain": 1, "fixed": 10, "clean": 1}, 65, map[string]float64{"advisor": 50, "quality": 75},
			false, []string{"explain", "clean"}},
		// 9 on 1-10 is 88.89: top box; 8 is 77.78: not.
		{"all 9s is top box", tpl, map[string]int{"courtesy": 9, "explain": 9, "fixed": 9, "clean": 9}, 88.89, map[string]float64{"advisor": 88.89, "quality": 88.89}, true, nil},
		{"all 8s is not", tpl, map[string]int{"courtesy": 8, "explain": 8, "fixed": 8, "clean": 8}, 77.78, map[string]float64{"advisor": 77.78, "quality": 77.78}, false, nil},
		// on 1-7, 6 is 83.33.
		{"1-7 scale", Template{ScaleMax: 7, Aspects: tpl.Aspects, AlertIndexBelow: 60, AlertIndicatorBelow: 40, FreeText: tpl.FreeText},
			map[string]int{"courtesy": 6, "explain": 6, "fixed": 6, "clean": 6}, 83.33, map[string]float64{"advisor": 83.33, "quality": 83.33}, true, nil},
		// index 0.4*100 + 0.6*(0.75*44.44+0.25*44.44) = 66.67 -> no index alert;
		// indicators at 44.44 are above 40.
		{"just above the lines", tpl, map[string]int{"courtesy": 10, "explain": 10, "fixed": 5, "clean": 5}, 66.67, map[string]float64{"advisor": 100, "quality": 44.44}, false, nil},
		{"one indicator at 4 alerts", tpl, map[string]int{"courtesy": 10, "explain": 10, "fixed": 10, "clean": 4}, 90, map[string]float64{"advisor": 100, "quality": 83.33}, true, []string{"clean"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, err := Score(tc.tpl, answers(tc.scores, "fine"))
			if err != nil {
				t.Fatal(err)
			}
			if math.Abs(r.Index-tc.index) > 0.005 || r.TopBox != tc.topBox {
				t.Fatalf("index %.2f top box %v, want %.2f %v", r.Index, r.TopBox, tc.index, tc.topBox)
			}
			for k, v := range tc.aspects {
				if math.Abs(r.Aspects[k]-v) > 0.005 {
					t.Fatalf("aspect %s = %.2f, want %.2f", k, r.Aspects[k], v)
				}
			}
			if r.Hot != (len(tc.low) > 0) || len(r.Low) != len(tc.low) {
				t.Fatalf("hot %v low %v, want %v", r.Hot, r.Low, tc.low)
			}
			for _, k := range tc.low {
				if !contains(r.Low, k) {
					t.Fatalf("low %v lacks %s", r.Low, k)
				}
			}
		})
	}
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

func TestScoreRefusesBadAnswers(t *testing.T) {
	tpl := Template{ScaleMax: 7, FreeText: []string{"Why?"}, Aspects: []schematype.SurveyAspect{
		{Key: "a", Weight: 100, Indicators: []schematype.SurveyIndicator{ind("a1", 50), ind("a2", 50)}}}}
	s := func(k string, n int) schematype.SurveyAnswer { return schematype.SurveyAnswer{Key: k, Score: score(n)} }
	for _, tc := range []struct {
		name  string
		in    []schematype.SurveyAnswer
		field string
	}{
		{"missing indicator", []schematype.SurveyAnswer{s("a1", 5)}, "answers"},
		{"score above the scale", []schematype.SurveyAnswer{s("a1", 5), s("a2", 8)}, "answers[1].score"},
		{"score 0", []schematype.SurveyAnswer{s("a1", 0), s("a2", 5)}, "answers[0].score"},
		{"no score", []schematype.SurveyAnswer{{Key: "a1"}, s("a2", 5)}, "answers[0].score"},
		{"twice", []schematype.SurveyAnswer{s("a1", 5), s("a1", 5), s("a2", 5)}, "answers[1]"},
		{"unknown key", []schematype.SurveyAnswer{s("a1", 5), s("a2", 5), s("zz", 5)}, "answers[2].key"},
		{"text of a question that does not exist", []schematype.SurveyAnswer{s("a1", 5), s("a2", 5), {Key: "text_2", Text: "x"}}, "answers[2].key"},
		{"text alias", []schematype.SurveyAnswer{s("a1", 5), s("a2", 5), {Key: "text_01", Text: "x"}}, "answers[2].key"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Score(tpl, tc.in)
			if e, ok := apperr.As(err); !ok || e.Field != tc.field {
				t.Fatalf("got %v, want BAD_USER_INPUT on %s", err, tc.field)
			}
		})
	}
}

func TestAggregate(t *testing.T) {
	a1, a2 := 7, 8
	s := Aggregate([]Scored{
		{Index: 100, TopBox: true, AdvisorID: &a1, Aspects: map[string]float64{"x": 100, "y": 100}},
		{Index: 90, TopBox: true, AdvisorID: &a1, Aspects: map[string]float64{"x": 80, "y": 100}},
		{Index: 50, TopBox: false, AdvisorID: &a2, Aspects: map[string]float64{"x": 50, "y": 50}},
		{Index: 80, TopBox: true, Aspects: map[string]float64{"x": 60}},
		{Index: 70, TopBox: false, AdvisorID: &a2},
	}, []string{"y", "x"})
	if s.Overall.Responses != 5 || s.Overall.Index != 78 || s.Overall.TopBoxShare != 0.6 || s.MeetsTarget() {
		t.Fatalf("overall %+v (meets target %v)", s.Overall, s.MeetsTarget())
	}
	if len(s.Aspects) != 2 || s.Aspects[0].Key != "y" || s.Aspects[0].Index != 83.33 || s.Aspects[0].Responses != 3 ||
		s.Aspects[1].Index != 72.5 || s.Aspects[1].TopBoxShare != 0.5 {
		t.Fatalf("aspects %+v", s.Aspects)
	}
	if len(s.Advisors) != 2 || s.Advisors[0].Key != "7" || s.Advisors[0].Index != 95 || s.Advisors[0].TopBoxShare != 1 ||
		s.Advisors[1].Index != 60 || s.Advisors[1].TopBoxShare != 0 {
		t.Fatalf("advisors %+v", s.Advisors)
	}
	if !Aggregate([]Scored{{Index: 90, TopBox: true}, {Index: 95, TopBox: true}, {Index: 85, TopBox: true}, {Index: 99, TopBox: true}, {Index: 10}}, nil).MeetsTarget() {
		t.Fatal("4 of 5 very satisfied is the 80% target")
	}
	if (Summary{}).MeetsTarget() {
		t.Fatal("no responses cannot meet the target")
	}
}

func TestLinks(t *testing.T) {
	l := Links{Secret: []byte("0123456789abcdef0123456789abcdef")}
	now := time.Date(2026, 11, 2, 10, 0, 0, 0, time.UTC)
	tok := l.Token(42, now.Add(time.Hour))
	if id, err := l.Verify(tok, now); err != nil || id != 42 {
		t.Fatalf("fresh token: %d %v", id, err)
	}
	for name, bad := range map[string]func() (int, error){
		"expired":         func() (int, error) { return l.Verify(tok, now.Add(time.Hour)) },
		"other secret":    func() (int, error) { return Links{Secret: []byte("another secret, another secret!!")}.Verify(tok, now) },
		"id changed":      func() (int, error) { return l.Verify("43"+tok[2:], now) },
		"expiry extended": func() (int, error) { return l.Verify(l.Token(42, now.Add(time.Hour))[:3]+"9"+tok[4:], now) },
		"garbage":         func() (int, error) { return l.Verify("not-a-token", now) },
		"no secret":       func() (int, error) { return Links{}.Verify(tok, now) },
	} {
		if _, err := bad(); err == nil {
			t.Errorf("%s: accepted", name)
		} else if e, _ := apperr.As(err); e == nil || e.Field != "token" {
			t.Errorf("%s: %v, want BAD_USER_INPUT on token", name, err)
		}
	}
}
