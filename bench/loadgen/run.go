package main

import (
	"aftercare/bench/latency"
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"sync"
	"sync/atomic"
	"time"
)

// request is one line of a requests file: the GraphQL body and the bearer
// token to send it with (empty: none).
type request struct {
	Token string          `json:"token,omitempty"`
	Body  json.RawMessage `json:"body"`
}

func readRequests(path string) ([]request, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []request
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		var r request
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			return nil, fmt.Errorf("%s line %d: %w", path, len(out)+1, err)
		}
		out = append(out, r)
	}
	return out, sc.Err()
}

// driver sends requests and records their latency. It takes requests in
// file order and, with once set, never sends one twice (bookings).
type driver struct {
	url    string
	reqs   []request
	once   bool
	client *http.Client
	next   atomic.Int64
	errs   atomic.Int64
	mu     sync.Mutex
	first  string // first error text, for the report
	lat    latency.Hist
}

func (d *driver) fail(err error) {
	d.errs.Add(1)
	d.mu.Lock()
	if d.first == "" {
		d.first = err.Error()
	}
	d.mu.Unlock()
}

// take returns the next request, or false when a once-only file is used up.
func (d *driver) take() (request, bool) {
	i := d.next.Add(1) - 1
	if d.once && i >= int64(len(d.reqs)) {
		return request{}, false
	}
	return d.reqs[i%int64(len(d.reqs))], true
}

// send makes one request; latency counts from `since` (the intended start
// in open-loop mode, so a stalled server cannot hide its queue).
func (d *driver) send(ctx context.Context, r request, since time.Time) {
	err := d.do(ctx, r)
	el := time.Since(since)
	if err != nil {
		d.fail(err)
	}
	d.mu.Lock()
	d.lat.Add(el)
	d.mu.Unlock()
}

func (d *driver) do(ctx context.Context, r request) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, d.url, bytes.NewReader(r.Body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	if r.Token != "" {
		req.Header.Set("Authorization", "Bearer "+r.Token)
	}
	res, err := d.client.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		return err
	}
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("HTTP %d: %.200s", res.StatusCode, b)
	}
	// Any "errors" member means the operation failed (at least in part).
	if bytes.Contains(b, []byte(`"errors"`)) {
		return fmt.Errorf("graphql errors: %.300s", b)
	}
	if !bytes.Contains(b, []byte(`"data"`)) {
		return fmt.Errorf("no data: %.200s", b)
	}
	return nil
}

// openLoop starts requests at a fixed rate whatever the answers do, with at
// most maxInFlight outstanding (beyond that a request counts as an error).
func (d *driver) openLoop(ctx context.Context, rate float64, maxInFlight int) int {
	interval := time.Duration(float64(time.Second) / rate)
	start := time.Now()
	sem := make(chan struct{}, maxInFlight)
	var wg sync.WaitGroup
	sent := 0
	for i := 0; ; i++ {
		at := start.Add(time.Duration(i) * interval)
		if wait := time.Until(at); wait > 0 {
			select {
			case <-ctx.Done():
				wg.Wait()
				return sent
			case <-time.After(wait):
			}
		} else if ctx.Err() != nil {
			wg.Wait()
			return sent
		}
		r, ok := d.take()
		if !ok {
			break
		}
		sent++
		select {
		case sem <- struct{}{}:
		default:
			d.fail(fmt.Errorf("client: over %d requests in flight", maxInFlight))
			continue
		}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			d.send(context.WithoutCancel(ctx), r, at)
		}()
	}
	wg.Wait()
	return sent
}

// closedLoop keeps `workers` requests outstanding: saturation.
func (d *driver) closedLoop(ctx context.Context, workers int) int {
	var sent atomic.Int64
	var wg sync.WaitGroup
	for range workers {
		wg.Go(func() {
			for ctx.Err() == nil {
				r, ok := d.take()
				if !ok {
					return
				}
				sent.Add(1)
				d.send(context.WithoutCancel(ctx), r, time.Now())
			}
		})
	}
	wg.Wait()
	return int(sent.Load())
}
