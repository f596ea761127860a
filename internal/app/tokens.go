package app

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"aftercare/ent"
	"aftercare/ent/owner"
	"aftercare/ent/staff"
	"aftercare/internal/auth"
)

// DevTokenTTL is how long a printed development token lasts.
const DevTokenTTL = 7 * 24 * time.Hour

// OwnerToken mints a development token for the owner with this phone number
// (E.164) or id, linking the record to a local uid if it has none.
func (a *App) OwnerToken(ctx context.Context, phoneOrID string) (string, error) {
	if a.Signer == nil {
		return "", fmt.Errorf("the local token signer is off (APP_ENV=production)")
	}
	ctx = auth.SystemContext(ctx)
	q := a.DB.Client.Owner.Query()
	// An id is all digits; a phone number starts with "+" (Atoi would take it).
	if id, err := strconv.Atoi(phoneOrID); err == nil && !strings.HasPrefix(phoneOrID, "+") {
		q = q.Where(owner.ID(id))
	} else {
		q = q.Where(owner.Phone(phoneOrID))
	}
	o, err := q.First(ctx)
	if err != nil {
		return "", fmt.Errorf("find owner %s: %w", phoneOrID, err)
	}
	uid, err := a.ensureOwnerUID(ctx, o)
	if err != nil {
		return "", err
	}
	return a.Signer.Sign(auth.Identity{UID: uid, Phone: deref(o.Phone), Provider: auth.ProviderLocal}, DevTokenTTL)
}

func (a *App) ensureOwnerUID(ctx context.Context, o *ent.Owner) (string, error) {
	if o.AuthUID != nil {
		return *o.AuthUID, nil
	}
	uid := fmt.Sprintf("local-owner-%d", o.ID)
	return uid, a.DB.Client.Owner.UpdateOne(o).SetAuthUID(uid).Exec(ctx)
}

// StaffToken mints a development token for the staff member with this e-mail.
func (a *App) StaffToken(ctx context.Context, email string) (string, error) {
	if a.Signer == nil {
		return "", fmt.Errorf("the local token signer is off (APP_ENV=production)")
	}
	ctx = auth.SystemContext(ctx)
	s, err := a.DB.Client.Staff.Query().Where(staff.Email(email)).Only(ctx)
	if err != nil {
		return "", fmt.Errorf("find staff %s: %w", email, err)
	}
	uid := fmt.Sprintf("local-staff-%d", s.ID)
	if s.AuthUID == nil {
		if err := a.DB.Client.Staff.UpdateOne(s).SetAuthUID(uid).Exec(ctx); err != nil {
			return "", err
		}
	} else {
		uid = *s.AuthUID
	}
	id := auth.Identity{UID: uid, Email: s.Email, Role: auth.Role(s.Role), DealerGroupID: s.DealerGroupID, Provider: auth.ProviderLocal}
	if s.DealershipID != nil {
		id.DealershipID = *s.DealershipID
	}
	return a.Signer.Sign(id, DevTokenTTL)
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
