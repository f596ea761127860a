package main

import (
	"bufio"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// clockTicks is USER_HZ, the unit of utime and stime in /proc/<pid>/stat
// (100 on every Linux architecture Go supports).
const clockTicks = 100

// procSample is one look at a process and the machine.
type procSample struct {
	At         time.Time
	RSSKiB     int64 // server VmRSS
	HWMKiB     int64 // server VmHWM (peak RSS)
	Threads    int64
	ServerCPU  float64 // seconds, user+system
	PGCPU      float64 // seconds, the postgres backends of the database
	PGProcs    int
	ClientCPU  float64 // seconds, this process
	MachBusy   float64 // machine-wide busy seconds (all cores), /proc/stat
	MachTotal  float64
	Load1      string // /proc/loadavg, 1 minute
	ServerSeen bool
}

func loadAvg() string {
	b, _ := os.ReadFile("/proc/loadavg")
	f := strings.Fields(string(b))
	if len(f) == 0 {
		return "?"
	}
	return f[0]
}

func sample(pid int, db string) procSample {
	s := procSample{At: time.Now()}
	if pid > 0 {
		if st, err := readStatus(pid); err == nil {
			s.RSSKiB, s.HWMKiB, s.Threads = st["VmRSS"], st["VmHWM"], st["Threads"]
			s.ServerSeen = true
		}
		s.ServerCPU, _ = procCPU(pid)
	}
	s.PGCPU, s.PGProcs = postgresCPU(db)
	s.Load1 = loadAvg()
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) == nil {
		s.ClientCPU = tv(ru.Utime) + tv(ru.Stime)
	}
	s.MachBusy, s.MachTotal = machineCPU()
	return s
}

func tv(t syscall.Timeval) float64 { return float64(t.Sec) + float64(t.Usec)/1e6 }

// readStatus reads the kB and count fields of /proc/<pid>/status.
func readStatus(pid int) (map[string]int64, error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	out := map[string]int64{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if !ok {
			continue
		}
		fs := strings.Fields(v)
		if len(fs) == 0 {
			continue
		}
		if n, err := strconv.ParseInt(fs[0], 10, 64); err == nil {
			out[k] = n
		}
	}
	return out, sc.Err()
}

// procStat returns the command name and utime+stime (seconds) of a process.
func procStat(pid int) (string, float64, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return "", 0, err
	}
	s := string(b)
	open, closing := strings.IndexByte(s, '('), strings.LastIndexByte(s, ')')
	if open < 0 || closing < open {
		return "", 0, fmt.Errorf("bad stat")
	}
	comm := s[open+1 : closing]
	fs := strings.Fields(s[closing+1:])
	// fs[0] is field 3 (state); utime and stime are fields 14 and 15.
	if len(fs) < 13 {
		return "", 0, fmt.Errorf("short stat")
	}
	u, _ := strconv.ParseFloat(fs[11], 64)
	st, _ := strconv.ParseFloat(fs[12], 64)
	return comm, (u + st) / clockTicks, nil
}

func procCPU(pid int) (float64, error) {
	_, cpu, err := procStat(pid)
	return cpu, err
}

// postgresCPU sums the CPU time of the PostgreSQL backends connected to
// database db (their process title names it): the server's pooled
// connections and its LISTEN connection, not other users' backends.
func postgresCPU(db string) (float64, int) {
	dirs, _ := filepath.Glob("/proc/[0-9]*")
	total, n := 0.0, 0
	for _, d := range dirs {
		pid, err := strconv.Atoi(filepath.Base(d))
		if err != nil {
			continue
		}
		comm, cpu, err := procStat(pid)
		if err != nil || comm != "postgres" {
			continue
		}
		title, err := os.ReadFile(d + "/cmdline")
		if err != nil || !strings.Contains(string(title), " "+db+" ") {
			continue
		}
		total += cpu
		n++
	}
	return total, n
}

// machineCPU is the busy and total time of all cores (seconds).
func machineCPU() (busy, total float64) {
	b, err := os.ReadFile("/proc/stat")
	if err != nil {
		return 0, 0
	}
	line, _, _ := strings.Cut(string(b), "\n")
	fs := strings.Fields(line)
	if len(fs) < 5 || fs[0] != "cpu" {
		return 0, 0
	}
	for i, f := range fs[1:] {
		v, _ := strconv.ParseFloat(f, 64)
		total += v
		if i != 3 && i != 4 { // idle, iowait
			busy += v
		}
	}
	return busy / clockTicks, total / clockTicks
}

// durations summarises latencies.
type durations []time.Duration

func (d durations) pct(p float64) time.Duration {
	if len(d) == 0 {
		return 0
	}
	i := int(math.Ceil(p/100*float64(len(d)))) - 1
	return d[max(0, min(i, len(d)-1))]
}

func (d durations) summary() string {
	if len(d) == 0 {
		return "n=0"
	}
	slices.Sort(d)
	return fmt.Sprintf("p50 %s  p95 %s  p99 %s  max %s  (n=%d)", ms(d.pct(50)), ms(d.pct(95)), ms(d.pct(99)), ms(d[len(d)-1]), len(d))
}

func ms(d time.Duration) string {
	return fmt.Sprintf("%.1f ms", float64(d)/float64(time.Millisecond))
}

func mib(kib int64) string { return fmt.Sprintf("%.1f MiB", float64(kib)/1024) }
