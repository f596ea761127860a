package sqlread

import (
	"bytes"
	"encoding/json"
	"testing"
)

// compact must give what json.Compact gives for any valid JSON, above all
// keep the spaces, quotes and backslashes inside strings.
func TestCompactAsEncodingJSON(t *testing.T) {
	for _, in := range []string{
		`{"owners" : {"edges" : [{"node" : {"id" : "1", "name" : "Li Wei"}}, {"node" : null}]}}`,
		"{\n\t\"a\" :\r\n [1, 2.5e3, -0, true, false, null] }",
		`{"message" : "Brakes \"worn\" <50%> & 前轮 ✓ \\ \t", "k" : "a \\"}`,
		`"\\\\" `,
		`{"edges" : []}`,
		`  {"a" : "\u00e9 \" }"  }  `,
	} {
		assertCompacts(t, []byte(in))
	}
}

func FuzzCompact(f *testing.F) {
	f.Add([]byte(`{"a" : ["b \" c", 1, {"d" : "\\"}]}`))
	f.Fuzz(func(t *testing.T, in []byte) {
		if json.Valid(in) {
			assertCompacts(t, in)
		}
	})
}

func assertCompacts(t *testing.T, in []byte) {
	t.Helper()
	var want bytes.Buffer
	if err := json.Compact(&want, in); err != nil {
		t.Fatalf("test input %q is not JSON: %v", in, err)
	}
	if got := compact(nil, in); !bytes.Equal(got, want.Bytes()) {
		t.Fatalf("compact(%q) = %q, want %q", in, got, want.Bytes())
	}
}

func BenchmarkCompact(b *testing.B) {
	var doc bytes.Buffer
	doc.WriteString(`{"owners" : {"edges" : [`)
	for i := range 180 {
		if i > 0 {
			doc.WriteString(", ")
		}
		doc.WriteString(`{"node" : {"seq" : 3, "toStatus" : "in_repair", "createdAt" : "2026-11-30T08:15:01.500001Z"}}`)
	}
	doc.WriteString(`]}}`)
	in := doc.Bytes()
	b.Run("compact", func(b *testing.B) {
		b.SetBytes(int64(len(in)))
		buf := make([]byte, 0, len(in))
		for b.Loop() {
			buf = compact(buf[:0], in)
		}
	})
	b.Run("json.Compact", func(b *testing.B) {
		b.SetBytes(int64(len(in)))
		var buf bytes.Buffer
		for b.Loop() {
			buf.Reset()
			_ = json.Compact(&buf, in)
		}
	})
}
