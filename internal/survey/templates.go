package survey

import (
	"context"
	"strings"

	"aftercare/ent"
	"aftercare/ent/schema/schematype"
	"aftercare/ent/surveytemplate"
	"aftercare/internal/apperr"
	"aftercare/internal/auth"
)

// Draft is a template version to publish.
type Draft struct {
	// StoreID is the store the survey is for; nil for the whole group
	// (group admins only).
	StoreID                              *int
	Name                                 string
	Kind                                 surveytemplate.Kind
	ScaleMax                             int
	Aspects                              []schematype.SurveyAspect
	FreeText                             []string
	AlertIndexBelow, AlertIndicatorBelow *float64
}

// Publish validates a draft and stores it as the next version of the
// survey of that name and kind; earlier versions stop being used for new
// invitations, while their responses keep pointing at them. It writes
// under the caller's viewer (care managers, general managers, group
// admins). c must be transactional.
func Publish(ctx context.Context, c *ent.Client, d Draft) (*ent.SurveyTemplate, error) {
	v := auth.FromContext(ctx)
	if err := checkDraft(v, &d); err != nil {
		return nil, err
	}
	prev, err := c.SurveyTemplate.Query().Where(surveytemplate.DealerGroupID(v.DealerGroupID),
		surveytemplate.KindEQ(d.Kind), surveytemplate.Name(d.Name)).
		Order(ent.Desc(surveytemplate.FieldVersion)).All(auth.SystemContext(ctx))
	if err != nil {
		return nil, err
	}
	version := 1
	if len(prev) > 0 {
		version = prev[0].Version + 1
		if !sameStore(prev[0].DealershipID, d.StoreID) {
			return nil, apperr.Input("name", "another store's or the group's survey has this name")
		}
	}
	if _, err := c.SurveyTemplate.Update().Where(surveytemplate.DealerGroupID(v.DealerGroupID),
		surveytemplate.KindEQ(d.Kind), surveytemplate.Name(d.Name), surveytemplate.Active(true)).
		SetActive(false).Save(ctx); err != nil {
		return nil, err
	}
	create := c.SurveyTemplate.Create().SetDealerGroupID(v.DealerGroupID).SetNillableDealershipID(d.StoreID).
		SetName(d.Name).SetKind(d.Kind).SetVersion(version).SetScaleMax(d.ScaleMax).SetAspects(d.Aspects).
		SetFreeTextQuestions(d.FreeText).
		SetNillableAlertIndexBelow(d.AlertIndexBelow).SetNillableAlertIndicatorBelow(d.AlertIndicatorBelow)
	t, err := create.Save(ctx)
	if ent.IsConstraintError(err) {
		return nil, apperr.Conflictf("another version of this survey was published at the same time; try again")
	}
	return t, err
}

func checkDraft(v *auth.Viewer, d *Draft) error {
	d.Name = strings.TrimSpace(d.Name)
	switch {
	case !v.HasRole(auth.RoleCareManager, auth.RoleGeneralManager, auth.RoleGroupAdmin):
		return apperr.Forbiddenf("care managers, general managers and group admins publish surveys")
	case d.StoreID == nil && v.Role != auth.RoleGroupAdmin:
		return apperr.Input("dealershipID", "a store's survey names the store; only a group admin publishes for the whole group")
	case d.Name == "" || len(d.Name) > 200:
		return apperr.Input("name", "a name of up to 200 characters")
	case len(d.FreeText) > 5:
		return apperr.Input("freeTextQuestions", "at most 5 free-text questions")
	}
	for field, p := range map[string]*float64{"alertIndexBelow": d.AlertIndexBelow, "alertIndicatorBelow": d.AlertIndicatorBelow} {
		if p != nil && (*p < 0 || *p > 100) {
			return apperr.Input(field, "alert lines are on the 0-100 scale")
		}
	}
	return ValidateTree(d.ScaleMax, d.Aspects)
}

func sameStore(a, b *int) bool {
	return (a == nil && b == nil) || (a != nil && b != nil && *a == *b)
}
