// Package validate checks the inputs that arrive at the edge of the API:
// VINs, phone numbers, time zones and clock times. Each check returns an
// error whose text is safe to show to the client that sent the value.
package validate

import (
	"errors"
	"strings"
)

// ErrVIN is returned, wrapped with the reason, for any VIN that fails ISO 3779.
var ErrVIN = errors.New("invalid VIN")

// vinValues are the ISO 3779 transliteration values; I, O and Q are absent
// because they are never used in a VIN (they read as 1 and 0).
var vinValues = map[byte]int{
	'A': 1, 'B': 2, 'C': 3, 'D': 4, 'E': 5, 'F': 6, 'G': 7, 'H': 8,
	'J': 1, 'K': 2, 'L': 3, 'M': 4, 'N': 5, 'P': 7, 'R': 9,
	'S': 2, 'T': 3, 'U': 4, 'V': 5, 'W': 6, 'X': 7, 'Y': 8, 'Z': 9,
}

var vinWeights = [17]int{8, 7, 6, 5, 4, 3, 2, 10, 0, 9, 8, 7, 6, 5, 4, 3, 2}

// NormalizeVIN upper-cases a VIN and strips surrounding white space.
func NormalizeVIN(vin string) string {
	return strings.ToUpper(strings.TrimSpace(vin))
}

// VIN checks a normalised VIN: 17 characters, no I, O or Q, and a correct
// check digit in position 9. The check digit is mandatory in North America
// and China (GB 16735), the markets this product serves.
func VIN(vin string) error {
	if len(vin) != 17 {
		return errors.Join(ErrVIN, errors.New("a VIN has 17 characters"))
	}
	want, ok := VINCheckDigit(vin)
	if !ok {
		return errors.Join(ErrVIN, errors.New("a VIN uses only digits and the letters A-Z without I, O and Q"))
	}
	if vin[8] != want {
		return errors.Join(ErrVIN, errors.New("the check digit (9th character) does not match"))
	}
	return nil
}

// VINCheckDigit computes the check digit of a 17-character VIN (its own 9th
// character is ignored). ok is false when a character is not allowed.
func VINCheckDigit(vin string) (digit byte, ok bool) {
	if len(vin) != 17 {
		return 0, false
	}
	sum := 0
	for i := 0; i < 17; i++ {
		v, ok := vinCharValue(vin[i])
		if !ok {
			return 0, false
		}
		sum += v * vinWeights[i]
	}
	if sum%11 == 10 {
		return 'X', true
	}
	return byte('0' + sum%11), true
}

func vinCharValue(c byte) (int, bool) {
	if c >= '0' && c <= '9' {
		return int(c - '0'), true
	}
	v, ok := vinValues[c]
	return v, ok
}
