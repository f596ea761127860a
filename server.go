// Command aftercare is the GraphQL API of dealerships' after-sales service
// and customer care.
//
//	aftercare [serve]            run the API (the default)
//	aftercare migrate            apply database migrations and exit
//	aftercare seed [--owners N]  load demo data (or N synthetic owners)
//	aftercare token --owner P    print a development token for an owner (phone or id)
//	aftercare token --staff E    print a development token for a staff member (e-mail)
//	aftercare version            print the version
//
// Configuration comes from the environment; see README.md.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net"
	"os"
	"os/signal"
	"runtime/debug"
	"strconv"
	"syscall"
	"time"
	_ "time/tzdata" // stores' time zones must load on images without zone files

	"aftercare/internal/app"
	"aftercare/internal/auth"
	"aftercare/internal/config"
	"aftercare/internal/seed"
)

// version is set at build time: -ldflags "-X main.version=v1.2.3".
var version = "dev"

func main() {
	if err := run(os.Args[1:]); err != nil {
		fmt.Fprintln(os.Stderr, "aftercare:", err)
		os.Exit(1)
	}
}

func run(args []string) error {
	cmd := "serve"
	if len(args) > 0 && args[0] != "" && args[0][0] != '-' {
		cmd, args = args[0], args[1:]
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	switch cmd {
	case "version":
		fmt.Println("aftercare", version)
		return nil
	case "serve":
		return serve(ctx, args)
	case "migrate":
		return migrate(ctx, args)
	case "seed":
		return seedCmd(ctx, args)
	case "token":
		return tokenCmd(ctx, args)
	}
	return fmt.Errorf("unknown command %q (serve, migrate, seed, token, version)", cmd)
}

func newLogger(level string) *slog.Logger {
	var l slog.Level
	if err := l.UnmarshalText([]byte(level)); err != nil {
		l = slog.LevelInfo
	}
	return slog.New(slog.NewJSONHandler(os.Stderr, &slog.HandlerOptions{Level: l}))
}

func open(ctx context.Context, args []string) (*app.App, error) {
	cfg, err := config.Load(args)
	if err != nil {
		return nil, err
	}
	return app.New(ctx, cfg, newLogger(cfg.LogLevel))
}

func serve(ctx context.Context, args []string) error {
	tuneGC()
	a, err := open(ctx, args)
	if err != nil {
		return err
	}
	defer a.Close()
	if err := seedIfNew(ctx, a); err != nil {
		return err
	}
	if err := a.RunBackground(ctx); err != nil {
		return err
	}
	ln, err := net.Listen("tcp", ":"+strconv.Itoa(a.Config.Port))
	if err != nil {
		return err
	}
	if !a.Config.Production() {
		fmt.Printf("\n  aftercare is up: GraphiQL at http://localhost:%d/  (API: /graphql)\n\n", a.Config.Port)
	}
	return a.Serve(ctx, ln, 20*time.Second)
}

// tuneGC makes the collector run a quarter as often as Go's default
// (GOGC=400 instead of 100) unless GOGC is set. A GraphQL request leaves
// thousands of short-lived objects (a context and a field context per
// field), and at saturation the collector took about a quarter of the
// CPU (issue #9), while the heap that survives is small: the server's RSS
// stayed at 80-110 MiB under load. Set GOMEMLIMIT as well when the
// container's memory is tight, so the collector works harder near it.
func tuneGC() {
	if os.Getenv("GOGC") == "" {
		debug.SetGCPercent(400)
	}
}

// seedIfNew loads the demo data into a new embedded database, so that a
// newcomer's `go run .` shows a working API, and prints how to sign in.
func seedIfNew(ctx context.Context, a *app.App) error {
	if a.Config.DatabaseURL != "" || !a.Config.SeedDemo {
		return nil
	}
	n, err := a.DB.Client.DealerGroup.Query().Count(auth.SystemContext(ctx))
	if err != nil || n > 0 {
		return err
	}
	d, err := seed.Run(ctx, a.DB.Client, seed.Options{Owners: 200})
	if err != nil {
		return err
	}
	return printSignIn(ctx, a, d)
}

func printSignIn(ctx context.Context, a *app.App, d *seed.Demo) error {
	fmt.Printf("Seeded demo data: %d stores, %d staff, %d owners, %d vehicles, %d work orders.\n",
		len(d.Stores), len(d.Staff), len(d.Owners), d.Vehicles, d.WorkOrders)
	owner, err := a.OwnerToken(ctx, *d.Owners[0].Phone)
	if err != nil {
		return err
	}
	advisor, err := a.StaffToken(ctx, "advisor@pudong.hmg.example")
	if err != nil {
		return err
	}
	fmt.Printf("\nSign in by sending a header  Authorization: Bearer <token>  (valid 7 days):\n")
	fmt.Printf("  owner %s:\n    %s\n", *d.Owners[0].Phone, owner)
	fmt.Printf("  advisor advisor@pudong.hmg.example:\n    %s\n", advisor)
	fmt.Printf("More: go run . token --owner <phone|id>  |  go run . token --staff <email>\n")
	return nil
}

func migrate(ctx context.Context, args []string) error {
	a, err := open(ctx, args)
	if err != nil {
		return err
	}
	defer a.Close()
	pending, err := a.DB.Pending(ctx)
	if err != nil {
		return err
	}
	fmt.Printf("database is at the current schema (%d migrations pending)\n", len(pending))
	return nil
}

func seedCmd(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("seed", flag.ContinueOnError)
	owners := fs.Int("owners", 200, "number of owners (vehicles are 1.5x)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	a, err := open(ctx, fs.Args())
	if err != nil {
		return err
	}
	defer a.Close()
	if a.Config.Production() {
		return errors.New("seed writes demo data: refused with APP_ENV=production")
	}
	start := time.Now()
	d, err := seed.Run(ctx, a.DB.Client, seed.Options{Owners: *owners})
	if err != nil {
		return err
	}
	fmt.Printf("seeded in %s\n", time.Since(start).Round(time.Millisecond))
	if a.Signer == nil {
		return nil
	}
	return printSignIn(ctx, a, d)
}

func tokenCmd(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("token", flag.ContinueOnError)
	owner := fs.String("owner", "", "owner phone (E.164) or id")
	staff := fs.String("staff", "", "staff e-mail")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if (*owner == "") == (*staff == "") {
		return errors.New("give exactly one of --owner or --staff")
	}
	a, err := open(ctx, fs.Args())
	if err != nil {
		return err
	}
	defer a.Close()
	var tok string
	if *owner != "" {
		tok, err = a.OwnerToken(ctx, *owner)
	} else {
		tok, err = a.StaffToken(ctx, *staff)
	}
	if err != nil {
		return err
	}
	fmt.Println(tok)
	return nil
}
