package httpserver

import (
	"encoding/json"
	"mime"
	"net/http"
	"strings"

	"github.com/99designs/gqlgen/graphql"
	"github.com/99designs/gqlgen/graphql/errcode"
	"github.com/99designs/gqlgen/graphql/handler/transport"
	"github.com/vektah/gqlparser/v2/gqlerror"
)

// post is gqlgen's POST transport (JSON bodies) with one change: a response
// that is only data is written as it is. transport.POST marshals the whole
// graphql.Response with encoding/json, which checks and compacts the data,
// a json.RawMessage, byte by byte, though it is valid JSON by construction
// (gqlgen's generated marshalers write it, or sqlread compacts what
// PostgreSQL built). Without it the server's CPU per nested list (a 22 kB
// answer) fell by a fifth (docs/BENCHMARKS.md, runs 18-19). Responses with
// errors or extensions are marshalled as before.
//
// Unlike transport.POST, it does not echo an undecodable body in the error:
// a body may hold personal data, and error messages reach logs.
type post struct{ transport.POST }

func (post) Do(w http.ResponseWriter, r *http.Request, exec graphql.GraphExecutor) {
	ctx := r.Context()
	graphqlResponse := acceptsGraphQLResponse(r.Header.Get("Accept"))
	if graphqlResponse {
		w.Header().Set("Content-Type", "application/graphql-response+json")
	} else {
		w.Header().Set("Content-Type", "application/json")
	}
	start := graphql.Now()
	var params graphql.RawParams
	dec := json.NewDecoder(r.Body)
	dec.UseNumber()
	if err := dec.Decode(&params); err != nil {
		w.WriteHeader(http.StatusBadRequest)
		writeResponse(w, exec.DispatchError(ctx, gqlerror.List{gqlerror.Errorf("json request body could not be decoded: %v", err)}))
		return
	}
	params.Headers = r.Header
	params.ReadTime = graphql.TraceTiming{Start: start, End: graphql.Now()}
	op, errs := exec.CreateOperationContext(ctx, &params)
	if errs != nil {
		w.WriteHeader(statusFor(errs, graphqlResponse))
		writeResponse(w, exec.DispatchError(graphql.WithOperationContext(ctx, op), errs))
		return
	}
	responses, ctx := exec.DispatchOperation(ctx, op)
	writeResponse(w, responses(ctx))
}

// acceptsGraphQLResponse reads Accept as transport.POST does with its
// defaults: application/json unless the client asks for
// application/graphql-response+json, or names only types we do not serve.
func acceptsGraphQLResponse(accept string) bool {
	if accept == "" {
		return false
	}
	for part := range strings.SplitSeq(accept, ",") {
		mediaType, _, err := mime.ParseMediaType(strings.TrimSpace(part))
		if err != nil {
			continue
		}
		switch mediaType {
		case "*/*", "application/*", "application/json":
			return false
		case "application/graphql-response+json":
			return true
		}
	}
	return true
}

// statusFor is transport.POST's status for an operation that did not
// start: a protocol error (unparsable, invalid) is 422, or 400 under the
// GraphQL-over-HTTP media type; anything else 200.
func statusFor(errs gqlerror.List, graphqlResponse bool) int {
	switch {
	case errcode.GetErrorKind(errs) != errcode.KindProtocol:
		return http.StatusOK
	case graphqlResponse:
		return http.StatusBadRequest
	default:
		return http.StatusUnprocessableEntity
	}
}

// writeResponse writes {"data":…} without re-encoding the data when that
// is all the response holds.
func writeResponse(w http.ResponseWriter, resp *graphql.Response) {
	if len(resp.Errors) > 0 || len(resp.Extensions) > 0 || resp.Label != "" || resp.Path != nil || resp.HasNext != nil {
		b, err := json.Marshal(resp)
		if err != nil {
			panic(err) // as transport.POST: the recover middleware answers
		}
		w.Write(b)
		return
	}
	data := resp.Data
	if len(data) == 0 {
		data = []byte("null")
	}
	b := make([]byte, 0, len(data)+len(`{"data":}`))
	b = append(append(append(b, `{"data":`...), data...), '}')
	w.Write(b)
}
