// Package auth turns a request's credentials into a Viewer: who is asking,
// in which role and for which store.
//
// The flow is one way: a Verifier checks a raw token (Firebase ID token, or a
// locally signed token in development) and yields an Identity built only from
// verified claims; the application's Resolver maps that Identity onto its own
// records (owner, staff) and returns a Viewer; Middleware (HTTP) and
// ViewerFromInitPayload (websockets) put the Viewer into the context, where
// privacy rules read it with FromContext.
//
// Failures fail closed: a missing viewer is anonymous, an unknown role or a
// malformed claim rejects the token, and the reason a token was rejected is
// logged but never sent to the client.
//
// Widget keys are authenticated elsewhere; this package only defines their
// viewer kind.
package auth
