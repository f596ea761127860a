package scalar

import (
	"bytes"
	"encoding/json"
	"strconv"
	"testing"
	"time"

	"aftercare/internal/apperr"

	"github.com/99designs/gqlgen/graphql"
)

// Scalars read client input before any resolver runs: every refusal must be
// BAD_USER_INPUT (never an uncoded error or a panic), and every accepted
// value must survive the trip back out unchanged.

func wire(m graphql.Marshaler) string {
	var b bytes.Buffer
	m.MarshalGQL(&b)
	s, err := strconv.Unquote(b.String())
	if err != nil {
		panic(err)
	}
	return s
}

func mustBeInput(t *testing.T, v any, err error) {
	t.Helper()
	if e, ok := apperr.As(err); !ok || e.Code != apperr.BadUserInput {
		t.Fatalf("%#v: error %v is not BAD_USER_INPUT", v, err)
	}
}

func FuzzDate(f *testing.F) {
	for _, s := range []string{"2026-11-23", "2026-02-29", "2024-02-29", "0000-01-01", "9999-12-31", "2026-1-2", "2026-11-23T00:00:00Z", "", "+2026-11-23"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := UnmarshalDate(s)
		if err != nil {
			mustBeInput(t, s, err)
			return
		}
		if back := wire(MarshalDate(d)); back != s {
			t.Fatalf("Date %q comes back as %q", s, back)
		}
	})
}

func FuzzTime(f *testing.F) {
	for _, s := range []string{"2026-11-23T09:30:00+08:00", "2026-11-23T01:30:00Z", "2026-11-23T09:30:00.123456789-23:59", "2026-11-23 09:30:00Z", "0000-01-01T00:00:00+23:59", "9999-12-31T23:59:59-23:59", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		tm, err := UnmarshalTime(s)
		if err != nil {
			mustBeInput(t, s, err)
			return
		}
		if tm.Location() != time.UTC {
			t.Fatalf("Time %q kept zone %v", s, tm.Location())
		}
		back, err := UnmarshalTime(wire(MarshalTime(tm)))
		if err != nil || !back.Equal(tm) {
			t.Fatalf("Time %q: round trip gives %v, %v", s, back, err)
		}
	})
}

// An id is a non-negative integer however it arrives (a string, or a JSON
// number in variables); anything else is BAD_USER_INPUT.
func FuzzID(f *testing.F) {
	for _, s := range []string{"0", "42", "21474836481", "-1", "+1", " 1", "1e3", "9223372036854775807", "9223372036854775808", "0x10", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, v := range []any{s, json.Number(s)} {
			id, err := UnmarshalID(v)
			if err != nil {
				mustBeInput(t, v, err)
				continue
			}
			if id < 0 {
				t.Fatalf("UnmarshalID(%#v) = %d, a negative id", v, id)
			}
			if again, err := UnmarshalID(wire(MarshalID(id))); err != nil || again != id {
				t.Fatalf("id %d: round trip gives %d, %v", id, again, err)
			}
		}
	})
}
