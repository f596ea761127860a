package main

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"aftercare/internal/schemacheck"
)

// repo makes a git repository whose tag v1 has schema/a.graphql = v1, then
// writes the working-tree files over it.
func repo(t *testing.T, v1 string, work map[string]string) string {
	t.Helper()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed")
	}
	dir := t.TempDir()
	write := func(name, content string) {
		path := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	git := func(args ...string) {
		cmd := exec.Command("git", args...)
		cmd.Dir = dir
		cmd.Env = append(os.Environ(), "GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_SYSTEM=/dev/null",
			"GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@example.com", "GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@example.com")
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
		}
	}
	write("go.mod", "module example\n")
	write("schema/a.graphql", v1)
	git("init", "-q")
	git("add", "-A")
	git("commit", "-q", "-m", "v1")
	git("tag", "v1")
	for name, content := range work {
		write(name, content)
	}
	return dir
}

func runIn(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = run(args, &out, &errOut)
	return code, out.String(), errOut.String()
}

func TestBreakingChangeFails(t *testing.T) {
	dir := repo(t, `type Query { a: Int b: String }`, map[string]string{
		"schema/a.graphql": `type Query { a: Int c: Int }`,
	})
	code, out, errOut := runIn(t, "-root", dir, "-base", "v1")
	if code != 1 {
		t.Fatalf("exit %d, want 1\n%s%s", code, out, errOut)
	}
	if !strings.Contains(out, "BREAKING  Query.b: field was removed") || !strings.Contains(out, "SAFE      Query.c: field was added") {
		t.Errorf("output:\n%s", out)
	}
	if !strings.Contains(errOut, "1 breaking schema change(s) since v1") {
		t.Errorf("stderr:\n%s", errOut)
	}
}

func TestDeprecatedRemovalPasses(t *testing.T) {
	dir := repo(t, `type Query { a: Int b: String @deprecated(reason: "use a") }`, map[string]string{
		"schema/a.graphql": `type Query { a: Int }`,
	})
	code, out, errOut := runIn(t, "-root", dir, "-base", "v1")
	if code != 0 {
		t.Fatalf("exit %d, want 0\n%s%s", code, out, errOut)
	}
	if !strings.Contains(out, "DANGEROUS Query.b: field was removed (allowed: it was deprecated: use a)") {
		t.Errorf("output:\n%s", out)
	}
}

func TestManifest(t *testing.T) {
	dir := repo(t, `type Query { a: Int }`, map[string]string{
		"docs/clients/app/A.graphql": "query A { a }\n",
	})
	code, out, errOut := runIn(t, "-root", dir, "-manifest")
	if code != 0 || !strings.Contains(out, "wrote docs/clients/persisted-queries.json") {
		t.Fatalf("exit %d\n%s%s", code, out, errOut)
	}
	b, err := os.ReadFile(filepath.Join(dir, "docs/clients/persisted-queries.json"))
	if err != nil || !strings.Contains(string(b), `"document": "query A {\n\ta\n}\n"`) {
		t.Fatalf("manifest (%v):\n%s", err, b)
	}
	if code, out, _ := runIn(t, "-root", dir, "-manifest"); code != 0 || !strings.Contains(out, "is up to date") {
		t.Errorf("second run: exit %d\n%s", code, out)
	}

	if err := os.WriteFile(filepath.Join(dir, "docs/clients/app/B.graphql"), []byte("query B { nope }\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, _, errOut = runIn(t, "-root", dir, "-clients")
	if code != 1 || !strings.Contains(errOut, `docs/clients/app/B.graphql:1:11: Cannot query field "nope"`) {
		t.Errorf("invalid document: exit %d\n%s", code, errOut)
	}
}

func TestUsageAndLoadErrors(t *testing.T) {
	dir := repo(t, `type Query { a: Int }`, nil)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{nil, "usage:"},
		{[]string{"-root", dir, "extra"}, "usage:"},
		{[]string{"-root", dir, "-base", "v9"}, "the schema at v9 does not load"},
		{[]string{"-root", t.TempDir(), "-base", "v1"}, "the working-tree schema does not load"},
	} {
		if code, _, errOut := runIn(t, tc.args...); code != 2 || !strings.Contains(errOut, tc.want) {
			t.Errorf("%q: exit %d, want 2 and %q\n%s", tc.args, code, tc.want, errOut)
		}
	}
}

// The repository's own kits and manifest pass the command as CI runs it.
func TestThisRepository(t *testing.T) {
	root, err := schemacheck.RepoRoot(".")
	if err != nil {
		t.Fatal(err)
	}
	if code, out, errOut := runIn(t, "-root", root, "-clients"); code != 0 {
		t.Fatalf("exit %d\n%s%s", code, out, errOut)
	}
}
