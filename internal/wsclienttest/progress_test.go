// Package wsclienttest checks live repair progress with the JavaScript
// client the owner app uses (graphql-ws over the ws package, in Node)
// against two real server processes sharing one PostgreSQL database: the
// client is connected to one instance while the work order moves through
// the other, so every event crosses PostgreSQL's LISTEN/NOTIFY.
//
// The Node project is testdata/ (package.json and package-lock.json pin the
// versions); the test runs `npm ci` there when testdata/node_modules is
// missing or stale. It is skipped without node and npm, and without
// PostgreSQL, except under CI=true, where either fails it.
package wsclienttest

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"aftercare/internal/testenv"
)

const (
	// secret signs the development tokens; every process gets the same one.
	secret = "wsclienttest-local-signing-secret-0123456789"

	owner1Phone  = "+8613900000001" // a customer of the Pudong store
	owner2Phone  = "+8613900000002" // a customer of the other store
	advisorEmail = "advisor@pudong.hmg.example"
	techEmail    = "technician@pudong.hmg.example"

	buildTimeout    = 10 * time.Minute // a cold build cache compiles all of ent: ~6 min on 2 busy cores
	commandTimeout  = 60 * time.Second
	npmTimeout      = 3 * time.Minute
	readyTimeout    = 30 * time.Second
	eventTimeout    = 5 * time.Second // one event, from the move to the Node client's stdout
	quietWindow     = time.Second     // how long "no further event" is watched for
	nodeTimeout     = 30 * time.Second
	shutdownTimeout = 25 * time.Second // the server drains for up to 20s
)

// TestOwnerAppFollowsRepairAcrossInstances: an owner's app, connected to
// instance B, sees each move made through instance A, in order; after a
// disconnection it resumes with after=N and gets exactly what it missed,
// then live events; and an owner of another store is told NOT_FOUND.
func TestOwnerAppFollowsRepairAcrossInstances(t *testing.T) {
	js := requireNodeClient(t) // first: skips (or fails under CI) before any setup
	pg, ok := testenv.Postgres(t)
	if !ok {
		t.Skip("PostgreSQL not reachable")
	}
	bin := buildServer(t)
	env := serverEnv(pg.URL, t.TempDir())

	start := time.Now()
	runCmd(t, env, bin, "seed", "--owners", "20")
	owner1 := mintToken(t, env, bin, "--owner", owner1Phone)
	owner2 := mintToken(t, env, bin, "--owner", owner2Phone)
	advisor := mintToken(t, env, bin, "--staff", advisorEmail)
	tech := mintToken(t, env, bin, "--staff", techEmail)
	t.Logf("seeded and minted tokens in %s", time.Since(start).Round(time.Millisecond))

	start = time.Now()
	a := startServer(t, bin, env, "A")
	b := startServer(t, bin, env, "B")
	t.Logf("instances A (:%d) and B (:%d) ready in %s", a.port, b.port, time.Since(start).Round(time.Millisecond))

	woID := checkIn(t, a, advisor)

	t.Run("live events cross instances in order", func(t *testing.T) {
		sub := js.subscribe(t, b, owner1, woID, nil, 3)
		sub.expect(t, 1, "checked_in") // the history: subscribed on B before any move
		a.advance(t, tech, woID, "diagnosing")
		sub.expect(t, 2, "diagnosing")
		a.advance(t, advisor, woID, "in_repair")
		sub.expect(t, 3, "in_repair")
		sub.expectExit(t, 0)
	})
	if t.Failed() {
		return
	}

	t.Run("resume after=3 gets the missed events then live ones, once each", func(t *testing.T) {
		// Two moves while the app is away.
		a.advance(t, tech, woID, "waiting_parts")
		a.advance(t, tech, woID, "in_repair")
		after := 3
		sub := js.subscribe(t, b, owner1, woID, &after, 4) // one more than expected: a duplicate would show
		sub.expect(t, 4, "waiting_parts")
		sub.expect(t, 5, "in_repair")
		a.advance(t, tech, woID, "quality_check")
		sub.expect(t, 6, "quality_check")
		sub.expectNothing(t, quietWindow)
	})

	t.Run("an owner of another store gets NOT_FOUND", func(t *testing.T) {
		sub := js.subscribe(t, b, owner2, woID, nil, 1)
		sub.expectError(t, "NOT_FOUND")
		sub.expectExit(t, 1)
	})
}

