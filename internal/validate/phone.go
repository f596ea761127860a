package validate

import (
	"errors"
	"strings"
	"time"

	"github.com/nyaruka/phonenumbers"
)

// ErrPhone is returned for a phone number that is not a valid, dialable number.
var ErrPhone = errors.New("invalid phone number: give it in international form, e.g. +8613800138000")

// NormalizePhone parses a phone number written by a person (spaces, dashes,
// national form) and returns it in E.164. Numbers without a country code are
// read in defaultRegion (an ISO 3166 code such as "CN"). libphonenumber's
// metadata knows each country's lengths and prefixes, which a regular
// expression cannot.
func NormalizePhone(raw, defaultRegion string) (string, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" || len(raw) > 32 {
		return "", ErrPhone
	}
	num, err := phonenumbers.Parse(raw, defaultRegion)
	if err != nil || !phonenumbers.IsValidNumber(num) {
		return "", ErrPhone
	}
	return phonenumbers.Format(num, phonenumbers.E164), nil
}

// E164 checks that a stored phone number is already in canonical E.164 form.
func E164(phone string) error {
	n, err := NormalizePhone(phone, "")
	if err != nil || n != phone {
		return ErrPhone
	}
	return nil
}

// TimeZone checks an IANA time zone name such as "Asia/Shanghai".
func TimeZone(name string) error {
	if name == "" || name == "Local" {
		return errors.New("time zone: give an IANA name such as Asia/Shanghai")
	}
	if _, err := time.LoadLocation(name); err != nil {
		return errors.New("time zone: unknown IANA name")
	}
	return nil
}

// ClockTime checks a wall-clock time written "HH:MM" (00:00-23:59, or 24:00
// for a closing time at midnight).
func ClockTime(s string) error {
	if _, err := ParseClock(s); err != nil {
		return err
	}
	return nil
}

// ParseClock returns the offset from midnight of an "HH:MM" time.
func ParseClock(s string) (time.Duration, error) {
	bad := errors.New("time of day: use HH:MM, 00:00 to 24:00")
	if len(s) != 5 || s[2] != ':' {
		return 0, bad
	}
	h, m := atoi2(s[0:2]), atoi2(s[3:5])
	if h < 0 || m < 0 || m > 59 || h > 24 || (h == 24 && m != 0) {
		return 0, bad
	}
	return time.Duration(h)*time.Hour + time.Duration(m)*time.Minute, nil
}

func atoi2(s string) int {
	if s[0] < '0' || s[0] > '9' || s[1] < '0' || s[1] > '9' {
		return -1
	}
	return int(s[0]-'0')*10 + int(s[1]-'0')
}
