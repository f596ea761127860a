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
	switch v := v.(type) {
	case string:
		if n, err := strconv.Atoi(v); err == nil && n >= 0 {
			return n, nil
		}
	case int:
		return v, nil
	case int64:
		return int(v), nil
	case json.Number:
		if n, err := strconv.Atoi(string(v)); err == nil {
			return n, nil
		}
	}
	return 0, apperr.Input("", fmt.Sprintf("%v is not an id", v))
}
