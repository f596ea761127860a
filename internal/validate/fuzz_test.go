package validate

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

// Fuzz targets for the checks at the edge of the API. The seeds below and
// the corpus in testdata/fuzz run with every `go test`; run a fuzzer by
// hand with, e.g., go test ./internal/validate -run '^$' -fuzz FuzzVIN -fuzztime 60s.

// A VIN that passes is 17 allowed characters with the right check digit,
// and normalising is idempotent.
func FuzzVIN(f *testing.F) {
	for _, s := range []string{"1M8GDM9AXKP042788", " lsvau218xn2183294 ", "IM8GDM9AXKP042788", "", "1M8GDM9AXKP04278\x00", "ÅM8GDM9AXKP04278", strings.Repeat("1", 17)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		vin := NormalizeVIN(raw)
		if NormalizeVIN(vin) != vin {
			t.Fatalf("NormalizeVIN not idempotent on %q", raw)
		}
		err := VIN(vin)
		if err != nil {
			if !errors.Is(err, ErrVIN) {
				t.Fatalf("VIN(%q) error %v does not wrap ErrVIN", vin, err)
			}
			return
		}
		if len(vin) != 17 || strings.ContainsAny(vin, "IOQ") {
			t.Fatalf("VIN(%q) accepted a malformed VIN", vin)
		}
		for _, c := range []byte(vin) {
			if !(c >= '0' && c <= '9' || c >= 'A' && c <= 'Z') {
				t.Fatalf("VIN(%q) accepted byte %q", vin, c)
			}
		}
		if d, _ := VINCheckDigit(vin); vin[8] != d {
			t.Fatalf("VIN(%q) accepted a wrong check digit", vin)
		}
	})
}

// A phone number that normalises comes out in E.164, and normalising it
// again changes nothing (so the unique index sees one form per number).
func FuzzPhone(f *testing.F) {
	for _, s := range []string{"+8613800138000", "138 0013 8000", "(021) 6888-8888", "+1 650 253 0000", "", "+", "++86", "+86 138\x00", strings.Repeat("9", 40), "tel:+8613800138000", "+861380013800０"} {
		f.Add(s, "CN")
	}
	f.Add("650 253 0000", "US")
	f.Add("0", "ZZ")
	f.Fuzz(func(t *testing.T, raw, region string) {
		out, err := NormalizePhone(raw, region)
		if err != nil {
			if err != ErrPhone {
				t.Fatalf("NormalizePhone(%q, %q): unexpected error %v", raw, region, err)
			}
			return
		}
		if !strings.HasPrefix(out, "+") || len(out) > 16 || strings.Trim(out[1:], "0123456789") != "" {
			t.Fatalf("NormalizePhone(%q, %q) = %q, not E.164", raw, region, out)
		}
		if again, err := NormalizePhone(out, ""); err != nil || again != out {
			t.Fatalf("NormalizePhone(%q) = %q, %v; want it unchanged", out, again, err)
		}
		if E164(out) != nil {
			t.Fatalf("E164(%q) refuses a normalised number", out)
		}
	})
}

// A clock time that parses is within the day and prints back as given.
func FuzzParseClock(f *testing.F) {
	for _, s := range []string{"09:30", "24:00", "24:01", "23:60", "-1:00", "9:30", "0a:00", "", "12:3\u00e9"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := ParseClock(s)
		if err != nil {
			return
		}
		if d < 0 || d.Hours() > 24 {
			t.Fatalf("ParseClock(%q) = %v, outside the day", s, d)
		}
		if back := fmt.Sprintf("%02d:%02d", int(d.Hours()), int(d.Minutes())%60); back != s {
			t.Fatalf("ParseClock(%q) = %v, prints as %q", s, d, back)
		}
	})
}