// ---- the server processes ----

// moduleRoot is the aftercare module, two levels above this package.
func moduleRoot(t *testing.T) string {
	t.Helper()
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	mod, err := os.ReadFile(filepath.Join(root, "go.mod"))
	if err != nil || !bytes.HasPrefix(mod, []byte("module aftercare\n")) {
		t.Fatalf("%s is not the aftercare module root: %v", root, err)
	}
	return root
}

func buildServer(t *testing.T) string {
	t.Helper()
	root := moduleRoot(t)
	bin := filepath.Join(t.TempDir(), "aftercare")
	// Within go test's -timeout, leaving a minute for the test itself, so
	// that a slow build fails with its own message instead of a panic.
	timeout := buildTimeout
	if d, ok := t.Deadline(); ok {
		timeout = min(timeout, time.Until(d)-time.Minute)
	}
	ctx, cancel := context.WithTimeout(context.Background(), timeout)
	defer cancel()
	start := time.Now()
	cmd := exec.CommandContext(ctx, "go", "build", "-o", bin, ".")
	cmd.Dir = root
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build (%s, timeout %s): %v\n%s", time.Since(start).Round(time.Second), timeout.Round(time.Second), err, out)
	}
	t.Logf("built the server in %s", time.Since(start).Round(time.Millisecond))
	return bin
}

// serverEnv is the whole environment of every server command: nothing is
// inherited but PATH and HOME, so a developer's settings (PORT,
// FIREBASE_PROJECT_ID, ...) cannot leak in.
func serverEnv(databaseURL, dataDir string) []string {
	return []string{
		"PATH=" + os.Getenv("PATH"),
		"HOME=" + os.Getenv("HOME"),
		"DATABASE_URL=" + databaseURL,
		"DATA_DIR=" + dataDir,
		"AUTH_LOCAL_SECRET=" + secret,
		"APP_ENV=development",
		"SEED_DEMO=false",
		"LOG_LEVEL=info",
	}
}

// runCmd runs a short server command and returns its stdout.
func runCmd(t *testing.T, env []string, bin string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), commandTimeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args...)
	cmd.Env = env
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("aftercare %s: %v\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), err, stdout.Bytes(), stderr.Bytes())
	}
	return stdout.String()
}

func mintToken(t *testing.T, env []string, bin string, args ...string) string {
	t.Helper()
	tok := strings.TrimSpace(runCmd(t, env, bin, append([]string{"token"}, args...)...))
	if tok == "" || strings.ContainsAny(tok, " \n") {
		t.Fatalf("aftercare token %s printed %q, want one token", strings.Join(args, " "), tok)
	}
	return tok
}

type server struct {
	name    string
	port    int
	cmd     *exec.Cmd
	logPath string
	done    chan struct{} // closed when the process has exited; err is then set
	err     error
}

func (s *server) url(path string) string {
	return "http://127.0.0.1:" + strconv.Itoa(s.port) + path
}

func (s *server) exited() bool {
	select {
	case <-s.done:
		return true
	default:
		return false
	}
}

// startServer runs `aftercare serve` on a free port and waits for /readyz.
// The port is found by listening and closing, so another process may take
// it in between: a server that exits before it is ready is started again
// on another port. The server is stopped with SIGTERM when t ends.
func startServer(t *testing.T, bin string, env []string, name string) *server {
	t.Helper()
	var lastErr error
	for attempt := 1; attempt <= 3; attempt++ {
		s, err := tryStart(t, bin, env, name, attempt)
		if err == nil {
			return s
		}
		lastErr = err
		if !errors.Is(err, errExitedEarly) {
			break
		}
	}
	t.Fatalf("instance %s did not start: %v", name, lastErr)
	return nil
}

