package survey

import (
	"context"

	"aftercare/ent"
	"aftercare/ent/surveyresponse"
	"aftercare/ent/surveytemplate"
	"aftercare/internal/apperr"
	"aftercare/internal/auth"
	"aftercare/internal/dealers"
)

// Month is a store's calendar month, "2026-11", in the store's time zone.
type Month struct {
	Summary
	Titles map[string]string // aspect key -> title, from the templates answered
}

// Scores aggregates a store's responses submitted in a month (in the
// store's own time zone): overall, per aspect and per advisor, with the
// top-box share against the target. Staff of the store and group admins
// read it.
func Scores(ctx context.Context, c *ent.Client, storeID int, month string) (*Month, error) {
	v := auth.FromContext(ctx)
	if !v.IsStaff() || (v.Role != auth.RoleGroupAdmin && v.DealershipID != storeID) {
		return nil, apperr.Forbiddenf("a store's scores are for its staff and group admins")
	}
	st, err := c.Dealership.Get(ctx, storeID)
	if ent.IsNotFound(err) {
		return nil, apperr.NotFoundf("store not found")
	}
	if err != nil {
		return nil, err
	}
	from, to, err := dealers.MonthRange(month, st.TimeZone)
	if err != nil {
		return nil, err
	}
	rs, err := c.SurveyResponse.Query().Where(surveyresponse.DealershipID(storeID),
		surveyresponse.SubmittedAtGTE(from), surveyresponse.SubmittedAtLT(to)).All(ctx)
	if err != nil {
		return nil, err
	}
	return summarise(ctx, c, rs)
}

// summarise re-scores each response against its own template version, so
// aspects are read as the owner answered them.
func summarise(ctx context.Context, c *ent.Client, rs []*ent.SurveyResponse) (*Month, error) {
	ids := map[int]bool{}
	for _, r := range rs {
		ids[r.TemplateID] = true
	}
	tpls, err := c.SurveyTemplate.Query().Where(surveytemplate.IDIn(keys(ids)...)).All(ctx)
	if err != nil {
		return nil, err
	}
	byID := map[int]*ent.SurveyTemplate{}
	titles := map[string]string{}
	var order []string
	for _, t := range tpls {
		byID[t.ID] = t
		for _, a := range t.Aspects {
			if _, ok := titles[a.Key]; !ok {
				titles[a.Key] = a.Title
				order = append(order, a.Key)
			}
		}
	}
	scored := make([]Scored, 0, len(rs))
	for _, r := range rs {
		s := Scored{Index: r.IndexScore, TopBox: r.TopBox, AdvisorID: r.AdvisorID}
		if t := byID[r.TemplateID]; t != nil {
			if res, err := Score(templateOf(t), r.Answers); err == nil {
				s.Aspects = res.Aspects
			}
		}
		scored = append(scored, s)
	}
	return &Month{Summary: Aggregate(scored, order), Titles: titles}, nil
}

func keys(m map[int]bool) []int {
	out := make([]int, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}
