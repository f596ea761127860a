package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"sync"
	"time"
)

const advanceMutation = `mutation($in: AdvanceWorkOrderInput!) { advanceWorkOrder(input: $in) { id status lastEventSeq } }`

// eventKey names one event.
type eventKey struct {
	WO  int64
	Seq int
}

// sent is what the driver knows about an event it caused.
type sent struct {
	Send, Resp time.Time
}

// driver sends advanceWorkOrder as the technician, alternating the work
// orders it owns between in_repair and waiting_parts (a move technicians
// may make forever). Each work order belongs to one driver, so its moves
// never race.
type driver struct {
	url    string
	token  string
	http   *http.Client
	status map[int64]string
	in     chan int64

	sent     map[eventKey]sent
	latency  durations // mutation round trip
	errs     int
	firstErr error
}

// graphQL posts one operation.
func graphQL(ctx context.Context, hc *http.Client, url, token, query string, vars map[string]any, out any) error {
	body, _ := json.Marshal(map[string]any{"query": query, "variables": vars})
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return err
	}
	var r struct {
		Data   json.RawMessage `json:"data"`
		Errors []struct {
			Message string `json:"message"`
		} `json:"errors"`
	}
	if err := json.Unmarshal(b, &r); err != nil {
		return fmt.Errorf("HTTP %d: %.200s", resp.StatusCode, b)
	}
	if len(r.Errors) > 0 {
		return errors.New(r.Errors[0].Message)
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("HTTP %d", resp.StatusCode)
	}
	return json.Unmarshal(r.Data, out)
}

// advance moves one work order to its other status.
func (d *driver) advance(ctx context.Context, wo int64) {
	to := "waiting_parts"
	if d.status[wo] == "waiting_parts" {
		to = "in_repair"
	}
	var out struct {
		AdvanceWorkOrder struct {
			ID           flexID `json:"id"`
			Status       string `json:"status"`
			LastEventSeq int    `json:"lastEventSeq"`
		} `json:"advanceWorkOrder"`
	}
	rctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	start := time.Now()
	err := graphQL(rctx, d.http, d.url, d.token, advanceMutation,
		map[string]any{"in": map[string]any{"workOrderID": strconv.FormatInt(wo, 10), "to": to}}, &out)
	end := time.Now()
	if err != nil {
		d.errs++
		if d.firstErr == nil {
			d.firstErr = err
		}
		// The status is unknown now (the move may have committed): the
		// lost/duplicate check reads the final numbers from the database.
		d.status[wo] = ""
		return
	}
	d.status[wo] = out.AdvanceWorkOrder.Status
	d.latency = append(d.latency, end.Sub(start))
	d.sent[eventKey{wo, out.AdvanceWorkOrder.LastEventSeq}] = sent{Send: start, Resp: end}
}

func (d *driver) loop(ctx context.Context, wg *sync.WaitGroup) {
	defer wg.Done()
	for wo := range d.in {
		if ctx.Err() != nil {
			continue // drain
		}
		if d.status[wo] == "" { // unknown after an error: ask
			d.refresh(ctx, wo)
		}
		d.advance(ctx, wo)
	}
}

func (d *driver) refresh(ctx context.Context, wo int64) {
	var out struct {
		Node struct {
			Status string `json:"status"`
		} `json:"node"`
	}
	rctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if graphQL(rctx, d.http, d.url, d.token, `query($id: ID!) { node(id: $id) { ... on WorkOrder { status } } }`,
		map[string]any{"id": strconv.FormatInt(wo, 10)}, &out) == nil {
		d.status[wo] = out.Node.Status
	}
}

// driveResult is the drive's outcome.
type driveResult struct {
	offered, skipped, ok, errs int
	elapsed                    time.Duration
	sent                       map[eventKey]sent
	latency                    durations
	firstErr                   error
}

// drive offers eps events per second for dur over targets (round robin);
// an event whose driver is still busy with earlier ones is skipped, so the
// offered rate never piles up.
func drive(ctx context.Context, c *config, token string, targets []watched) driveResult {
	hc := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: c.drivers, MaxConnsPerHost: c.drivers}}
	defer hc.CloseIdleConnections()
	ds := make([]*driver, c.drivers)
	var wg sync.WaitGroup
	for i := range ds {
		ds[i] = &driver{url: c.url + "/graphql", token: token, http: hc, status: map[int64]string{},
			in: make(chan int64, 64), sent: map[eventKey]sent{}}
	}
	owner := make(map[int64]*driver, len(targets))
	for i, t := range targets {
		d := ds[i%len(ds)]
		d.status[t.ID] = t.Status
		owner[t.ID] = d
	}
	for _, d := range ds {
		wg.Add(1)
		go d.loop(ctx, &wg)
	}
	total := int(c.eps * c.duration.Seconds())
	interval := time.Duration(float64(time.Second) / c.eps)
	var res driveResult
	start := time.Now()
	for i := 0; i < total && ctx.Err() == nil; i++ {
		if wait := time.Until(start.Add(time.Duration(i) * interval)); wait > 0 {
			time.Sleep(wait)
		}
		wo := targets[i%len(targets)].ID
		res.offered++
		select {
		case owner[wo].in <- wo:
		default:
			res.skipped++
		}
	}
	for _, d := range ds {
		close(d.in)
	}
	wg.Wait()
	res.elapsed = time.Since(start)
	res.sent = map[eventKey]sent{}
	for _, d := range ds {
		res.ok += len(d.latency)
		res.errs += d.errs
		res.latency = append(res.latency, d.latency...)
		for k, v := range d.sent {
			res.sent[k] = v
		}
		if res.firstErr == nil {
			res.firstErr = d.firstErr
		}
	}
	return res
}
