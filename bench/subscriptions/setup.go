package main

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"github.com/golang-jwt/jwt/v4"
	"github.com/jackc/pgx/v5"
)

// setupDB drops and re-creates the database, seeds it with the CLI and
// gives every owner one open work order (in_repair, event 1) at store 1.
func setupDB(ctx context.Context, c *config) error {
	admin, err := pgx.Connect(ctx, strings.TrimRight(c.pgBase, "/")+"/postgres?sslmode=disable")
	if err != nil {
		return fmt.Errorf("connect to PostgreSQL: %w", err)
	}
	defer admin.Close(context.WithoutCancel(ctx))
	ident := pgx.Identifier{c.db}.Sanitize()
	logf("setup: re-creating database %s", c.db)
	if _, err := admin.Exec(ctx, "DROP DATABASE IF EXISTS "+ident+" WITH (FORCE)"); err != nil {
		return err
	}
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+ident); err != nil {
		return err
	}
	logf("setup: %s seed --owners %d", c.bin, c.owners)
	start := time.Now()
	out, err := runCLI(ctx, c, 10*time.Minute, "seed", "--owners", fmt.Sprint(c.owners))
	if err != nil {
		return fmt.Errorf("seed: %w\n%s", err, out)
	}
	logf("setup: seeded in %s", time.Since(start).Round(time.Millisecond))

	conn, err := pgx.Connect(ctx, c.dbURL())
	if err != nil {
		return err
	}
	defer conn.Close(context.WithoutCancel(ctx))
	store, advisor, err := storeOne(ctx, conn)
	if err != nil {
		return err
	}
	// Owners sign in with locally minted tokens whose subject is this uid.
	if _, err := conn.Exec(ctx, `UPDATE owners SET auth_uid = 'local-owner-' || id WHERE auth_uid IS NULL`); err != nil {
		return err
	}
	tag, err := conn.Exec(ctx, `
INSERT INTO work_orders (created_at, updated_at, number, status, fault_description, promised_at,
  odometer_in_km, opened_at, last_event_seq, dealership_id, owner_id, vehicle_id, advisor_id)
SELECT now(), now(), 'BENCH-' || o.id, 'in_repair', 'Load test: brake squeak.', now() + interval '1 day',
  v.odometer_km, now(), 1, $1, o.id, v.id, $2
FROM owners o
JOIN LATERAL (SELECT id, odometer_km FROM vehicles WHERE owner_id = o.id ORDER BY id LIMIT 1) v ON true
ORDER BY o.id`, store, advisor)
	if err != nil {
		return fmt.Errorf("create work orders: %w", err)
	}
	if _, err := conn.Exec(ctx, `
INSERT INTO work_order_events (seq, to_status, actor_kind, actor_staff_id, message, created_at, work_order_id)
SELECT 1, 'in_repair', 'staff', $1, 'Your car is being repaired.', now(), id
FROM work_orders WHERE number LIKE 'BENCH-%'`, advisor); err != nil {
		return fmt.Errorf("create work-order events: %w", err)
	}
	if _, err := conn.Exec(ctx, `ANALYZE`); err != nil {
		return err
	}
	logf("setup: %d open work orders at store %d", tag.RowsAffected(), store)
	return nil
}

// storeOne is store 1 (Pudong) and its advisor.
func storeOne(ctx context.Context, conn *pgx.Conn) (store, advisor int64, err error) {
	err = conn.QueryRow(ctx, `SELECT dealership_id, id FROM staffs WHERE email = 'advisor@pudong.hmg.example'`).Scan(&store, &advisor)
	if err != nil {
		err = fmt.Errorf("find store 1 (advisor@pudong.hmg.example): %w (seed the database: -setup)", err)
	}
	return
}

// runCLI runs the aftercare binary with the server's environment.
func runCLI(ctx context.Context, c *config, timeout time.Duration, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, c.bin, args...)
	cmd.Env = append(c.serverEnv(), "LOG_LEVEL=error")
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if err != nil {
		return stdout.String() + stderr.String(), err
	}
	return stdout.String(), nil
}

// staffToken asks the CLI for a staff member's development token.
func staffToken(ctx context.Context, c *config, email string) (string, error) {
	out, err := runCLI(ctx, c, time.Minute, "token", "--staff", email)
	if err != nil {
		return "", fmt.Errorf("token --staff %s: %w\n%s", email, err, out)
	}
	lines := strings.Fields(strings.TrimSpace(out))
	if len(lines) == 0 {
		return "", fmt.Errorf("token --staff %s printed nothing", email)
	}
	return lines[len(lines)-1], nil
}

