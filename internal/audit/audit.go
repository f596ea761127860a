// Package audit records who read or changed which owner's personal data.
// Reads are collected during a request and written in one statement when
// it ends; changes are written in the transaction that makes them.
package audit

import (
	"context"
	"slices"
	"sync"

	"aftercare/ent"
	"aftercare/ent/auditentry"
	"aftercare/internal/auth"
)

type recorderKey struct{}

// Recorder collects the personal-data reads of one request.
type Recorder struct {
	mu    sync.Mutex
	reads map[readKey][]string // fields read, per staff member and owner
	staff map[readKey]*auth.Viewer
}

type readKey struct {
	staffID, ownerID, groupID int
}

// NewContext returns ctx with a fresh Recorder.
func NewContext(ctx context.Context) (context.Context, *Recorder) {
	r := &Recorder{reads: map[readKey][]string{}, staff: map[readKey]*auth.Viewer{}}
	return context.WithValue(ctx, recorderKey{}, r), r
}

// ContactRead notes that the viewer read one contact field of an owner.
// Only staff reads are audited: owners reading their own data and the
// system's own work are not "someone else reading". The owner is in the
// staff member's group (scopes never cross groups), and the group is taken
// from the viewer because GraphQL field collection may not have loaded the
// owner's own group column.
func ContactRead(ctx context.Context, ownerID int, field string) {
	v := auth.FromContext(ctx)
	r, ok := ctx.Value(recorderKey{}).(*Recorder)
	if !ok || !v.IsStaff() {
		return
	}
	k := readKey{v.StaffID, ownerID, v.DealerGroupID}
	r.mu.Lock()
	defer r.mu.Unlock()
	if !slices.Contains(r.reads[k], field) {
		r.reads[k] = append(r.reads[k], field)
	}
	r.staff[k] = v
}

// Flush writes the collected reads in one bulk insert.
func (r *Recorder) Flush(ctx context.Context, c *ent.Client, requestID string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.reads) == 0 {
		return nil
	}
	builders := make([]*ent.AuditEntryCreate, 0, len(r.reads))
	for k, fields := range r.reads {
		v := r.staff[k]
		b := c.AuditEntry.Create().SetActorKind(auditentry.ActorKindStaff).SetActorStaffID(k.staffID).
			SetOwnerID(k.ownerID).SetDealerGroupID(k.groupID).SetAction(auditentry.ActionReadContact).
			SetFields(fields).SetRequestID(requestID)
		if v.DealershipID != 0 {
			b.SetDealershipID(v.DealershipID)
		}
		builders = append(builders, b)
	}
	r.reads = map[readKey][]string{}
	return c.AuditEntry.CreateBulk(builders...).Exec(auth.SystemContext(ctx))
}

// Change records, inside the caller's transaction, that the viewer changed
// or exported an owner's data.
func Change(ctx context.Context, c *ent.Client, action auditentry.Action, ownerID, groupID int, fields []string, requestID string) error {
	v := auth.FromContext(ctx)
	b := c.AuditEntry.Create().SetOwnerID(ownerID).SetDealerGroupID(groupID).SetAction(action).
		SetFields(fields).SetRequestID(requestID)
	switch {
	case v.IsStaff():
		b.SetActorKind(auditentry.ActorKindStaff).SetActorStaffID(v.StaffID)
		if v.DealershipID != 0 {
			b.SetDealershipID(v.DealershipID)
		}
	case v.IsOwner():
		b.SetActorKind(auditentry.ActorKindOwner)
	default:
		b.SetActorKind(auditentry.ActorKindSystem)
	}
	return b.Exec(auth.SystemContext(ctx))
}
