// Package schemacheck keeps the GraphQL schema and its clients honest:
//
//   - Compare reports the changes between two versions of the schema and
//     says which of them break existing clients (see Change).
//   - LoadKits reads the client kits under docs/clients, validates each
//     operation against the schema and builds the persisted-query manifest
//     (docs/clients/persisted-queries.json).
//
// The command internal/schemacheck/cmd/schemacheck runs both from the
// command line and from .ci/run.
package schemacheck

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path"
	"path/filepath"
	"sort"
	"strings"

	"github.com/vektah/gqlparser/v2"
	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"
)

// SchemaDir is where the schema files live, relative to the repository root
// (gqlgen.yml: schema/*.graphql).
const SchemaDir = "schema"

// gqlgenDirectives declares gqlgen's own schema directives. gqlgen does not
// add them to the schema itself: schema/ent.graphql declares the two entgql
// uses. A file that uses one without declaring it still builds with gqlgen
// in some set-ups, so LoadSchema adds the missing declarations rather than
// refusing such a revision.
var gqlgenDirectives = map[string]string{
	"goModel":      `directive @goModel(model: String, models: [String!], forceGenerate: Boolean) on OBJECT | INPUT_OBJECT | SCALAR | ENUM | INTERFACE | UNION`,
	"goField":      `directive @goField(forceResolver: Boolean, name: String, omittable: Boolean, type: String) on INPUT_FIELD_DEFINITION | FIELD_DEFINITION`,
	"goTag":        `directive @goTag(key: String!, value: String) repeatable on INPUT_FIELD_DEFINITION | FIELD_DEFINITION`,
	"goExtraField": `directive @goExtraField(name: String, type: String!, overrideTags: String, description: String) repeatable on OBJECT | INPUT_OBJECT`,
	"goEnum":       `directive @goEnum(value: String) on ENUM_VALUE`,
}

// LoadSchema builds a schema from GraphQL sources the way gqlgen sees them
// (gqlparser's prelude plus the sources), declaring gqlgen's directives
// when the sources use them without a declaration.
func LoadSchema(sources []*ast.Source) (*ast.Schema, error) {
	if len(sources) == 0 {
		return nil, errors.New("no schema files")
	}
	declared := map[string]bool{}
	used := map[string]bool{}
	for _, src := range sources {
		doc, err := parser.ParseSchema(src)
		if err != nil {
			return nil, err
		}
		for _, d := range doc.Directives {
			declared[d.Name] = true
		}
		for _, defs := range []ast.DefinitionList{doc.Definitions, doc.Extensions} {
			for _, def := range defs {
				collectDirectiveUses(def, used)
			}
		}
	}
	var stubs []string
	for name, decl := range gqlgenDirectives {
		if used[name] && !declared[name] {
			stubs = append(stubs, decl)
		}
	}
	all := sources
	if len(stubs) > 0 {
		sort.Strings(stubs)
		all = append([]*ast.Source{{Name: "gqlgen-directives.graphql", Input: strings.Join(stubs, "\n") + "\n"}}, sources...)
	}
	schema, err := gqlparser.LoadSchema(all...)
	if err != nil {
		return nil, err
	}
	return schema, nil
}

func collectDirectiveUses(def *ast.Definition, used map[string]bool) {
	add := func(list ast.DirectiveList) {
		for _, d := range list {
			used[d.Name] = true
		}
	}
	add(def.Directives)
	for _, f := range def.Fields {
		add(f.Directives)
		for _, a := range f.Arguments {
			add(a.Directives)
		}
	}
	for _, v := range def.EnumValues {
		add(v.Directives)
	}
}

// LoadDir loads the schema from the *.graphql files of a directory, in name
// order (the order gqlgen's glob gives).
func LoadDir(dir string) (*ast.Schema, error) {
	names, err := filepath.Glob(filepath.Join(dir, "*.graphql"))
	if err != nil {
		return nil, err
	}
	sort.Strings(names)
	var sources []*ast.Source
	for _, name := range names {
		b, err := os.ReadFile(name)
		if err != nil {
			return nil, err
		}
		sources = append(sources, &ast.Source{Name: filepath.ToSlash(name), Input: string(b)})
	}
	if len(sources) == 0 {
		return nil, fmt.Errorf("no *.graphql files in %s", dir)
	}
	return LoadSchema(sources)
}

// LoadRevision loads the schema as it was at a git revision (a tag, branch
// or commit) of the repository at repoDir, from the *.graphql files directly
// under dir (a slash-separated path relative to the repository root).
func LoadRevision(repoDir, rev, dir string) (*ast.Schema, error) {
	if rev == "" || strings.HasPrefix(rev, "-") {
		return nil, fmt.Errorf("bad git revision %q", rev)
	}
	dir = strings.TrimSuffix(path.Clean(dir), "/")
	out, err := git(repoDir, "ls-tree", "--name-only", rev+":"+dir)
	if err != nil {
		return nil, fmt.Errorf("listing %s at %s: %w", dir, rev, err)
	}
	var names []string
	for _, line := range strings.Split(string(out), "\n") {
		if strings.HasSuffix(line, ".graphql") {
			names = append(names, line)
		}
	}
	sort.Strings(names)
	if len(names) == 0 {
		return nil, fmt.Errorf("no *.graphql files in %s at %s", dir, rev)
	}
	var sources []*ast.Source
	for _, name := range names {
		p := dir + "/" + name
		b, err := git(repoDir, "show", rev+":"+p)
		if err != nil {
			return nil, fmt.Errorf("reading %s at %s: %w", p, rev, err)
		}
		sources = append(sources, &ast.Source{Name: rev + ":" + p, Input: string(b)})
	}
	return LoadSchema(sources)
}

func git(dir string, args ...string) ([]byte, error) {
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		if msg := strings.TrimSpace(stderr.String()); msg != "" {
			return nil, fmt.Errorf("git %s: %s", strings.Join(args, " "), msg)
		}
		return nil, fmt.Errorf("git %s: %w", strings.Join(args, " "), err)
	}
	return out, nil
}

// RepoRoot finds the module root (the directory holding go.mod) at or
// above dir.
func RepoRoot(dir string) (string, error) {
	dir, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	for d := dir; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return d, nil
		}
		if filepath.Dir(d) == d {
			return "", fmt.Errorf("no go.mod at or above %s", dir)
		}
	}
}