// ownerToken mints what `aftercare token --owner` would: an HS256 token of
// the local signer (internal/auth/local.go) for the owner's auth uid.
func ownerToken(secret string, ownerID int64, now time.Time) (string, error) {
	claims := jwt.MapClaims{
		"iss": "aftercare-dev",
		"aud": "aftercare-local",
		"sub": fmt.Sprintf("local-owner-%d", ownerID),
		"iat": now.Unix(),
		"exp": now.Add(24 * time.Hour).Unix(),
	}
	return jwt.NewWithClaims(jwt.SigningMethodHS256, claims).SignedString([]byte(secret))
}

// watched is a work order an owner watches.
type watched struct {
	ID       int64
	Owner    int64
	Baseline int // last_event_seq before the run
	Status   string
}

// loadWorkOrders returns the open load-test work orders of store 1 (the
// first n are watched; the rest are spare), and makes sure their owners
// can sign in with minted tokens.
func loadWorkOrders(ctx context.Context, conn *pgx.Conn, store int64) ([]watched, error) {
	if _, err := conn.Exec(ctx, `UPDATE owners SET auth_uid = 'local-owner-' || id
WHERE auth_uid IS NULL AND id IN (SELECT owner_id FROM work_orders WHERE number LIKE 'BENCH-%')`); err != nil {
		return nil, err
	}
	rows, err := conn.Query(ctx, `SELECT id, owner_id, last_event_seq, status FROM work_orders
WHERE dealership_id = $1 AND number LIKE 'BENCH-%' AND status IN ('in_repair', 'waiting_parts') ORDER BY id`, store)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (watched, error) {
		var w watched
		var seq int64
		err := r.Scan(&w.ID, &w.Owner, &seq, &w.Status)
		w.Baseline = int(seq)
		return w, err
	})
}

// server is a spawned aftercare process.
type server struct {
	cmd    *exec.Cmd
	done   chan error
	log    string
	exited bool
}

// spawnServer starts the binary and waits until /readyz answers 200.
func spawnServer(ctx context.Context, c *config) (*server, error) {
	logPath := filepath.Join(c.dataDir, "server.log")
	f, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(c.spawn, "serve")
	cmd.Env = append(c.serverEnv(), "GOTRACEBACK=all") // -dump-goroutines: SIGQUIT prints every goroutine
	cmd.Stdout, cmd.Stderr = f, f
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		f.Close()
		return nil, err
	}
	s := &server{cmd: cmd, done: make(chan error, 1), log: logPath}
	go func() { s.done <- cmd.Wait(); f.Close() }()
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case err := <-s.done:
			return nil, fmt.Errorf("server exited: %v (log: %s)", err, logPath)
		case <-ctx.Done():
			s.stop()
			return nil, ctx.Err()
		case <-time.After(200 * time.Millisecond):
		}
		resp, err := http.Get(c.url + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return s, nil
			}
		}
	}
	s.stop()
	return nil, fmt.Errorf("server not ready after 60s (log: %s)", logPath)
}

// stop sends SIGTERM to the server it started, then SIGKILL after 30 s.
func (s *server) stop() {
	if s == nil || s.cmd.Process == nil || s.exited {
		return
	}
	s.exited = true
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.done:
	case <-time.After(30 * time.Second):
		_ = s.cmd.Process.Kill()
		<-s.done
	}
}

// goroutineDump makes the server print every goroutine (SIGQUIT, which
// also ends it) and counts them in its log, by the function that started
// them.
func (s *server) goroutineDump() (total int, byCreator map[string]int, err error) {
	if s == nil || s.exited {
		return 0, nil, fmt.Errorf("no server")
	}
	s.exited = true
	if err := s.cmd.Process.Signal(syscall.SIGQUIT); err != nil {
		return 0, nil, err
	}
	select {
	case <-s.done:
	case <-time.After(60 * time.Second):
		_ = s.cmd.Process.Kill()
		<-s.done
	}
	b, err := os.ReadFile(s.log)
	if err != nil {
		return 0, nil, err
	}
	byCreator = map[string]int{}
	for _, line := range strings.Split(string(b), "\n") {
		switch {
		case strings.HasPrefix(line, "goroutine ") && strings.HasSuffix(strings.TrimSpace(line), ":"):
			total++
		case strings.HasPrefix(line, "created by "):
			fn := strings.TrimPrefix(line, "created by ")
			if i := strings.Index(fn, " in goroutine"); i >= 0 {
				fn = fn[:i]
			}
			byCreator[fn]++
		}
	}
	// The dump is about 13 KB per connection: keep the log small.
	if i := strings.Index(string(b), "SIGQUIT: quit"); i >= 0 {
		note := fmt.Sprintf("SIGQUIT goroutine dump removed by the load tool: %d goroutines\n", total)
		_ = os.WriteFile(s.log, append(b[:i:i], note...), 0o644)
	}
	return total, byCreator, nil
}
