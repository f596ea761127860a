package scalar

import (
	"fmt"
	"io"
	"strconv"
	"time"

	"aftercare/internal/apperr"

	"github.com/99designs/gqlgen/graphql"
)

// MarshalTime writes an instant as RFC 3339 in UTC.
func MarshalTime(t time.Time) graphql.Marshaler {
	return graphql.WriterFunc(func(w io.Writer) {
		_, _ = io.WriteString(w, strconv.Quote(t.UTC().Format(time.RFC3339Nano)))
	})
}

// UnmarshalTime reads RFC 3339 with any offset and keeps the instant in
// UTC, the form the database stores (SQLite keeps time text as written).
func UnmarshalTime(v any) (time.Time, error) {
	s, ok := v.(string)
	if !ok {
		return time.Time{}, apperr.Input("", "a Time is an RFC 3339 string such as 2026-11-23T09:30:00+08:00")
	}
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}, apperr.Input("", fmt.Sprintf("%q is not an RFC 3339 time", s))
	}
	// An offset can push a year-0000 or year-9999 time out of the four-digit
	// years RFC 3339 can write, and the API could not send it back (found
	// by FuzzTime).
	if y := t.UTC().Year(); y < 1 || y > 9999 {
		return time.Time{}, apperr.Input("", fmt.Sprintf("%q is outside the years 0001 to 9999", s))
	}
	return t.UTC(), nil
}
