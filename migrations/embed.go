// Package migrations embeds the versioned SQL migrations, one directory per
// dialect. They are generated from ent/schema by
// `go run ./internal/store/migrategen -name <change>` and applied in file-name
// order at start-up and by `aftercare migrate`. What ent/schema cannot express
// (a trigger) is written by hand and recorded with `migrategen -sum`.
package migrations

import "embed"

// FS holds postgres/*.sql and sqlite/*.sql with their atlas.sum checksums.
//
//go:embed postgres sqlite
var FS embed.FS
