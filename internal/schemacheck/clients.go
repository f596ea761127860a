package schemacheck

import (
	"aftercare/internal/gqldepth"

	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/formatter"
	"github.com/vektah/gqlparser/v2/gqlerror"
	"github.com/vektah/gqlparser/v2/parser"
	"github.com/vektah/gqlparser/v2/validator"
)

// ClientsDir holds one directory per client (owner-app, advisor-tablet,
// widget) of .graphql documents, relative to the repository root.
const ClientsDir = "docs/clients"

// ManifestFile is the persisted-query manifest, relative to the repository
// root.
const ManifestFile = ClientsDir + "/persisted-queries.json"

// ManifestCommand regenerates ManifestFile.
const ManifestCommand = "go run ./internal/schemacheck/cmd/schemacheck -manifest"

// MaxDepth is the server's default QUERY_MAX_DEPTH: a kit's operation must
// fit under it, counted as internal/httpserver's DepthLimit counts.
const MaxDepth = 12

// MaxComplexity is the server's default QUERY_MAX_COMPLEXITY. Kits are
// checked against it by counting every selected field once per place it is
// selected (fragments expanded), which is at least gqlgen's figure.
const MaxComplexity = 1000

// Kit is the operations of one client.
type Kit struct {
	Client     string
	Operations []Operation
}

// Operation is one named operation of a kit, with the fragments it uses.
type Operation struct {
	Name string
	Type ast.Operation // query, mutation or subscription
	// File is the document holding the operation, relative to ClientsDir.
	File string
	Line int
	// Document is the text a client sends as "query": the operation and the
	// fragments it uses (in name order), printed by gqlparser's formatter.
	Document string
	// Hash is the hex SHA-256 of Document, the APQ sha256Hash.
	Hash       string
	Depth      int
	Complexity int
}

// LoadKits reads every client directory under ClientsDir of the repository
// at root, checks it and returns the kits in name order. Every problem
// found is returned, each starting with file:line (relative to root).
//
// The rules: a .graphql file holds one named operation (and any fragments),
// or only fragments. Fragment names are unique within a client, and every
// fragment is used. Operation names are unique within a client. Each
// operation, with the fragments it uses, passes gqlparser's validation
// against the schema and stays within MaxDepth and MaxComplexity.
func LoadKits(schema *ast.Schema, root string) ([]Kit, []error) {
	clientsDir := filepath.Join(root, filepath.FromSlash(ClientsDir))
	entries, err := os.ReadDir(clientsDir)
	if err != nil {
		return nil, []error{err}
	}
	var kits []Kit
	var errs []error
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		kit, kerrs := loadKit(schema, clientsDir, e.Name())
		errs = append(errs, kerrs...)
		if len(kit.Operations) > 0 {
			kits = append(kits, kit)
		}
	}
	if len(kits) == 0 && len(errs) == 0 {
		errs = append(errs, fmt.Errorf("%s: no client kits", ClientsDir))
	}
	return kits, errs
}

type located struct {
	file string
	line int
}

func (l located) String() string { return fmt.Sprintf("%s:%d", l.file, l.line) }

func loadKit(schema *ast.Schema, clientsDir, client string) (Kit, []error) {
	kit := Kit{Client: client}
	var errs []error
	fail := func(at located, format string, args ...any) {
		errs = append(errs, fmt.Errorf("%s: %s", at, fmt.Sprintf(format, args...)))
	}
	display := func(rel string) string { return ClientsDir + "/" + rel }

	files, err := filepath.Glob(filepath.Join(clientsDir, client, "*.graphql"))
	if err != nil {
		return kit, []error{err}
	}
	sort.Strings(files)
	fragments := map[string]*ast.FragmentDefinition{}
	fragmentAt := map[string]located{}
	type op struct {
		def  *ast.OperationDefinition
		file string // relative to clientsDir
	}
	var ops []op
	for _, path := range files {
		rel, _ := filepath.Rel(clientsDir, path)
		rel = filepath.ToSlash(rel)
		b, err := os.ReadFile(path)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		doc, perr := parser.ParseQuery(&ast.Source{Name: display(rel), Input: string(b)})
		if perr != nil {
			errs = append(errs, gqlErr(display(rel), perr))
			continue
		}
		for _, f := range doc.Fragments {
			at := located{display(rel), f.Position.Line}
			if prev, dup := fragmentAt[f.Name]; dup {
				fail(at, "fragment %s is also defined at %s", f.Name, prev)
				continue
			}
			fragments[f.Name], fragmentAt[f.Name] = f, at
		}
		switch {
		case len(doc.Operations) > 1:
			fail(located{display(rel), doc.Operations[1].Position.Line},
				"one operation per file: %s already holds %s", rel, doc.Operations[0].Name)
		case len(doc.Operations) == 1:
			ops = append(ops, op{doc.Operations[0], rel})
		case len(doc.Fragments) == 0:
			fail(located{display(rel), 1}, "no operation and no fragment")
		}
	}

	seen := map[string]located{}
	used := map[string]bool{}
	reported := map[string]bool{}
	for _, o := range ops {
		at := located{display(o.file), o.def.Position.Line}
		if o.def.Name == "" {
			fail(at, "the operation needs a name")
			continue
		}
		if prev, dup := seen[o.def.Name]; dup {
			fail(at, "operation name %s is already used at %s (names must be unique per client)", o.def.Name, prev)
			continue
		}
		seen[o.def.Name] = at

		needed := map[string]bool{}
		spreads(o.def.SelectionSet, fragments, needed)
		doc := &ast.QueryDocument{Operations: ast.OperationList{o.def}}
		names := make([]string, 0, len(needed))
		for name := range needed {
			names = append(names, name)
			used[name] = true
		}
		sort.Strings(names)
		for _, name := range names {
			if f := fragments[name]; f != nil {
				doc.Fragments = append(doc.Fragments, f)
			}
		}
		if verrs := validator.ValidateWithRulesWithSources(schema, doc, nil); len(verrs) > 0 {
			for _, e := range verrs {
				// A fragment's error shows up once per operation (and
				// walk) that uses it: report it once.
				if err := sourceErr(at, e); !reported[err.Error()] {
					reported[err.Error()] = true
					errs = append(errs, err)
				}
			}
			continue
		}
		depth := gqldepth.Of(o.def.SelectionSet)
		if depth > MaxDepth {
			fail(at, "%s is nested %d fields deep; the server's default limit is %d", o.def.Name, depth, MaxDepth)
		}
		complexity := fieldCount(o.def.SelectionSet, map[string]bool{})
		if complexity > MaxComplexity {
			fail(at, "%s selects %d fields; the server's default complexity limit is %d", o.def.Name, complexity, MaxComplexity)
		}
		var buf bytes.Buffer
		formatter.NewFormatter(&buf).FormatQueryDocument(doc)
		text := buf.String()
		sum := sha256.Sum256([]byte(text))
		kit.Operations = append(kit.Operations, Operation{
			Name: o.def.Name, Type: o.def.Operation, File: o.file, Line: o.def.Position.Line,
			Document: text, Hash: hex.EncodeToString(sum[:]), Depth: depth, Complexity: complexity,
		})
	}
	for name := range fragments {
		if !used[name] {
			fail(fragmentAt[name], "fragment %s is used by no operation", name)
		}
	}
	sort.Slice(kit.Operations, func(i, j int) bool { return kit.Operations[i].Name < kit.Operations[j].Name })
	return kit, errs
}

