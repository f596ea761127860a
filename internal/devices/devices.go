// Package devices registers the owner app's installations for push
// messages. A registration token belongs to one owner at a time: a phone
// that changes hands (or accounts) moves its token to whoever signed in.
package devices

import (
	"context"
	"time"

	"aftercare/ent"
	"aftercare/ent/device"
	"aftercare/internal/apperr"
	"aftercare/internal/auth"
)

// Register records the caller's installation, or refreshes it.
func Register(ctx context.Context, c *ent.Client, token string, platform device.Platform, appVersion, locale string, now time.Time) (*ent.Device, error) {
	v := auth.FromContext(ctx)
	if !v.IsOwner() || v.OwnerID == 0 {
		return nil, apperr.Forbiddenf("only a signed-in owner registers a device")
	}
	if len(token) < 20 || len(token) > 4096 {
		return nil, apperr.Input("token", "not an FCM registration token")
	}
	// The token may be registered to someone else, whose row the caller
	// cannot see: the system moves it, having checked who is asking.
	err := c.Device.Create().SetOwnerID(v.OwnerID).SetToken(token).SetPlatform(platform).
		SetAppVersion(appVersion).SetLocale(locale).SetLastSeenAt(now).
		OnConflictColumns(device.FieldToken).
		Update(func(u *ent.DeviceUpsert) {
			u.SetOwnerID(v.OwnerID).SetPlatform(platform).SetAppVersion(appVersion).SetLocale(locale).
				SetLastSeenAt(now).SetUpdatedAt(now)
		}).Exec(auth.SystemContext(ctx))
	if err != nil {
		return nil, err
	}
	return c.Device.Query().Where(device.Token(token)).Only(ctx)
}

// Unregister forgets the caller's installation. Unknown tokens are not an
// error: signing out twice is fine.
func Unregister(ctx context.Context, c *ent.Client, token string) error {
	_, err := c.Device.Delete().Where(device.Token(token)).Exec(ctx)
	return err
}
