package httpserver

import (
	"bytes"
	"fmt"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"aftercare/ent"
	"aftercare/internal/apperr"
	"aftercare/internal/kpi"
	"aftercare/internal/reqctx"
)

// kpiExport serves GET /exports/kpis.csv?dealershipID=&month=&list=: one
// drill-down list of a store's month as CSV, for managers who work in a
// spreadsheet. It checks access exactly as storeKpis does. The CSV is
// built in memory first, so an error half way is still an error status
// and not a truncated file.
func kpiExport(c *ent.Client, now func() time.Time) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		q := r.URL.Query()
		store, err := strconv.Atoi(q.Get("dealershipID"))
		if err != nil || store <= 0 {
			writeAppErr(w, r, apperr.Input("dealershipID", "dealershipID must be a store's id"))
			return
		}
		var list kpi.List
		if err := list.UnmarshalGQL(q.Get("list")); err != nil {
			writeAppErr(w, r, err)
			return
		}
		month := q.Get("month")
		s, err := kpi.Open(ctx, c, store, month, now())
		if err != nil {
			writeAppErr(w, r, err)
			return
		}
		var buf bytes.Buffer
		if err := kpi.Export(ctx, c, s, list, &buf); err != nil {
			writeAppErr(w, r, err)
			return
		}
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		w.Header().Set("Content-Disposition", fmt.Sprintf(`attachment; filename="kpis-%d-%s-%s.csv"`, store, s.Month, list))
		w.Header().Set("Cache-Control", "no-store")
		_, _ = w.Write(buf.Bytes())
	}
}

// writeAppErr answers a non-GraphQL request with the error's code, in the
// same JSON shape as GraphQL errors; an internal error shows only the
// request id.
func writeAppErr(w http.ResponseWriter, r *http.Request, err error) {
	e, ok := apperr.As(err)
	if !ok {
		id := reqctx.RequestID(r.Context())
		slog.ErrorContext(r.Context(), "kpi export failed", "request_id", id, "err", err)
		writeJSON(w, http.StatusInternalServerError, gqlErrorBody("internal error (request "+id+")", string(apperr.Internal)))
		return
	}
	status := map[apperr.Code]int{apperr.BadUserInput: http.StatusBadRequest, apperr.Forbidden: http.StatusForbidden,
		apperr.NotFound: http.StatusNotFound, apperr.Unauthenticated: http.StatusUnauthorized}[e.Code]
	if status == 0 {
		status = http.StatusInternalServerError
	}
	writeJSON(w, status, gqlErrorBody(e.Message, string(e.Code)))
}
