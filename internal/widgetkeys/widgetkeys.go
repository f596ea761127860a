// Package widgetkeys manages stores' public keys for third-party booking
// widgets: creation, rotation, revocation, the origins each key is bound
// to, and turning a presented key into a widget viewer.
package widgetkeys

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base32"
	"encoding/hex"
	"fmt"
	"net/url"
	"strings"
	"sync"
	"time"

	"aftercare/ent"
	"aftercare/ent/widgetkey"
	"aftercare/internal/apperr"
	"aftercare/internal/auth"
)

// keyPrefix marks widget keys, so a leaked one is recognisable in a scan.
const keyPrefix = "wk_"

// maxOrigins bounds a key's origin list; a widget lives on a few sites.
const maxOrigins = 20

// Create makes a new key for a store and returns it in clear, once.
func Create(ctx context.Context, c *ent.Client, dealershipID int, name string, origins []string, createdBy int) (string, *ent.WidgetKey, error) {
	clean, err := NormalizeOrigins(origins)
	if err != nil {
		return "", nil, err
	}
	key, err := newKey()
	if err != nil {
		return "", nil, err
	}
	create := c.WidgetKey.Create().SetDealershipID(dealershipID).SetName(name).
		SetPrefix(key[:len(keyPrefix)+6]).SetKeyHash(Hash(key)).SetAllowedOrigins(clean)
	if createdBy != 0 {
		create.SetCreatedByID(createdBy)
	}
	wk, err := create.Save(ctx)
	return key, wk, err
}

// Rotate revokes a key and creates its replacement with the same name and
// origins, for a key that leaked. The old key stops working at once (and
// within CacheTTL on instances that cached it). For a planned change
// without a gap, create a second key, deploy it, then revoke the old one.
func Rotate(ctx context.Context, c *ent.Client, id int, now time.Time, rotatedBy int) (string, *ent.WidgetKey, error) {
	old, err := Revoke(ctx, c, id, now)
	if err != nil {
		return "", nil, err
	}
	return Create(ctx, c, old.DealershipID, old.Name, old.AllowedOrigins, rotatedBy)
}

// Revoke ends a key's life.
func Revoke(ctx context.Context, c *ent.Client, id int, now time.Time) (*ent.WidgetKey, error) {
	n, err := c.WidgetKey.Update().Where(widgetkey.ID(id), widgetkey.RevokedAtIsNil()).SetRevokedAt(now).Save(ctx)
	if err != nil {
		return nil, err
	}
	if n == 0 {
		if exists, _ := c.WidgetKey.Query().Where(widgetkey.ID(id)).Exist(ctx); exists {
			return nil, apperr.Conflictf("the widget key is already revoked")
		}
		return nil, apperr.NotFoundf("widget key not found")
	}
	return c.WidgetKey.Get(ctx, id)
}

// SetOrigins replaces the origins allowed to use a key.
func SetOrigins(ctx context.Context, c *ent.Client, id int, origins []string) (*ent.WidgetKey, error) {
	clean, err := NormalizeOrigins(origins)
	if err != nil {
		return nil, err
	}
	wk, err := c.WidgetKey.UpdateOneID(id).SetAllowedOrigins(clean).Save(ctx)
	if ent.IsNotFound(err) {
		return nil, apperr.NotFoundf("widget key not found")
	}
	return wk, err
}