// spreads collects the fragments a selection set uses, transitively.
func spreads(set ast.SelectionSet, fragments map[string]*ast.FragmentDefinition, out map[string]bool) {
	for _, sel := range set {
		switch s := sel.(type) {
		case *ast.Field:
			spreads(s.SelectionSet, fragments, out)
		case *ast.InlineFragment:
			spreads(s.SelectionSet, fragments, out)
		case *ast.FragmentSpread:
			if out[s.Name] {
				continue
			}
			out[s.Name] = true
			if f := fragments[s.Name]; f != nil {
				spreads(f.SelectionSet, fragments, out)
			}
		}
	}
}

func fieldCount(set ast.SelectionSet, visiting map[string]bool) int {
	n := 0
	for _, sel := range set {
		switch s := sel.(type) {
		case *ast.Field:
			n += 1 + fieldCount(s.SelectionSet, visiting)
		case *ast.InlineFragment:
			n += fieldCount(s.SelectionSet, visiting)
		case *ast.FragmentSpread:
			if s.Definition == nil || visiting[s.Name] {
				continue
			}
			visiting[s.Name] = true
			n += fieldCount(s.Definition.SelectionSet, visiting)
			delete(visiting, s.Name)
		}
	}
	return n
}

func gqlErr(file string, err error) error {
	if e, ok := err.(*gqlerror.Error); ok && len(e.Locations) > 0 {
		return fmt.Errorf("%s:%d:%d: %s", file, e.Locations[0].Line, e.Locations[0].Column, e.Message)
	}
	return fmt.Errorf("%s: %w", file, err)
}

// sourceErr names the file and line of a validation error; an error
// without a location is put at the operation.
func sourceErr(at located, e *gqlerror.ErrorWithSources) error {
	for _, l := range e.Locations {
		if l.Source != nil {
			return fmt.Errorf("%s:%d:%d: %s", l.Source.Name, l.Line, l.Column, e.Message)
		}
	}
	return fmt.Errorf("%s: %s", at, e.Message)
}

// Manifest is docs/clients/persisted-queries.json: per client, the APQ
// sha256Hash of each operation document and the document itself.
type Manifest struct {
	Comment   string                              `json:"comment"`
	Algorithm string                              `json:"algorithm"`
	Clients   map[string]map[string]ManifestEntry `json:"clients"`
}

// ManifestEntry is one persisted document.
type ManifestEntry struct {
	OperationName string `json:"operationName"`
	OperationType string `json:"operationType"`
	File          string `json:"file"`
	Document      string `json:"document"`
}

// BuildManifest renders the manifest of the kits, byte for byte as it is
// committed.
func BuildManifest(kits []Kit) ([]byte, error) {
	m := Manifest{
		Comment: "Generated from " + ClientsDir + "/*/*.graphql by `" + ManifestCommand + "`; do not edit. " +
			"Per client: sha256Hash (hex SHA-256 of document) -> the operation. Send document exactly as it is here.",
		Algorithm: "sha256",
		Clients:   map[string]map[string]ManifestEntry{},
	}
	for _, k := range kits {
		entries := map[string]ManifestEntry{}
		for _, op := range k.Operations {
			if prev, dup := entries[op.Hash]; dup {
				return nil, fmt.Errorf("%s: %s and %s have the same document", k.Client, prev.OperationName, op.Name)
			}
			entries[op.Hash] = ManifestEntry{
				OperationName: op.Name, OperationType: string(op.Type),
				File: op.File, Document: op.Document,
			}
		}
		m.Clients[k.Client] = entries
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", "  ")
	if err := enc.Encode(m); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// KitErrors joins kit problems into one message.
func KitErrors(errs []error) string {
	lines := make([]string, len(errs))
	for i, e := range errs {
		lines[i] = e.Error()
	}
	return strings.Join(lines, "\n")
}
