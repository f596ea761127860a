package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"
)

// gql posts GraphQL documents to the server.
type gql struct {
	base   string // http://127.0.0.1:port
	client *http.Client
}

func newGQL(base string) *gql {
	return &gql{base: base, client: &http.Client{
		Timeout:   30 * time.Second,
		Transport: &http.Transport{MaxIdleConnsPerHost: 512, MaxIdleConns: 1024, IdleConnTimeout: 90 * time.Second},
	}}
}

type gqlError struct {
	Message    string         `json:"message"`
	Extensions map[string]any `json:"extensions"`
}

// opError is a failed request: HTTP status, GraphQL code and message.
type opError struct {
	status int
	code   string
	msg    string
}

func (e *opError) Error() string {
	return fmt.Sprintf("HTTP %d %s: %.200s", e.status, e.code, e.msg)
}

// do posts query with vars to path as the holder of token and decodes data
// into out (nil: ignored). Any GraphQL error fails the request.
func (g *gql) do(ctx context.Context, path, token, query string, vars map[string]any, out any) error {
	body, err := json.Marshal(map[string]any{"query": query, "variables": vars})
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, g.base+path, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := g.client.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		return err
	}
	var r struct {
		Data   json.RawMessage `json:"data"`
		Errors []gqlError      `json:"errors"`
	}
	if err := json.Unmarshal(raw, &r); err != nil {
		return &opError{status: res.StatusCode, code: "NOT_JSON", msg: string(raw)}
	}
	if len(r.Errors) > 0 {
		code, _ := r.Errors[0].Extensions["code"].(string)
		return &opError{status: res.StatusCode, code: code, msg: r.Errors[0].Message}
	}
	if res.StatusCode != http.StatusOK {
		return &opError{status: res.StatusCode, msg: string(raw)}
	}
	if out != nil {
		return json.Unmarshal(r.Data, out)
	}
	return nil
}
