// Command reqgen writes the request files of the comparison benchmark for
// one target: JSON lines of {token, body}, one file per scenario, with the
// same owners, vehicles, store and slots for every target. Only the ids'
// form and the documents differ (bench/compare/queries/<target>/).
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"time"

	"github.com/jackc/pgx/v5"

	"aftercare/internal/auth"
)

type config struct {
	db, secret, target, queries, out string
	n                                int
}

func main() {
	var c config
	flag.StringVar(&c.db, "db", os.Getenv("DATABASE_URL"), "PostgreSQL URL of the bench database")
	flag.StringVar(&c.secret, "secret", os.Getenv("AUTH_LOCAL_SECRET"), "local signer secret shared with the servers")
	flag.StringVar(&c.target, "target", "aftercare", "aftercare, postgraphile or rawpgx")
	flag.StringVar(&c.queries, "queries", "bench/compare/queries", "documents, one folder per target")
	flag.StringVar(&c.out, "out", "", "output folder")
	flag.IntVar(&c.n, "n", 5000, "distinct requests per read scenario")
	flag.Parse()
	if err := run(context.Background(), c); err != nil {
		log.Fatal(err)
	}
}

func run(ctx context.Context, c config) error {
	conn, err := pgx.Connect(ctx, c.db)
	if err != nil {
		return err
	}
	defer conn.Close(ctx)
	f, err := loadFixture(ctx, conn, c.n)
	if err != nil {
		return err
	}
	g := &gen{c: c, f: f, signer: auth.NewLocalSigner([]byte(c.secret), "aftercare-dev")}
	if err := os.MkdirAll(c.out, 0o755); err != nil {
		return err
	}
	for _, sc := range []string{"home", "day", "node", "nested", "book"} {
		if err := g.write(sc); err != nil {
			return fmt.Errorf("%s: %w", sc, err)
		}
	}
	return splitBookings(c.out)
}

// fixedBookings is how many bookings the fixed-rate run may use; the
// saturation run gets the rest, so no booking is sent twice (a repeated
// idempotency key would be a cheap replay, not a booking).
const fixedBookings = 600

func splitBookings(dir string) error {
	b, err := os.ReadFile(filepath.Join(dir, "book.jsonl"))
	if err != nil {
		return err
	}
	lines := bytes.SplitAfter(b, []byte("\n"))
	if len(lines) <= fixedBookings {
		return fmt.Errorf("only %d bookings", len(lines))
	}
	if err := os.WriteFile(filepath.Join(dir, "book_fixed.jsonl"), bytes.Join(lines[:fixedBookings], nil), 0o644); err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(dir, "book.jsonl"), bytes.Join(lines[fixedBookings:], nil), 0o644)
}

type gen struct {
	c      config
	f      *fixture
	signer *auth.LocalSigner
}

type line struct {
	Token string `json:"token,omitempty"`
	Body  any    `json:"body"`
}

func (g *gen) write(scenario string) error {
	// rawpgx answers aftercare's documents (it dispatches on operationName).
	docs := g.c.target
	if docs == "rawpgx" {
		docs = "aftercare"
	}
	doc, err := os.ReadFile(filepath.Join(g.c.queries, docs, scenario+".graphql"))
	if err != nil {
		return err
	}
	lines, err := g.lines(scenario)
	if err != nil {
		return err
	}
	out, err := os.Create(filepath.Join(g.c.out, scenario+".jsonl"))
	if err != nil {
		return err
	}
	defer out.Close()
	enc := json.NewEncoder(out)
	for _, l := range lines {
		body := l.Body.(map[string]any)
		body["query"] = string(doc)
		body["operationName"] = operationNames[scenario]
		if err := enc.Encode(l); err != nil {
			return err
		}
	}
	return out.Close()
}

var operationNames = map[string]string{"home": "Home", "day": "AdvisorDay", "node": "Node", "nested": "Nested", "book": "Book"}

// lines builds each request's variables and token.
func (g *gen) lines(scenario string) ([]line, error) {
	f := g.f
	staffTok, err := g.staffToken()
	if err != nil {
		return nil, err
	}
	var out []line
	switch scenario {
	case "home":
		for _, o := range f.owners {
			v := map[string]any{"now": f.now.Format(time.RFC3339)}
			if g.c.target == "postgraphile" {
				v["ownerId"] = fmt.Sprint(o.ID) // no sign-in: the owner is a variable
			}
			out = append(out, g.ownerLine(o.ID, v))
		}
	case "node":
		for _, o := range f.owners {
			out = append(out, g.ownerLine(o.ID, map[string]any{"id": g.nodeID("Vehicle", o.Vehicle)}))
		}
	case "day":
		out = append(out, line{Token: staffTok, Body: vars(g.withStore(map[string]any{
			"from": f.dayStart.Format(time.RFC3339), "to": f.dayStart.AddDate(0, 0, 1).Format(time.RFC3339)}))})
	case "nested":
		out = append(out, line{Token: staffTok, Body: vars(g.withStore(map[string]any{}))})
	case "book":
		for i, b := range f.bookings {
			out = append(out, g.ownerLine(b.owner, map[string]any{"input": g.bookInput(i, b)}))
		}
	}
	return out, nil
}

func vars(v map[string]any) map[string]any { return map[string]any{"variables": v} }

func (g *gen) ownerLine(owner int64, v map[string]any) line {
	if g.c.target == "postgraphile" {
		return line{Body: vars(v)}
	}
	tok, err := g.signer.Sign(auth.Identity{UID: fmt.Sprintf("local-owner-%d", owner)}, 24*time.Hour)
	if err != nil {
		log.Fatal(err)
	}
	return line{Token: tok, Body: vars(v)}
}

func (g *gen) staffToken() (string, error) {
	if g.c.target == "postgraphile" {
		return "", nil
	}
	f := g.f
	return g.signer.Sign(auth.Identity{UID: fmt.Sprintf("local-staff-%d", f.advisor), Role: auth.Role("advisor"),
		DealerGroupID: int(f.group), DealershipID: int(f.store)}, 24*time.Hour)
}

// withStore adds the store: an ID for aftercare and rawpgx, a BigInt for
// PostGraphile's conditions.
func (g *gen) withStore(v map[string]any) map[string]any {
	v["store"] = fmt.Sprint(g.f.store)
	return v
}

// nodeID is the global id of a row: the row id in aftercare (ids are
// unique across tables), PostGraphile's base64 of [type, id].
func (g *gen) nodeID(typ string, id int64) string {
	if g.c.target == "postgraphile" {
		return pgNodeID(typ, id)
	}
	return fmt.Sprint(id)
}

func (g *gen) bookInput(i int, b booking) map[string]any {
	key := fmt.Sprintf("bench-%s-%d-%d", g.c.target, g.f.now.Unix(), i)
	if g.c.target == "postgraphile" {
		return pgBookInput(key, b)
	}
	return map[string]any{"dealershipID": fmt.Sprint(b.store), "vehicleID": fmt.Sprint(b.vehicle),
		"serviceType": "inspection", "startsAt": b.startsAt.UTC().Format(time.RFC3339), "idempotencyKey": key}
}
