package schemacheck

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/vektah/gqlparser/v2/ast"
	"github.com/vektah/gqlparser/v2/parser"
	"github.com/vektah/gqlparser/v2/validator"
)

func currentSchema(t *testing.T) *ast.Schema {
	t.Helper()
	s, err := LoadDir(filepath.Join(repoRoot(t), SchemaDir))
	if err != nil {
		t.Fatalf("schema/*.graphql does not load: %v", err)
	}
	return s
}

func currentKits(t *testing.T) []Kit {
	t.Helper()
	kits, errs := LoadKits(currentSchema(t), repoRoot(t))
	if len(errs) > 0 {
		t.Fatalf("the client kits do not match the schema:\n%s", KitErrors(errs))
	}
	return kits
}

// Every document under docs/clients validates against the working-tree
// schema (LoadKits fails with file:line otherwise), operation names are
// unique per client, and each kit still has the operations its guide
// tells the client to use.
func TestClientKitsValidate(t *testing.T) {
	kits := currentKits(t)
	want := map[string][]string{
		"owner-app": {"Home", "AvailableSlots", "BookAppointment", "RescheduleAppointment", "CancelAppointment",
			"DecideInspectionItem", "RegisterDevice", "UnregisterDevice", "WorkOrderProgress", "ExportMyData",
			"EraseMyAccount", "UpdateProfile", "ServiceTypes", "WorkOrderDetail", "MyAppointments"},
		"advisor-tablet": {"StaffMe", "TodaysAppointments", "StoreBoard", "OpenWorkOrders", "CheckIn", "ConfirmCheckIn",
			"AdvanceWorkOrder", "AddInspectionFinding", "RecordOwnerDecision", "DeliverWorkOrder", "BookAppointment",
			"ConfirmAppointment", "MarkNoShow", "UploadPhoto", "WorkOrderDetail", "FindCustomers"},
		"widget": {"WidgetStore", "WidgetServiceTypes", "WidgetAvailableSlots", "RequestBooking"},
	}
	got := map[string][]string{}
	for _, k := range kits {
		seen := map[string]bool{}
		for _, op := range k.Operations {
			if seen[op.Name] {
				t.Errorf("%s: operation %s twice", k.Client, op.Name)
			}
			seen[op.Name] = true
			got[k.Client] = append(got[k.Client], op.Name)
			t.Logf("%-15s %-12s %-22s depth %2d, %3d fields, %s", k.Client, op.Type, op.Name, op.Depth, op.Complexity, op.File)
		}
	}
	for client, names := range want {
		for _, name := range names {
			if !slices.Contains(got[client], name) {
				t.Errorf("%s kit lacks %s", client, name)
			}
		}
	}
	for client := range got {
		if want[client] == nil {
			t.Errorf("kit %s is not known to this test (and has no guide?)", client)
		}
	}
}

// A widget key may only use me, serviceTypes, availableSlots and
// requestBooking (internal/httpserver/widget.go); anything else is
// FORBIDDEN, so the widget kit must not contain it.
func TestWidgetKitUsesOnlyWidgetFields(t *testing.T) {
	allowed := []string{"me", "serviceTypes", "availableSlots", "requestBooking", "__typename"}
	for _, k := range currentKits(t) {
		if k.Client != "widget" {
			continue
		}
		for _, op := range k.Operations {
			doc, err := parser.ParseQuery(&ast.Source{Input: op.Document})
			if err != nil {
				t.Fatal(err)
			}
			if op.Type == ast.Subscription {
				t.Errorf("%s: widgets cannot subscribe", op.Name)
			}
			for _, sel := range doc.Operations[0].SelectionSet {
				f, ok := sel.(*ast.Field)
				if !ok || !slices.Contains(allowed, f.Name) {
					t.Errorf("%s (%s) selects a root field a widget may not use", op.Name, op.File)
				}
			}
		}
	}
}

