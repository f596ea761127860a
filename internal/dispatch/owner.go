package dispatch

import (
	"time"

	"aftercare/ent"
	"aftercare/internal/notify"
	"aftercare/internal/validate"
)

// quietHours are the owner's (default 21:00-09:00).
func quietHours(o *ent.Owner) notify.QuietHours {
	start, err1 := validate.ParseClock(o.QuietHoursStart)
	end, err2 := validate.ParseClock(o.QuietHoursEnd)
	if err1 != nil || err2 != nil {
		return notify.DefaultQuietHours
	}
	return notify.QuietHours{Start: start, End: end}
}

// ownerZone is the owner's own time zone, else China Standard Time, the
// stores' zone (the owner's home store would be the finer default).
func ownerZone(o *ent.Owner) *time.Location {
	if loc, err := time.LoadLocation(o.TimeZone); err == nil && o.TimeZone != "" {
		return loc
	}
	if loc, err := time.LoadLocation("Asia/Shanghai"); err == nil {
		return loc
	}
	return time.FixedZone("CST", 8*3600)
}
