package scalar

import (
	"encoding/json"
	"fmt"
	"io"
	"strconv"

	"aftercare/internal/apperr"

	"github.com/99designs/gqlgen/graphql"
)

// MarshalID writes a global id as a string of digits.
func MarshalID(id int) graphql.Marshaler {
	return graphql.WriterFunc(func(w io.Writer) {
		_, _ = io.WriteString(w, strconv.Quote(strconv.Itoa(id)))
	})
}

// UnmarshalID reads a global id; anything that is not one is the client's
// mistake (BAD_USER_INPUT), not a server error.
func UnmarshalID(v any) (int, error) {
	n, ok := -1, false
	switch v := v.(type) {
	case string:
		n, ok = atoi(v)
	case int:
		n, ok = v, true
	case int64:
		n, ok = int(v), true
	case json.Number:
		n, ok = atoi(string(v))
	}
	// A negative number is never an id; refusing it here keeps it out of
	// the type-range arithmetic of global ids (found by FuzzID).
	if !ok || n < 0 {
		return 0, apperr.Input("", fmt.Sprintf("%v is not an id", v))
	}
	return n, nil
}

func atoi(s string) (int, bool) {
	n, err := strconv.Atoi(s)
	return n, err == nil
}
