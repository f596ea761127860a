package graph

import (
	"aftercare/ent/complaint"
	"aftercare/graph/model"
	"aftercare/internal/apperr"
	"aftercare/internal/auth"
	complaints "aftercare/internal/complaint"
	"aftercare/internal/survey"
)

var errOwnersOnly = apperr.Forbiddenf("only a signed-in owner files a complaint from the app; staff use logComplaint")

// values copies a list of gqlgen inputs into the value slice the domain
// keeps.
func values[T any](in []*T) []T {
	out := make([]T, 0, len(in))
	for _, p := range in {
		if p != nil {
			out = append(out, *p)
		}
	}
	return out
}

// staffComplaint is a complaint care staff log for an owner who called or
// came in: at their own store (a group admin names one).
func staffComplaint(v *auth.Viewer, in model.LogComplaintInput) (complaints.New, error) {
	if !v.IsStaff() {
		return complaints.New{}, apperr.Forbiddenf("staff log complaints; owners use fileComplaint")
	}
	if in.Source != complaint.SourcePhone && in.Source != complaint.SourceWalkIn {
		return complaints.New{}, apperr.Input("source", "staff log complaints made by phone or walk-in")
	}
	store := v.DealershipID
	if in.DealershipID != nil {
		store = *in.DealershipID
	}
	if store == 0 {
		return complaints.New{}, apperr.Input("dealershipID", "name the store")
	}
	return complaints.New{StoreID: store, OwnerID: in.OwnerID, WorkOrderID: in.WorkOrderID, Source: in.Source,
		Category: in.Category, Severity: in.Severity, Description: in.Description}, nil
}

func scoresModel(store int, month string, m *survey.Month) *model.SurveyScores {
	out := &model.SurveyScores{DealershipID: store, Month: month, Responses: m.Overall.Responses,
		Index: m.Overall.Index, TopBoxShare: m.Overall.TopBoxShare, Target: survey.TopBoxTarget,
		MeetsTarget: m.MeetsTarget(), Aspects: []*model.SurveyScoreGroup{}, Advisors: []*model.SurveyScoreGroup{}}
	for _, g := range m.Summary.Aspects {
		out.Aspects = append(out.Aspects, group(g, m.Titles[g.Key]))
	}
	for _, g := range m.Advisors {
		out.Advisors = append(out.Advisors, group(g, ""))
	}
	return out
}

func group(g survey.Group, title string) *model.SurveyScoreGroup {
	return &model.SurveyScoreGroup{Key: g.Key, Title: title, Responses: g.Responses, Index: g.Index, TopBoxShare: g.TopBoxShare}
}
