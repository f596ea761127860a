package testenv

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"testing"
)

// Cluster is a private PostgreSQL server in a temporary directory on a free
// loopback port, for fault tests that stop and start it. The shared server
// at TEST_DATABASE_URL is never touched: other tests use it.
type Cluster struct {
	t    testing.TB
	bin  string
	dir  string
	Port int
	// URL is the cluster's postgres database.
	URL string
}

// PrivatePostgres initialises and starts a cluster with Debian's binaries
// (/usr/lib/postgresql/*/bin), as the postgres user when the test runs as
// root (initdb refuses root). ok is false (skip) when the binaries are
// missing, except under CI=true, where that fails the test. The cluster is
// stopped and removed when t ends.
func PrivatePostgres(t testing.TB) (*Cluster, bool) {
	t.Helper()
	ctls, _ := filepath.Glob("/usr/lib/postgresql/*/bin/pg_ctl")
	if len(ctls) == 0 {
		if os.Getenv("CI") == "true" {
			t.Fatal("PostgreSQL server binaries (/usr/lib/postgresql/*/bin) are required under CI=true")
		}
		t.Log("no PostgreSQL server binaries; skipping")
		return nil, false
	}
	sort.Strings(ctls)
	c := &Cluster{t: t, bin: filepath.Dir(ctls[len(ctls)-1])}
	var err error
	if c.dir, err = os.MkdirTemp("", "aftercare-pg-"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(c.dir) })
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			t.Fatalf("running as root needs a postgres user: %v", err)
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		if err := os.Chown(c.dir, uid, gid); err != nil {
			t.Fatal(err)
		}
	}
	c.Port = freePort(t)
	c.URL = fmt.Sprintf("postgres://postgres@127.0.0.1:%d/postgres?sslmode=disable", c.Port)
	c.run("initdb", "-D", c.data(), "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8")
	c.Start()
	t.Cleanup(func() { _ = c.ctl("stop", "-m", "immediate") })
	return c, true
}

func (c *Cluster) data() string { return filepath.Join(c.dir, "data") }

// Start starts the server and waits until it accepts connections.
func (c *Cluster) Start() {
	c.t.Helper()
	opts := fmt.Sprintf("-p %d -k %s -c listen_addresses=127.0.0.1 -c fsync=off", c.Port, c.dir)
	if err := c.ctl("start", "-l", filepath.Join(c.dir, "log"), "-o", opts); err != nil {
		log, _ := os.ReadFile(filepath.Join(c.dir, "log"))
		c.t.Fatalf("start PostgreSQL: %v\n%s", err, log)
	}
}

// Stop shuts the server down (fast: open connections are cut, as in a
// restart or a fail-over).
func (c *Cluster) Stop() {
	c.t.Helper()
	if err := c.ctl("stop", "-m", "fast"); err != nil {
		c.t.Fatalf("stop PostgreSQL: %v", err)
	}
}

func (c *Cluster) ctl(action string, args ...string) error {
	cmd := c.cmd("pg_ctl", append([]string{action, "-D", c.data(), "-w", "-t", "60"}, args...)...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("%w: %s", err, out)
	}
	return nil
}

func (c *Cluster) run(name string, args ...string) {
	c.t.Helper()
	if out, err := c.cmd(name, args...).CombinedOutput(); err != nil {
		c.t.Fatalf("%s: %v\n%s", name, err, out)
	}
}

func (c *Cluster) cmd(name string, args ...string) *exec.Cmd {
	path := filepath.Join(c.bin, name)
	if os.Geteuid() == 0 {
		return exec.Command("runuser", append([]string{"-u", "postgres", "--", path}, args...)...)
	}
	return exec.Command(path, args...)
}

func freePort(t testing.TB) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}
