package httpserver

import (
	"context"
	"net/http"

	"aftercare/internal/apperr"
	"aftercare/internal/auth"
	"aftercare/internal/widgetkeys"

	"github.com/99designs/gqlgen/graphql"
	"github.com/rs/cors"
)

// widgetRootFields are the only operations a widget key may run: its
// store, service types and free slots, and requesting a booking.
var widgetRootFields = map[string]bool{
	"me": true, "serviceTypes": true, "availableSlots": true, "requestBooking": true, "__typename": true,
}

// restrictWidgets refuses every other root field to widget viewers. The
// privacy rules would hide rows anyway; this keeps the surface small.
func restrictWidgets(ctx context.Context, next graphql.RootResolver) graphql.Marshaler {
	fc := graphql.GetRootFieldContext(ctx)
	if auth.FromContext(ctx).IsWidget() && fc != nil && !widgetRootFields[fc.Field.Name] {
		graphql.AddError(ctx, apperr.Forbiddenf("a widget key may only list service types and slots and request bookings"))
		return graphql.Null
	}
	return next(ctx)
}

// widgetEndpoint serves /widget/{key}/graphql: the key in the path (so that
// even a CORS preflight names it) selects the store and the origins that
// may call. A request from a page on another origin is refused outright,
// not only hidden from the page by the browser: a form post would
// otherwise still act.
func widgetEndpoint(keys *widgetkeys.Authenticator, gql http.Handler) http.Handler {
	c := cors.New(cors.Options{
		AllowOriginRequestFunc: func(r *http.Request, origin string) bool {
			k, _ := keys.Lookup(r.Context(), r.PathValue("key"))
			return k != nil && k.AllowsOrigin(origin)
		},
		AllowedMethods: []string{http.MethodGet, http.MethodPost, http.MethodOptions},
		AllowedHeaders: []string{"Content-Type", "X-Request-Id"},
		ExposedHeaders: []string{"X-Request-Id", "Retry-After"},
		MaxAge:         600,
	})
	return c.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		k, err := keys.Lookup(r.Context(), r.PathValue("key"))
		switch {
		case err != nil:
			writeJSON(w, http.StatusServiceUnavailable, gqlErrorBody("try again shortly", "UNAVAILABLE"))
			return
		case k == nil:
			writeJSON(w, http.StatusUnauthorized, gqlErrorBody("unknown or revoked widget key", "UNAUTHENTICATED"))
			return
		}
		if origin := r.Header.Get("Origin"); origin != "" && !k.AllowsOrigin(origin) {
			writeJSON(w, http.StatusForbidden, gqlErrorBody("this widget key is not allowed on this site", "FORBIDDEN"))
			return
		}
		gql.ServeHTTP(w, r.WithContext(auth.NewContext(r.Context(), k.Viewer())))
	}))
}
