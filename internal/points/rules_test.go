package points

import "testing"

func TestEarned(t *testing.T) {
	def := DefaultRules()
	tenCNY := Rules{EarnCents: 1000, Referral: 100, ValueCents: 1}
	cases := []struct {
		name  string
		paid  int64
		rules Rules
		want  int
	}{
		{"nothing paid", 0, def, 0},
		{"a refund is not negative points", -5000, def, 0},
		{"under CNY 1 earns nothing", 99, def, 0},
		{"exactly CNY 1", 100, def, 1},
		{"cents are rounded down", 123456, def, 1234},
		{"a big repair", 5_000_000, def, 50_000},
		{"1 point per CNY 10: CNY 9.99", 999, tenCNY, 0},
		{"1 point per CNY 10: CNY 1,234.56", 123456, tenCNY, 123},
		{"no rate configured earns nothing", 100_00, Rules{}, 0},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if got := Earned(c.paid, c.rules); got != c.want {
				t.Fatalf("Earned(%d) = %d, want %d", c.paid, got, c.want)
			}
		})
	}
}