// NormalizeOrigins checks each origin is scheme://host[:port] with http or
// https, nothing more, and returns them lower-cased without duplicates.
// There are no wildcards: each site that embeds the widget is named.
func NormalizeOrigins(origins []string) ([]string, error) {
	if len(origins) == 0 || len(origins) > maxOrigins {
		return nil, apperr.Input("allowedOrigins", fmt.Sprintf("give 1 to %d origins", maxOrigins))
	}
	seen := map[string]bool{}
	var out []string
	for _, o := range origins {
		u, err := url.Parse(strings.TrimSpace(o))
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" ||
			(u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" || u.User != nil ||
			strings.Contains(u.Host, "*") {
			return nil, apperr.Input("allowedOrigins", fmt.Sprintf("%q is not an origin such as https://www.example.com", o))
		}
		origin := strings.ToLower(u.Scheme + "://" + u.Host)
		if !seen[origin] {
			seen[origin] = true
			out = append(out, origin)
		}
	}
	return out, nil
}

// Hash is what the database keeps of a key.
func Hash(key string) string {
	sum := sha256.Sum256([]byte(key))
	return hex.EncodeToString(sum[:])
}

func newKey() (string, error) {
	var b [20]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	return keyPrefix + strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b[:])), nil
}

// Key is a verified, live widget key.
type Key struct {
	ID             int
	DealershipID   int
	DealerGroupID  int
	AllowedOrigins []string
}

// Viewer is the widget viewer a key acts as.
func (k *Key) Viewer() *auth.Viewer {
	return &auth.Viewer{Kind: auth.KindWidget, WidgetKeyID: k.ID, DealershipID: k.DealershipID, DealerGroupID: k.DealerGroupID}
}

// AllowsOrigin reports whether a browser page on origin may use the key.
func (k *Key) AllowsOrigin(origin string) bool {
	origin = strings.ToLower(origin)
	for _, o := range k.AllowedOrigins {
		if o == origin {
			return true
		}
	}
	return false
}

// CacheTTL is how long a verified key is trusted without asking the
// database again; it bounds how late a revocation takes effect.
const CacheTTL = 15 * time.Second

// Authenticator turns presented keys into Keys, caching verdicts briefly:
// every widget request (and its CORS preflight) presents the key.
type Authenticator struct {
	Client *ent.Client
	Now    func() time.Time

	mu    sync.Mutex
	cache map[string]cached
}

type cached struct {
	key     *Key // nil: no such live key
	expires time.Time
}

// Lookup returns the live key, or nil when the key is unknown or revoked.
func (a *Authenticator) Lookup(ctx context.Context, presented string) (*Key, error) {
	if !strings.HasPrefix(presented, keyPrefix) || len(presented) > 64 {
		return nil, nil
	}
	h := Hash(presented)
	now := a.Now()
	a.mu.Lock()
	if c, ok := a.cache[h]; ok && now.Before(c.expires) {
		a.mu.Unlock()
		return c.key, nil
	}
	a.mu.Unlock()
	k, err := a.load(ctx, h)
	if err != nil {
		return nil, err
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.cache == nil || len(a.cache) > 10_000 {
		a.cache = map[string]cached{} // bounded: a flood of bad keys resets it
	}
	a.cache[h] = cached{key: k, expires: now.Add(CacheTTL)}
	return k, nil
}

func (a *Authenticator) load(ctx context.Context, hash string) (*Key, error) {
	wk, err := a.Client.WidgetKey.Query().
		Where(widgetkey.KeyHash(hash), widgetkey.RevokedAtIsNil()).
		WithDealership().Only(auth.SystemContext(ctx))
	if ent.IsNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	a.touch(ctx, wk)
	return &Key{ID: wk.ID, DealershipID: wk.DealershipID, DealerGroupID: wk.Edges.Dealership.DealerGroupID,
		AllowedOrigins: wk.AllowedOrigins}, nil
}

// touch records that a key is in use, at most hourly per key, so managers
// can tell unused keys apart. It runs on cache misses only; a failure is
// not the caller's problem.
func (a *Authenticator) touch(ctx context.Context, wk *ent.WidgetKey) {
	now := a.Now()
	if wk.LastUsedAt != nil && now.Sub(*wk.LastUsedAt) < time.Hour {
		return
	}
	_ = a.Client.WidgetKey.UpdateOneID(wk.ID).SetLastUsedAt(now).Exec(auth.SystemContext(ctx))
}