var errExitedEarly = errors.New("server exited before it was ready")

func tryStart(t *testing.T, bin string, env []string, name string, attempt int) (*server, error) {
	port := freePort(t)
	logPath := filepath.Join(t.TempDir(), fmt.Sprintf("server-%s-%d.log", name, attempt))
	logFile, err := os.Create(logPath)
	if err != nil {
		return nil, err
	}
	defer logFile.Close() // the child has its own descriptor
	cmd := exec.Command(bin, "serve")
	cmd.Env = append(env[:len(env):len(env)], "PORT="+strconv.Itoa(port))
	cmd.Stdout, cmd.Stderr = logFile, logFile
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	s := &server{name: name, port: port, cmd: cmd, logPath: logPath, done: make(chan struct{})}
	go func() { s.err = cmd.Wait(); close(s.done) }()
	t.Cleanup(func() { s.stop(t) })

	client := &http.Client{Timeout: 2 * time.Second}
	deadline := time.Now().Add(readyTimeout)
	for time.Now().Before(deadline) {
		if s.exited() {
			return nil, fmt.Errorf("%w (%v):\n%s", errExitedEarly, s.err, tail(logPath, 20))
		}
		if res, err := client.Get(s.url("/readyz")); err == nil {
			_, _ = io.Copy(io.Discard, res.Body)
			res.Body.Close()
			if res.StatusCode == http.StatusOK {
				return s, nil
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	return nil, fmt.Errorf("no /readyz 200 within %s:\n%s", readyTimeout, tail(logPath, 20))
}

// stop sends SIGTERM and waits for a graceful exit (status 0), killing the
// process if it takes longer than shutdownTimeout.
func (s *server) stop(t *testing.T) {
	if s.exited() {
		if t.Failed() {
			t.Logf("instance %s had already exited (%v); its log:\n%s", s.name, s.err, tail(s.logPath, 40))
		}
		return
	}
	start := time.Now()
	_ = s.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-s.done:
		t.Logf("instance %s stopped on SIGTERM in %s (%v)", s.name, time.Since(start).Round(time.Millisecond), exitStatus(s.err))
		if s.err != nil {
			t.Errorf("instance %s did not shut down cleanly: %v\n%s", s.name, s.err, tail(s.logPath, 20))
		}
	case <-time.After(shutdownTimeout):
		_ = s.cmd.Process.Kill()
		<-s.done
		t.Errorf("instance %s ignored SIGTERM for %s; killed\n%s", s.name, shutdownTimeout, tail(s.logPath, 20))
	}
	if t.Failed() {
		t.Logf("instance %s log:\n%s", s.name, tail(s.logPath, 40))
	}
}

func exitStatus(err error) string {
	if err == nil {
		return "exit 0"
	}
	return err.Error()
}

func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}

// tail is the last n lines of a log file.
func tail(path string, n int) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return "(no log: " + err.Error() + ")"
	}
	lines := strings.Split(strings.TrimRight(string(b), "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// ---- GraphQL over HTTP, for the staff side ----

var httpClient = &http.Client{Timeout: 10 * time.Second}

// do runs one operation as token's bearer and decodes data into out,
// failing t on any error.
func (s *server) do(t *testing.T, token, query string, vars map[string]any, out any) {
	t.Helper()
	body, err := json.Marshal(map[string]any{"query": query, "variables": vars})
	if err != nil {
		t.Fatal(err)
	}
	req, err := http.NewRequest(http.MethodPost, s.url("/graphql"), bytes.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := httpClient.Do(req)
	if err != nil {
		t.Fatalf("POST %s: %v", s.url("/graphql"), err)
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	var resp struct {
		Data   json.RawMessage   `json:"data"`
		Errors []json.RawMessage `json:"errors"`
	}
	if err := json.Unmarshal(raw, &resp); err != nil || res.StatusCode != http.StatusOK || len(resp.Errors) > 0 {
		t.Fatalf("instance %s: %s\n  status %d, body %s", s.name, firstLine(query), res.StatusCode, raw)
	}
	if err := json.Unmarshal(resp.Data, out); err != nil {
		t.Fatalf("decode %s: %v", resp.Data, err)
	}
}

func firstLine(s string) string {
	s, _, _ = strings.Cut(strings.TrimSpace(s), "\n")
	return s
}

// checkIn opens a walk-in work order for owner 1's first vehicle, as the
// advisor, and returns its id.
func checkIn(t *testing.T, s *server, advisor string) string {
	t.Helper()
	var found struct {
		Owners struct {
			Edges []struct {
				Node struct {
					ID       string
					Vehicles struct {
						Edges []struct {
							Node struct {
								ID         string
								OdometerKm int
							}
						}
					}
				}
			}
		}
	}
	s.do(t, advisor, `query { owners(first: 1, where: {phone: "`+owner1Phone+`"}) { edges { node { id vehicles(first:1) { edges { node { id odometerKm } } } } } } }`, nil, &found)
	if len(found.Owners.Edges) != 1 || len(found.Owners.Edges[0].Node.Vehicles.Edges) != 1 {
		t.Fatalf("owner %s with a vehicle not found: %+v", owner1Phone, found)
	}
	vehicle := found.Owners.Edges[0].Node.Vehicles.Edges[0].Node
	var created struct{ CheckIn struct{ ID string } }
	s.do(t, advisor, `mutation($in: CheckInVehicleInput!) { checkIn(input: $in) { id } }`, map[string]any{"in": map[string]any{
		"vehicleID":        vehicle.ID,
		"odometerKm":       vehicle.OdometerKm + 10,
		"faultDescription": "noise",
		"estimateCents":    1000,
		"checks": map[string]any{
			"exterior":              []any{},
			"interior":              map[string]any{"coversFitted": true, "personalItems": "", "handedOver": true},
			"functions":             []any{},
			"faultConfirmed":        true,
			"workConfirmed":         true,
			"promisedTimeConfirmed": true,
		},
	}}, &created)
	if created.CheckIn.ID == "" {
		t.Fatal("checkIn returned no id")
	}
	return created.CheckIn.ID
}

func (s *server) advance(t *testing.T, token, workOrderID, to string) {
	t.Helper()
	var out struct{ AdvanceWorkOrder struct{ Status string } }
	s.do(t, token, `mutation($id: ID!) { advanceWorkOrder(input: {workOrderID: $id, to: `+to+`}) { status } }`,
		map[string]any{"id": workOrderID}, &out)
	if out.AdvanceWorkOrder.Status != to {
		t.Fatalf("advanceWorkOrder to %s: status %q", to, out.AdvanceWorkOrder.Status)
	}
}

// ---- the Node client ----

type nodeClient struct {
	node, dir string
}

// requireNodeClient finds node (>= 20) and npm, and installs testdata's
// pinned packages into testdata/node_modules when they are missing or not
// the pinned versions. Without node or npm it skips t, or fails it under
// CI=true.
func requireNodeClient(t *testing.T) *nodeClient {
	t.Helper()
	unavailable := func(format string, args ...any) {
		t.Helper()
		msg := fmt.Sprintf(format, args...) + " (Debian: apt-get install -y nodejs npm)"
		if os.Getenv("CI") == "true" {
			t.Fatalf("the graphql-ws client test needs Node.js under CI=true: %s", msg)
		}
		t.Skipf("skipping the graphql-ws client test: %s", msg)
	}
	node, err := exec.LookPath("node")
	if err != nil {
		unavailable("node not found")
	}
	npm, err := exec.LookPath("npm")
	if err != nil {
		unavailable("npm not found")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, node, "-p", "process.versions.node").Output()
	if err != nil {
		unavailable("node -p process.versions.node: %v", err)
	}
	version := strings.TrimSpace(string(out))
	if major, _, _ := strings.Cut(version, "."); atoi(major) < 20 {
		unavailable("node %s is older than 20, which graphql-ws needs", version)
	}

	dir, err := filepath.Abs("testdata")
	if err != nil {
		t.Fatal(err)
	}
	if stale := staleModules(t, dir); stale != "" {
		start := time.Now()
		ctx, cancel := context.WithTimeout(context.Background(), npmTimeout)
		defer cancel()
		cmd := exec.CommandContext(ctx, npm, "ci", "--no-audit", "--no-fund", "--loglevel=error")
		cmd.Dir = dir
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("npm ci in %s (%s): %v\n%s", dir, stale, err, out)
		}
		if stale := staleModules(t, dir); stale != "" {
			t.Fatalf("after npm ci in %s: %s", dir, stale)
		}
		t.Logf("npm ci (%s) took %s", stale, time.Since(start).Round(time.Millisecond))
	}
	return &nodeClient{node: node, dir: dir}
}

// staleModules says why testdata/node_modules does not hold the versions
// package.json pins, or is empty when it does.
func staleModules(t *testing.T, dir string) string {
	t.Helper()
	var manifest struct{ Dependencies map[string]string }
	raw, err := os.ReadFile(filepath.Join(dir, "package.json"))
	if err == nil {
		err = json.Unmarshal(raw, &manifest)
	}
	if err != nil || len(manifest.Dependencies) == 0 {
		t.Fatalf("testdata/package.json: %v (dependencies: %v)", err, manifest.Dependencies)
	}
	for name, want := range manifest.Dependencies {
		var installed struct{ Version string }
		raw, err := os.ReadFile(filepath.Join(dir, "node_modules", name, "package.json"))
		if err != nil {
			return name + " is not installed"
		}
		if err := json.Unmarshal(raw, &installed); err != nil || installed.Version != want {
			return fmt.Sprintf("%s is %q, want %s", name, installed.Version, want)
		}
	}
	return ""
}

func atoi(s string) int {
	n, _ := strconv.Atoi(s)
	return n
}

// subscription is one run of testdata/subscribe.mjs.
type subscription struct {
	cmd    *exec.Cmd
	lines  chan string // stdout, one JSON value a line; closed at EOF
	stderr *testenv.SyncBuffer
	done   chan struct{} // closed when the process has exited; err is then set
	err    error
}

// subscribe starts the Node client on s's websocket endpoint; it prints
// each event and exits after count events, or prints an error and exits 1.
func (c *nodeClient) subscribe(t *testing.T, s *server, token, workOrderID string, after *int, count int) *subscription {
	t.Helper()
	afterArg := ""
	if after != nil {
		afterArg = strconv.Itoa(*after)
	}
	ctx, cancel := context.WithTimeout(context.Background(), nodeTimeout)
	cmd := exec.CommandContext(ctx, c.node, "subscribe.mjs",
		"ws://127.0.0.1:"+strconv.Itoa(s.port)+"/graphql", token, workOrderID, afterArg, strconv.Itoa(count))
	cmd.Dir = c.dir
	cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGTERM) }
	cmd.WaitDelay = 3 * time.Second
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	sub := &subscription{cmd: cmd, lines: make(chan string, 64), stderr: &testenv.SyncBuffer{}, done: make(chan struct{})}
	cmd.Stderr = sub.stderr
	if err := cmd.Start(); err != nil {
		cancel()
		t.Fatalf("start node: %v", err)
	}
	// One goroutine owns the pipe: it reads to EOF, then reaps the process
	// (Wait must not run before the pipe is drained).
	go func() {
		sc := bufio.NewScanner(stdout)
		sc.Buffer(make([]byte, 64<<10), 1<<20)
		for sc.Scan() {
			sub.lines <- sc.Text()
		}
		close(sub.lines)
		sub.err = cmd.Wait()
		close(sub.done)
	}()
	t.Cleanup(func() {
		cancel() // SIGTERM if still running, SIGKILL after WaitDelay
		select {
		case <-sub.done:
		case <-time.After(10 * time.Second):
			t.Errorf("node client did not exit")
		}
		if t.Failed() {
			t.Logf("node client stderr:\n%s", sub.stderr.String())
		}
	})
	return sub
}

type event struct {
	Seq      int     `json:"seq"`
	ToStatus string  `json:"toStatus"`
	Message  *string `json:"message"`
}

// next is the client's next stdout line, decoded; ok is false at EOF.
func (s *subscription) next(t *testing.T, timeout time.Duration) (line map[string]json.RawMessage, raw string, ok bool) {
	t.Helper()
	select {
	case raw, ok := <-s.lines:
		if !ok {
			return nil, "", false
		}
		if err := json.Unmarshal([]byte(raw), &line); err != nil {
			t.Fatalf("node client printed a line that is not a JSON object: %q", raw)
		}
		return line, raw, true
	case <-time.After(timeout):
		t.Fatalf("node client printed nothing within %s; stderr:\n%s", timeout, s.stderr.String())
		return nil, "", false
	}
}

func (s *subscription) expect(t *testing.T, seq int, status string) {
	t.Helper()
	line, raw, ok := s.next(t, eventTimeout)
	if !ok {
		t.Fatalf("node client ended (%v) before event %d; stderr:\n%s", s.wait(), seq, s.stderr.String())
	}
	if _, isErr := line["error"]; isErr {
		t.Fatalf("want event %d (%s), node client got an error: %s", seq, status, raw)
	}
	var e event
	if err := json.Unmarshal([]byte(raw), &e); err != nil {
		t.Fatalf("event %q: %v", raw, err)
	}
	if e.Seq != seq || e.ToStatus != status {
		t.Fatalf("got %s, want event %d to %s", raw, seq, status)
	}
	// Every move carries an owner-facing message. (The check-in event,
	// seq 1, is left out: it is stored with an empty message today.)
	if seq > 1 && (e.Message == nil || *e.Message == "") {
		t.Fatalf("event %d to %s has no message: %s", seq, status, raw)
	}
}

// expectNothing checks that no line comes within d (a duplicate or a
// stray event would).
func (s *subscription) expectNothing(t *testing.T, d time.Duration) {
	t.Helper()
	select {
	case raw, ok := <-s.lines:
		if ok {
			t.Fatalf("unexpected extra output from the node client: %s", raw)
		}
		t.Fatalf("node client ended (%v) while a live subscription was expected; stderr:\n%s", s.wait(), s.stderr.String())
	case <-time.After(d):
	}
}

// expectError checks that the client's next line is an error whose first
// GraphQL error has extensions.code == code.
func (s *subscription) expectError(t *testing.T, code string) {
	t.Helper()
	line, raw, ok := s.next(t, eventTimeout)
	if !ok {
		t.Fatalf("node client ended (%v) without printing the error; stderr:\n%s", s.wait(), s.stderr.String())
	}
	var errs []struct {
		Message    string `json:"message"`
		Extensions struct {
			Code string `json:"code"`
		} `json:"extensions"`
	}
	if err := json.Unmarshal(line["error"], &errs); err != nil || len(errs) == 0 {
		t.Fatalf("want GraphQL errors with code %s, node client printed %s", code, raw)
	}
	if errs[0].Extensions.Code != code {
		t.Fatalf("got error code %q (%s), want %s", errs[0].Extensions.Code, errs[0].Message, code)
	}
}

// expectExit checks that the client prints nothing more and exits with code.
func (s *subscription) expectExit(t *testing.T, code int) {
	t.Helper()
	select {
	case raw, ok := <-s.lines:
		if ok {
			t.Fatalf("unexpected extra output from the node client: %s", raw)
		}
	case <-time.After(eventTimeout):
		t.Fatalf("node client still running %s after its last expected line", eventTimeout)
	}
	err := s.wait()
	got := 0
	if ee := (*exec.ExitError)(nil); errors.As(err, &ee) {
		got = ee.ExitCode()
	} else if err != nil {
		t.Fatalf("node client: %v", err)
	}
	if got != code {
		t.Fatalf("node client exited with %d, want %d; stderr:\n%s", got, code, s.stderr.String())
	}
}

// wait returns the process's exit error once stdout has ended.
func (s *subscription) wait() error {
	select {
	case <-s.done:
		return s.err
	case <-time.After(nodeTimeout):
		return errors.New("still running")
	}
}
