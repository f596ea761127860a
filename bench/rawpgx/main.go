// Command rawpgx is the floor of the comparison benchmark: it answers the
// same five GraphQL operations as aftercare (chosen by operationName; the
// document itself is not parsed) with hand-written SQL through pgx, one
// statement per read where PostgreSQL can build the JSON itself. It checks
// the same development tokens and scopes reads to the signed-in owner or
// the staff member's store, so the only thing it leaves out is GraphQL.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"log"
	"net/http"
	"os"
	"time"

	"github.com/golang-jwt/jwt/v4"
	"github.com/jackc/pgx/v5/pgxpool"
)

type server struct {
	db     *pgxpool.Pool
	secret []byte
}

func main() {
	addr := flag.String("addr", "127.0.0.1:8090", "listen address (loopback)")
	conns := flag.Int("db-max-conns", 8, "pool size")
	flag.Parse()
	cfg, err := pgxpool.ParseConfig(os.Getenv("DATABASE_URL"))
	if err != nil {
		log.Fatal(err)
	}
	cfg.MaxConns = int32(*conns)
	cfg.MinConns = int32(*conns) // keep backends alive: their CPU is measured
	db, err := pgxpool.NewWithConfig(context.Background(), cfg)
	if err != nil {
		log.Fatal(err)
	}
	s := &server{db: db, secret: []byte(os.Getenv("AUTH_LOCAL_SECRET"))}
	srv := &http.Server{Addr: *addr, Handler: s, ReadHeaderTimeout: 5 * time.Second}
	log.Fatal(srv.ListenAndServe())
}

type gqlRequest struct {
	OperationName string                     `json:"operationName"`
	Variables     map[string]json.RawMessage `json:"variables"`
}

// viewer is who signed in: an owner, or staff of a store.
type viewer struct {
	owner, staff, store int64
}

var errAuth = errors.New("UNAUTHENTICATED")

func (s *server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.URL.Path != "/graphql" || r.Method != http.MethodPost {
		http.NotFound(w, r)
		return
	}
	var req gqlRequest
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20)).Decode(&req); err != nil {
		writeError(w, "BAD_USER_INPUT")
		return
	}
	v, err := s.viewer(r)
	if err != nil {
		writeError(w, "UNAUTHENTICATED")
		return
	}
	data, err := s.operation(r.Context(), v, req)
	if err != nil {
		writeError(w, err.Error())
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Write([]byte(`{"data":`))
	w.Write(data)
	w.Write([]byte("}"))
}

func writeError(w http.ResponseWriter, code string) {
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]any{"errors": []any{map[string]any{
		"message": code, "extensions": map[string]string{"code": code}}}})
}

// viewer checks the local signer's HS256 token and finds the record, as
// aftercare's sign-in does: staff when the token carries a role.
func (s *server) viewer(r *http.Request) (viewer, error) {
	raw, ok := bearer(r)
	if !ok {
		return viewer{}, errAuth
	}
	claims := jwt.MapClaims{}
	if _, err := jwt.ParseWithClaims(raw, claims, func(*jwt.Token) (any, error) { return s.secret, nil },
		jwt.WithValidMethods([]string{"HS256"})); err != nil {
		return viewer{}, errAuth
	}
	sub, _ := claims["sub"].(string)
	var v viewer
	if _, staff := claims["role"]; staff {
		err := s.db.QueryRow(r.Context(), `SELECT id, dealership_id FROM staffs WHERE auth_uid = $1 AND active`, sub).Scan(&v.staff, &v.store)
		return v, err
	}
	err := s.db.QueryRow(r.Context(), `SELECT id FROM owners WHERE auth_uid = $1 AND erased_at IS NULL`, sub).Scan(&v.owner)
	return v, err
}

func bearer(r *http.Request) (string, bool) {
	h := r.Header.Get("Authorization")
	if len(h) < 8 || h[:7] != "Bearer " {
		return "", false
	}
	return h[7:], true
}
