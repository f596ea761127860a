// Command schemacheck guards the GraphQL schema and the client kits.
//
//	go run ./internal/schemacheck/cmd/schemacheck -base v1.2.0
//
// compares schema/*.graphql at a git revision with the working tree and
// lists the changes: BREAKING ones make it exit with status 1. Removing or
// changing a field, argument, input field or enum value that the base
// revision had marked @deprecated is allowed (deprecate first, remove in a
// later release).
//
//	go run ./internal/schemacheck/cmd/schemacheck -manifest
//
// validates docs/clients/*/*.graphql against the working-tree schema and
// writes docs/clients/persisted-queries.json.
//
//	go run ./internal/schemacheck/cmd/schemacheck -clients
//
// only validates the client kits.
//
// Exit status: 0 fine, 1 breaking changes or invalid client documents,
// 2 bad usage or a schema that does not load.
package main

import (
	"bytes"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"aftercare/internal/schemacheck"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

func run(args []string, stdout, stderr io.Writer) int {
	fs := flag.NewFlagSet("schemacheck", flag.ContinueOnError)
	fs.SetOutput(stderr)
	base := fs.String("base", "", "git revision (tag, branch, commit) to compare the working-tree schema with")
	manifest := fs.Bool("manifest", false, "validate the client kits and write "+schemacheck.ManifestFile)
	clients := fs.Bool("clients", false, "validate the client kits")
	rootFlag := fs.String("root", "", "repository root (default: the directory holding go.mod, at or above the current one)")
	if err := fs.Parse(args); err != nil {
		return 2
	}
	if fs.NArg() > 0 || (*base == "" && !*manifest && !*clients) {
		fmt.Fprintln(stderr, "usage: schemacheck [-base <git revision>] [-clients] [-manifest] [-root <dir>]")
		return 2
	}
	root := *rootFlag
	if root == "" {
		var err error
		if root, err = schemacheck.RepoRoot("."); err != nil {
			fmt.Fprintln(stderr, err)
			return 2
		}
	}
	current, err := schemacheck.LoadDir(filepath.Join(root, schemacheck.SchemaDir))
	if err != nil {
		fmt.Fprintf(stderr, "the working-tree schema does not load: %v\n", err)
		return 2
	}

	status := 0
	if *base != "" {
		old, err := schemacheck.LoadRevision(root, *base, schemacheck.SchemaDir)
		if err != nil {
			fmt.Fprintf(stderr, "the schema at %s does not load: %v\n", *base, err)
			return 2
		}
		changes := schemacheck.Compare(old, current)
		breaking := schemacheck.BreakingChanges(changes)
		fmt.Fprintf(stdout, "schema changes since %s: %d (%d breaking)\n", *base, len(changes), len(breaking))
		for _, c := range changes {
			fmt.Fprintln(stdout, c)
		}
		if len(breaking) > 0 {
			fmt.Fprintf(stderr, "\n%d breaking schema change(s) since %s. Deprecate first (@deprecated(reason: ...)), release, then remove.\n", len(breaking), *base)
			status = 1
		}
	}

	if *manifest || *clients {
		kits, errs := schemacheck.LoadKits(current, root)
		if len(errs) > 0 {
			fmt.Fprintln(stderr, schemacheck.KitErrors(errs))
			return 1
		}
		n := 0
		for _, k := range kits {
			n += len(k.Operations)
		}
		fmt.Fprintf(stdout, "client kits: %d operations in %d kits are valid\n", n, len(kits))
		if *manifest {
			b, err := schemacheck.BuildManifest(kits)
			if err != nil {
				fmt.Fprintln(stderr, err)
				return 1
			}
			path := filepath.Join(root, filepath.FromSlash(schemacheck.ManifestFile))
			if old, err := os.ReadFile(path); err == nil && bytes.Equal(old, b) {
				fmt.Fprintf(stdout, "%s is up to date\n", schemacheck.ManifestFile)
			} else {
				if err := os.WriteFile(path, b, 0o644); err != nil {
					fmt.Fprintln(stderr, err)
					return 1
				}
				fmt.Fprintf(stdout, "wrote %s\n", schemacheck.ManifestFile)
			}
		}
	}
	return status
}
