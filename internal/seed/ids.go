package seed

import (
	"fmt"

	"aftercare/internal/validate"
)

// vinChars are the characters a VIN may use (no I, O, Q).
const vinChars = "0123456789ABCDEFGHJKLMNPRSTUVWXYZ"

// makeVIN builds a valid VIN whose serial part encodes n, so seeded VINs are
// unique and pass the check-digit test like real ones.
func makeVIN(wmi string, n int) string {
	b := []byte(wmi + "AU2180" + "N" + "0000000")
	b[9] = vinChars[10+n%20] // model-year position: a letter
	for i, k := 16, n; i >= 10; i, k = i-1, k/33 {
		b[i] = vinChars[k%33]
	}
	d, _ := validate.VINCheckDigit(string(b))
	b[8] = d
	return string(b)
}

// makePhone returns a valid, unique Chinese mobile number for n.
func makePhone(n int) string {
	return fmt.Sprintf("+86139%08d", n)
}

// VIN is a valid VIN numbered n, for tests that register their own cars.
func VIN(wmi string, n int) string { return makeVIN(wmi, n) }
