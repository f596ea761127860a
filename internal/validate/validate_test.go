package validate

import (
	"errors"
	"testing"
)

func TestVIN(t *testing.T) {
	cases := []struct {
		vin string
		ok  bool
	}{
		{"1M8GDM9AXKP042788", true},  // the textbook example, check digit X
		{"11111111111111111", true},  // all ones: sum 11*... check digit 1
		{"LSVAU218XN2183294", true},  // a Chinese-market VIN
		{"1M8GDM9A1KP042788", false}, // wrong check digit
		{"1M8GDM9AXKP04278", false},  // 16 characters
		{"1M8GDM9AXKP0427888", false},
		{"IM8GDM9AXKP042788", false}, // letter I
		{"1M8GDM9AXKP04278O", false}, // letter O
		{"1M8GDM9AXKP04278Q", false}, // letter Q
		{"1m8gdm9axkp042788", false}, // not normalised
		{"", false},
		{"1M8GDM9AXKP04278!", false},
	}
	for _, c := range cases {
		err := VIN(c.vin)
		if (err == nil) != c.ok {
			t.Errorf("VIN(%q) = %v, want ok=%v", c.vin, err, c.ok)
		}
		if err != nil && !errors.Is(err, ErrVIN) {
			t.Errorf("VIN(%q) error %v does not wrap ErrVIN", c.vin, err)
		}
	}
	if got := NormalizeVIN("  1m8gdm9axkp042788 "); VIN(got) != nil {
		t.Errorf("normalised VIN %q refused", got)
	}
}

func TestNormalizePhone(t *testing.T) {
	cases := []struct {
		raw, region, want string
	}{
		{"+86 138 0013 8000", "", "+8613800138000"},
		{"138-0013-8000", "CN", "+8613800138000"},
		{"+1 (415) 555-2671", "", "+14155552671"},
		{"+49 30 901820", "", "+4930901820"},
		{"12345", "CN", ""},
		{"+86 138", "", ""},
		{"not a number", "CN", ""},
		{"", "CN", ""},
		{"+8613800138000000000000000000000000", "", ""},
	}
	for _, c := range cases {
		got, err := NormalizePhone(c.raw, c.region)
		if c.want == "" {
			if err == nil {
				t.Errorf("NormalizePhone(%q) = %q, want an error", c.raw, got)
			}
			continue
		}
		if err != nil || got != c.want {
			t.Errorf("NormalizePhone(%q, %q) = %q, %v; want %q", c.raw, c.region, got, err, c.want)
		}
	}
	if E164("+8613800138000") != nil || E164("8613800138000") == nil {
		t.Error("E164 must accept only canonical numbers")
	}
}

func TestClockAndZone(t *testing.T) {
	for s, ok := range map[string]bool{"08:30": true, "00:00": true, "24:00": true, "23:59": true, "24:01": false, "8:30": false, "12:60": false, "ab:cd": false} {
		if (ClockTime(s) == nil) != ok {
			t.Errorf("ClockTime(%q) ok=%v", s, !ok)
		}
	}
	for z, ok := range map[string]bool{"Asia/Shanghai": true, "Europe/Berlin": true, "UTC": true, "Mars/Olympus": false, "": false, "Local": false} {
		if (TimeZone(z) == nil) != ok {
			t.Errorf("TimeZone(%q) ok=%v", z, !ok)
		}
	}
}
