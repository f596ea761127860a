// Package pgurl edits PostgreSQL connection URLs.
package pgurl

import "strings"

// WithDatabase returns url naming database db on the same server (tests
// and migrategen create scratch databases next to the one they are given).
func WithDatabase(url, db string) string {
	base, query, _ := strings.Cut(url, "?")
	base = base[:strings.LastIndex(base, "/")+1] + db
	if query != "" {
		return base + "?" + query
	}
	return base
}