// The committed manifest matches the kits. Regenerate it with
//
//	go run ./internal/schemacheck/cmd/schemacheck -manifest
//
// (or SCHEMACHECK_UPDATE_MANIFEST=1 go test ./internal/schemacheck/).
func TestPersistedQueryManifestIsFresh(t *testing.T) {
	kits := currentKits(t)
	want, err := BuildManifest(kits)
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(repoRoot(t), filepath.FromSlash(ManifestFile))
	if os.Getenv("SCHEMACHECK_UPDATE_MANIFEST") == "1" {
		if err := os.WriteFile(path, want, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("wrote %s", ManifestFile)
	}
	got, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v\nGenerate it with: %s", err, ManifestCommand)
	}
	if !bytes.Equal(got, want) {
		var stale []string
		var committed Manifest
		if json.Unmarshal(got, &committed) == nil {
			for _, k := range kits {
				for _, op := range k.Operations {
					if _, ok := committed.Clients[k.Client][op.Hash]; !ok {
						stale = append(stale, k.Client+"/"+op.Name)
					}
				}
			}
		}
		t.Fatalf("%s is stale (changed or new: %v). Regenerate it with:\n\t%s\nand commit it with the .graphql changes.",
			ManifestFile, stale, ManifestCommand)
	}
}

// Each manifest entry is what the APQ extension expects: the key is the hex
// SHA-256 of the document, and the document alone (sent as "query")
// validates and holds the named operation.
func TestManifestEntriesAreSendable(t *testing.T) {
	schema := currentSchema(t)
	b, err := BuildManifest(currentKits(t))
	if err != nil {
		t.Fatal(err)
	}
	var m Manifest
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	hexHash := regexp.MustCompile(`^[0-9a-f]{64}$`)
	for client, entries := range m.Clients {
		for hash, e := range entries {
			sum := sha256.Sum256([]byte(e.Document))
			if !hexHash.MatchString(hash) || hex.EncodeToString(sum[:]) != hash {
				t.Errorf("%s/%s: key %s is not the SHA-256 of its document", client, e.OperationName, hash)
			}
			doc, perr := parser.ParseQuery(&ast.Source{Name: client + "/" + e.OperationName, Input: e.Document})
			if perr != nil {
				t.Errorf("%s/%s: the document does not parse: %v", client, e.OperationName, perr)
				continue
			}
			if errs := validator.ValidateWithRules(schema, doc, nil); len(errs) > 0 {
				t.Errorf("%s/%s: the document does not validate: %v", client, e.OperationName, errs)
			}
			if len(doc.Operations) != 1 || doc.Operations[0].Name != e.OperationName ||
				string(doc.Operations[0].Operation) != e.OperationType {
				t.Errorf("%s/%s: the document should hold exactly that %s", client, e.OperationName, e.OperationType)
			}
		}
	}
}

