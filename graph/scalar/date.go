// Package scalar implements the API's custom GraphQL scalars.
package scalar

import (
	"fmt"
	"io"
	"strconv"
	"time"

	"aftercare/internal/apperr"

	"github.com/99designs/gqlgen/graphql"
)

// DateLayout is the wire form of the Date scalar.
const DateLayout = "2006-01-02"

// MarshalDate writes a calendar date as "YYYY-MM-DD". The date is read in
// UTC because dates are stored as UTC midnight.
func MarshalDate(t time.Time) graphql.Marshaler {
	return graphql.WriterFunc(func(w io.Writer) {
		_, _ = io.WriteString(w, strconv.Quote(t.UTC().Format(DateLayout)))
	})
}

// UnmarshalDate reads "YYYY-MM-DD" into UTC midnight of that date.
func UnmarshalDate(v any) (time.Time, error) {
	s, ok := v.(string)
	if !ok {
		return time.Time{}, apperr.Input("", "a Date is a string YYYY-MM-DD")
	}
	t, err := time.Parse(DateLayout, s)
	if err != nil {
		return time.Time{}, apperr.Input("", fmt.Sprintf("%q is not a date in the form YYYY-MM-DD", s))
	}
	return t, nil
}
