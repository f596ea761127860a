package schemacheck

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/vektah/gqlparser/v2/ast"
)

func repoRoot(t *testing.T) string {
	t.Helper()
	root, err := RepoRoot(".")
	if err != nil {
		t.Fatal(err)
	}
	return root
}

// The schema gqlgen builds from (schema/*.graphql) loads with gqlparser
// alone, and has what the rest of this package relies on.
func TestWorkingTreeSchemaLoads(t *testing.T) {
	s, err := LoadDir(filepath.Join(repoRoot(t), SchemaDir))
	if err != nil {
		t.Fatalf("schema/*.graphql does not load: %v", err)
	}
	for _, root := range []*ast.Definition{s.Query, s.Mutation, s.Subscription} {
		if root == nil {
			t.Fatal("the schema lacks a query, mutation or subscription root")
		}
	}
	for _, name := range []string{"Node", "Owner", "WorkOrder", "Upload", "Time", "Map"} {
		if s.Types[name] == nil {
			t.Errorf("type %s is missing", name)
		}
	}
	if s.Subscription.Fields.ForName("workOrderProgress") == nil {
		t.Error("Subscription.workOrderProgress is missing")
	}
}

func TestLoadSchemaDeclaresGqlgenDirectives(t *testing.T) {
	s, err := LoadSchema([]*ast.Source{{Name: "a.graphql", Input: `
		type Query { a: Int @goField(forceResolver: true) @goTag(key: "x", value: "y") }
		type T @goModel(model: "x.T") @goExtraField(name: "X", type: "int") { a: Int }
		enum E { A @goEnum(value: "x.A") }`}})
	if err != nil {
		t.Fatalf("a schema using undeclared gqlgen directives should load: %v", err)
	}
	if s.Directives["goField"] == nil {
		t.Error("@goField is not declared")
	}
	// A schema that declares them itself (as ent.graphql does) keeps its own.
	if _, err := LoadSchema([]*ast.Source{{Name: "b.graphql", Input: `
		directive @goField(forceResolver: Boolean, name: String, omittable: Boolean) on FIELD_DEFINITION | INPUT_FIELD_DEFINITION
		type Query { a: Int @goField(forceResolver: true) }`}}); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadSchema([]*ast.Source{{Name: "c.graphql", Input: `type Query { a: Nope }`}}); err == nil {
		t.Error("an unknown type should not load")
	}
}

// gitRepo makes a repository with the given commits, each a map of file
// contents (nil removes the file), tagged v1, v2, ...
func gitRepo(t *testing.T, commits ...map[string]*string) string {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed")
	}
	dir := t.TempDir()
	run := func(args ...string) {
		t.Helper()
		cmd := exec.Command("git", args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_SYSTEM=/dev/null",
			"GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.com", "GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@example.com")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	run("init", "-q")
	if err := os.WriteFile(filepath.Join(dir, "go.mod"), []byte("module example\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	for i, files := range commits {
		for name, content := range files {
			path := filepath.Join(dir, filepath.FromSlash(name))
			if content == nil {
				if err := os.Remove(path); err != nil {
					t.Fatal(err)
				}
				continue
			}
			if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, []byte(*content), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		run("add", "-A")
		run("commit", "-q", "-m", "commit")
		run("tag", "v"+string(rune('1'+i)))
	}
	return dir
}

func ptr(s string) *string { return &s }

func TestLoadRevision(t *testing.T) {
	dir := gitRepo(t,
		map[string]*string{
			"schema/a.graphql": ptr(`type Query { a: Int b: String }`),
			"schema/b.graphql": ptr(`extend type Query { c: Int }`),
			"schema/notes.txt": ptr(`not a schema`),
		},
		map[string]*string{
			"schema/b.graphql": nil,
			"schema/a.graphql": ptr(`type Query { a: Int }`),
		},
	)
	v1, err := LoadRevision(dir, "v1", "schema")
	if err != nil {
		t.Fatal(err)
	}
	if v1.Query.Fields.ForName("c") == nil {
		t.Error("v1 should have Query.c from schema/b.graphql")
	}
	v2, err := LoadRevision(dir, "v2", "schema/")
	if err != nil {
		t.Fatal(err)
	}
	got := summary(Compare(v1, v2))
	if strings.Join(got, ",") != "BREAKING Query.b,BREAKING Query.c" {
		t.Errorf("v1 -> v2: %q", got)
	}

	for _, rev := range []string{"nope", "--output=x", ""} {
		if _, err := LoadRevision(dir, rev, "schema"); err == nil {
			t.Errorf("revision %q should fail", rev)
		}
	}
	if _, err := LoadRevision(dir, "v1", "missing"); err == nil {
		t.Error("a directory missing at the revision should fail")
	}
}