// writeKit lays out docs/clients/<client>/<file> under a temporary root.
func writeKit(t *testing.T, files map[string]string) string {
	t.Helper()
	root := t.TempDir()
	for name, content := range files {
		path := filepath.Join(root, filepath.FromSlash(ClientsDir), filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return root
}

func TestLoadKitsReportsProblemsWithFileAndLine(t *testing.T) {
	schema := mustLoad(t, `
		type Query { me: User node(id: ID!): User }
		type Mutation { rename(name: String!): User }
		type User { id: ID! name: String friends: [User!] }`)
	for _, tc := range []struct {
		name  string
		files map[string]string
		want  []string // regexps, one per expected error
	}{
		{
			name: "valid kit",
			files: map[string]string{
				"app/fragments.graphql": "fragment U on User { id name }\n",
				"app/Me.graphql":        "query Me { me { ...U } }\n",
				"app/Rename.graphql":    "mutation Rename($n: String!) { rename(name: $n) { ...U } }\n",
				"web/Me.graphql":        "query Me { me { id } }\n", // same name in another client is fine
			},
		},
		{
			name: "unknown field",
			files: map[string]string{
				"app/Me.graphql": "# comment\nquery Me {\n  me { id email }\n}\n",
			},
			want: []string{`^docs/clients/app/Me\.graphql:3:11: Cannot query field "email" on type "User"\.`},
		},
		{
			name: "error inside a fragment points at the fragment's file",
			files: map[string]string{
				"app/fragments.graphql": "fragment U on User {\n  id\n  age\n}\n",
				"app/Me.graphql":        "query Me { me { ...U } }\n",
			},
			want: []string{`^docs/clients/app/fragments\.graphql:3:3: Cannot query field "age"`},
		},
		{
			name: "duplicate operation name in one client",
			files: map[string]string{
				"app/A.graphql": "query Me { me { id } }\n",
				"app/B.graphql": "\nquery Me { me { name } }\n",
			},
			want: []string{`^docs/clients/app/B\.graphql:2: operation name Me is already used at docs/clients/app/A\.graphql:1`},
		},
		{
			name: "anonymous operation, two operations in a file, parse error",
			files: map[string]string{
				"app/A.graphql": "{ me { id } }\n",
				"app/B.graphql": "query B { me { id } }\nquery C { me { id } }\n",
				"app/C.graphql": "query C { me { id }\n",
			},
			want: []string{
				`^docs/clients/app/A\.graphql:1: the operation needs a name`,
				`^docs/clients/app/B\.graphql:2: one operation per file`,
				`^docs/clients/app/C\.graphql:2:1: Expected Name, found <EOF>`,
			},
		},
		{
			name: "missing variable and unused fragment",
			files: map[string]string{
				"app/F.graphql":  "fragment Unused on User { id }\n",
				"app/Me.graphql": "query Me { node(id: $id) { id } }\n",
			},
			want: []string{
				`^docs/clients/app/F\.graphql:1: fragment Unused is used by no operation`,
				`^docs/clients/app/Me\.graphql:1:21: Variable "\$id" is not defined`,
			},
		},
		{
			name: "too deep for the server",
			files: map[string]string{
				"app/Deep.graphql": "query Deep { me { friends { friends { friends { friends { friends { friends { friends { friends { friends { friends { friends { id } } } } } } } } } } } } }\n",
			},
			want: []string{`^docs/clients/app/Deep\.graphql:1: Deep is nested 13 fields deep; the server's default limit is 12`},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, errs := LoadKits(schema, writeKit(t, tc.files))
			var got []string
			for _, e := range errs {
				got = append(got, e.Error())
			}
			slices.Sort(got)
			if len(got) != len(tc.want) {
				t.Fatalf("got %d errors, want %d:\n%s", len(got), len(tc.want), strings.Join(got, "\n"))
			}
			for i, re := range tc.want {
				if !regexp.MustCompile(re).MatchString(got[i]) {
					t.Errorf("error %d: %q does not match %q", i, got[i], re)
				}
			}
		})
	}
}

func TestBuildManifest(t *testing.T) {
	schema := mustLoad(t, `type Query { me: User } type User { id: ID! name: String }`)
	root := writeKit(t, map[string]string{
		"app/fragments.graphql": "fragment B on User { name }\nfragment A on User { id ...B }\n",
		"app/Me.graphql":        "# The home screen.\nquery Me {\n  me { ...A }\n}\n",
	})
	kits, errs := LoadKits(schema, root)
	if len(errs) > 0 {
		t.Fatal(KitErrors(errs))
	}
	b, err := BuildManifest(kits)
	if err != nil {
		t.Fatal(err)
	}
	var m Manifest
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	if len(m.Clients["app"]) != 1 {
		t.Fatalf("manifest: %s", b)
	}
	for hash, e := range m.Clients["app"] {
		// The operation first, then its fragments in name order; no comments.
		if strings.Contains(e.Document, "#") || !strings.HasPrefix(e.Document, "query Me {") ||
			strings.Index(e.Document, "fragment A") > strings.Index(e.Document, "fragment B") {
			t.Errorf("document:\n%s", e.Document)
		}
		sum := sha256.Sum256([]byte(e.Document))
		if hash != hex.EncodeToString(sum[:]) || e.File != "app/Me.graphql" || e.OperationType != "query" {
			t.Errorf("entry %s: %+v", hash, e)
		}
	}
	again, _ := BuildManifest(kits)
	if !bytes.Equal(b, again) {
		t.Error("the manifest is not deterministic")
	}
}
