package survey

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
	"time"

	"aftercare/internal/apperr"
)

// Links signs the one-time survey links: a token names one invitation and
// an expiry, under an HMAC-SHA256 of a server secret. Whoever holds it may
// read that invitation's survey and answer it once, without signing in.
type Links struct {
	Secret []byte
}

// Token mints the token of an invitation valid until exp.
func (l Links) Token(invitationID int, exp time.Time) string {
	body := fmt.Sprintf("%d.%d", invitationID, exp.Unix())
	return body + "." + l.sign(body)
}

// Verify returns the invitation a token names, if the signature is right
// and it has not expired at now.
func (l Links) Verify(token string, now time.Time) (int, error) {
	bad := apperr.Input("token", "the survey link is invalid or has expired")
	parts := strings.Split(token, ".")
	if len(parts) != 3 || len(l.Secret) == 0 {
		return 0, bad
	}
	body := parts[0] + "." + parts[1]
	if !hmac.Equal([]byte(parts[2]), []byte(l.sign(body))) {
		return 0, bad
	}
	id, err1 := strconv.Atoi(parts[0])
	exp, err2 := strconv.ParseInt(parts[1], 10, 64)
	if err1 != nil || err2 != nil || !now.Before(time.Unix(exp, 0)) {
		return 0, bad
	}
	return id, nil
}

func (l Links) sign(body string) string {
	m := hmac.New(sha256.New, l.Secret)
	m.Write([]byte("survey-link:" + body))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}
