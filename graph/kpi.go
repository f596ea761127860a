package graph

import (
	"fmt"
	"net/url"

	"aftercare/internal/kpi"
)

// drillDown reads one KPI list's rows: preds refuses a list of another
// row type (BAD_USER_INPUT), page reads the page.
func drillDown[P, C any](preds func(kpi.List) ([]P, error), list kpi.List, page func([]P) (C, error)) (C, error) {
	p, err := preds(list)
	if err != nil {
		var zero C
		return zero, err
	}
	return page(p)
}

// kpiCSVPath is where the list's CSV export is served.
func kpiCSVPath(r *kpi.Report, list kpi.List) string {
	q := url.Values{"dealershipID": {fmt.Sprint(r.StoreID)}, "month": {r.Month}, "list": {string(list)}}
	return "/exports/kpis.csv?" + q.Encode()
}
