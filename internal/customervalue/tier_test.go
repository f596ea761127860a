package customervalue

import (
	"testing"
	"time"

	"aftercare/ent/owner"
)

func TestTier(t *testing.T) {
	now := time.Date(2027, 3, 10, 0, 0, 0, 0, time.UTC)
	r := DefaultRules()
	cases := []struct {
		name  string
		spend int64
		since time.Time
		want  owner.Tier
	}{
		{"new, little spend", 5_000_00, now.AddDate(0, -6, 0), owner.TierBasic},
		{"exactly CNY 20,000 is not over it", 20_000_00, now.AddDate(-1, 0, 0), owner.TierBasic},
		{"over CNY 20,000 a year", 20_000_01, now.AddDate(-1, 0, 0), owner.TierKey},
		{"3 years a customer today", 0, now.AddDate(-3, 0, 0), owner.TierKey},
		{"a day short of 3 years", 0, now.AddDate(-3, 0, 1), owner.TierBasic},
		{"over CNY 50,000 a year", 50_000_01, now.AddDate(0, -2, 0), owner.TierVip},
		{"long-standing and big spender", 80_000_00, now.AddDate(-10, 0, 0), owner.TierVip},
		{"unknown start, no spend", 0, time.Time{}, owner.TierBasic},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := Tier(c.spend, c.since, now, r); got != c.want {
				t.Fatalf("Tier = %s, want %s", got, c.want)
			}
		})
	}
}
