package progress

import (
	"encoding/json"

	"aftercare/internal/pglisten"
)

// Listener relays other instances' work-order events from PostgreSQL to the
// hub. After the session reconnects it wakes every subscriber, which re-reads
// from the database whatever it missed.
func Listener(hub *Hub) pglisten.Channel {
	return pglisten.Channel{
		Name: Channel,
		Notify: func(payload string) {
			var e Event
			if json.Unmarshal([]byte(payload), &e) == nil {
				hub.Dispatch(e)
			}
		},
		Listening: hub.WakeAll,
	}
}
