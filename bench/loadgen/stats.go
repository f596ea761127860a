package main

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
)

// statements counts SQL statements through pg_stat_statements: reset before
// the run, summed after, its own queries left out. BEGIN and COMMIT count
// (track_utility is on): they are round trips too.
type statements struct{ conn *pgx.Conn }

func openStatements(url string) (*statements, error) {
	if url == "" {
		return &statements{}, nil
	}
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, url)
	if err != nil {
		return nil, fmt.Errorf("pg_stat_statements: %w", err)
	}
	if _, err := conn.Exec(ctx, `SELECT pg_stat_statements_reset()`); err != nil {
		conn.Close(ctx)
		return nil, fmt.Errorf("pg_stat_statements (preloaded? created?): %w", err)
	}
	return &statements{conn: conn}, nil
}

func (s *statements) perRequest(requests int) (float64, error) {
	if s.conn == nil || requests == 0 {
		return 0, nil
	}
	var calls int64
	err := s.conn.QueryRow(context.Background(), `SELECT coalesce(sum(calls), 0)::bigint FROM pg_stat_statements
WHERE dbid = (SELECT oid FROM pg_database WHERE datname = current_database())
  AND query NOT ILIKE '%pg_stat_statements%'`).Scan(&calls)
	return float64(calls) / float64(requests), err
}

func (s *statements) close() {
	if s.conn != nil {
		s.conn.Close(context.Background())
	}
}
