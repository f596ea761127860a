package httpserver

import (
	"net/http"
	"sync/atomic"
	"time"

	"github.com/99designs/gqlgen/graphql/handler/transport"
)

// Close codes the GraphQL websocket clients act on.
const (
	// closeServiceRestart (RFC 6455 1012) tells clients such as graphql-ws
	// to reconnect with backoff, to another instance; a plain 1000 would make
	// them reconnect at once, into a server that is going away.
	closeServiceRestart = 1012
)

// restartAware closes every websocket with 1012 "service restart" once
// draining is set (SIGTERM), instead of gqlgen's 1000 "terminated".
type restartAware struct {
	inner    transport.WebsocketImplementation
	draining *atomic.Bool
}

func (r restartAware) Accept(w http.ResponseWriter, req *http.Request, opts transport.WebsocketAcceptOptions) (transport.WebsocketConn, error) {
	c, err := r.inner.Accept(w, req, opts)
	if err != nil {
		return nil, err
	}
	return &restartConn{WebsocketConn: c, draining: r.draining}, nil
}

type restartConn struct {
	transport.WebsocketConn
	draining *atomic.Bool
}

func (c *restartConn) WriteClose(code int, msg string) error {
	if c.draining.Load() && code == transport.WebsocketCloseNormalClosure {
		code, msg = closeServiceRestart, "service restart"
	}
	return c.WebsocketConn.WriteClose(code, msg)
}

// SetReadLimit and SetReadDeadline pass gqlgen's optional limits through.
func (c *restartConn) SetReadLimit(limit int64) {
	if l, ok := c.WebsocketConn.(transport.WebsocketReadLimiter); ok {
		l.SetReadLimit(limit)
	}
}

func (c *restartConn) SetReadDeadline(t time.Time) error {
	if d, ok := c.WebsocketConn.(transport.WebsocketReadDeadliner); ok {
		return d.SetReadDeadline(t)
	}
	return nil
}
