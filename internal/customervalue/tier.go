// Package customervalue keeps each owner's tier (basic, key, VIP), which
// booking reads for perks (free pick-up within the store's radius). The
// tier follows the owner's spend over the last 12 months and how long they
// have been a customer; it is recomputed when a work order is delivered
// and every night, for everyone, in batches.
package customervalue

import (
	"time"

	"aftercare/ent/owner"
)

// Rules are the tier thresholds. DOMAIN.md: key or VIP for a yearly spend
// over CNY 20,000 or a customer for 3+ years. It does not say where VIP
// starts; VIPSpendCents is our default, set per deployment.
type Rules struct {
	KeySpendCents int64 // yearly spend over this makes a key customer
	KeyYears      int   // ... as does being a customer this many years
	VIPSpendCents int64 // yearly spend over this makes a VIP
}

// DefaultRules: key over CNY 20,000 a year or 3 years a customer; VIP over
// CNY 50,000 a year.
func DefaultRules() Rules {
	return Rules{KeySpendCents: 20_000_00, KeyYears: 3, VIPSpendCents: 50_000_00}
}

// Tier is the owner's tier from their spend in the 12 months before now
// and the day they became a customer (zero: unknown).
func Tier(spend12m int64, since, now time.Time, r Rules) owner.Tier {
	switch {
	case spend12m > r.VIPSpendCents:
		return owner.TierVip
	case spend12m > r.KeySpendCents:
		return owner.TierKey
	case !since.IsZero() && !since.AddDate(r.KeyYears, 0, 0).After(now):
		return owner.TierKey
	}
	return owner.TierBasic
}
