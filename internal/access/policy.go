package access

import (
	"context"
	"slices"

	"aftercare/ent"
	"aftercare/ent/appointment"
	"aftercare/ent/dealership"
	"aftercare/ent/owner"
	"aftercare/ent/privacy"
	"aftercare/ent/vehicle"
	"aftercare/ent/workorder"
	"aftercare/internal/auth"
)

// Policy is the privacy policy of the entity stored in table. Every schema's
// Policy method returns it, so the whole model follows one set of rules.
func Policy(table string) ent.Policy {
	return privacy.Policy{
		Query: privacy.QueryPolicy{
			allowSystem(),
			readFilter(table),
		},
		Mutation: privacy.MutationPolicy{
			allowSystem(),
			writeRoles(table),
			ownerFieldLimit(table),
			writeFilter(table),
			referenceScope(),
			privacy.AlwaysAllowRule(),
		},
	}
}

// allowSystem lets background jobs through; they run with an explicit
// system viewer (auth.SystemContext), never by skipping checks.
func allowSystem() privacy.QueryMutationRule {
	return privacy.ContextQueryMutationRule(func(ctx context.Context) error {
		if auth.FromContext(ctx).IsSystem() {
			return privacy.Allow
		}
		return privacy.Skip
	})
}

// readFilter narrows every read to the viewer's scope. A viewer without any
// scope on the table gets an empty result, so a hidden row looks not found.
func readFilter(table string) privacy.QueryRule {
	return privacy.FilterFunc(func(ctx context.Context, f privacy.Filter) error {
		p, ok := scope(auth.FromContext(ctx), table)
		if !ok {
			p = nothing
		}
		f.Where(p)
		return privacy.Allow
	})
}

// writeFilter narrows updates (and deletes, which hooks refuse anyway) to the
// rows the viewer can see.
func writeFilter(table string) privacy.MutationRule {
	filter := privacy.FilterFunc(func(ctx context.Context, f privacy.Filter) error {
		p, ok := writeScope(auth.FromContext(ctx), table)
		if !ok {
			return privacy.Denyf("no access to %s", table)
		}
		f.Where(p)
		return privacy.Skip
	})
	return privacy.MutationRuleFunc(func(ctx context.Context, m ent.Mutation) error {
		if m.Op().Is(ent.OpCreate) {
			return privacy.Skip
		}
		return filter.EvalMutation(ctx, m)
	})
}

// Roles that keep the store's customer records.
var customerCare = []auth.Role{auth.RoleAdvisor, auth.RoleCareAgent, auth.RoleCareManager,
	auth.RoleServiceManager, auth.RoleGeneralManager, auth.RoleGroupAdmin}

var workshop = []auth.Role{auth.RoleAdvisor, auth.RoleTechnician, auth.RoleServiceManager,
	auth.RoleGeneralManager, auth.RoleGroupAdmin}

var managers = []auth.Role{auth.RoleServiceManager, auth.RoleGeneralManager, auth.RoleGroupAdmin}

// Operations owners may perform on their own rows.
const (
	ownerUpdates = ent.OpUpdate | ent.OpUpdateOne
	ownerCreates = ent.OpCreate
	ownerWrites  = ownerUpdates | ownerCreates
)

// writers says who may write each table at all (owners: which operations);
// the scopes then say which rows.
var writers = map[string]struct {
	owner ent.Op
	roles []auth.Role
	// creators, when set, narrows who may create rows to these roles.
	creators []auth.Role
}{
	tDealerGroups:    {roles: []auth.Role{auth.RoleGroupAdmin}},
	tDealerships:     {roles: managers, creators: []auth.Role{auth.RoleGroupAdmin}},
	tStaff:           {roles: managers},
	tOwners:          {owner: ownerUpdates, roles: customerCare},
	tVehicles:        {owner: ownerUpdates, roles: customerCare},
	tOwnerships:      {roles: customerCare},
	tOdometer:        {owner: ownerCreates, roles: workshop},
	tDevices:         {owner: ownerWrites | ent.OpDeleteOne | ent.OpDelete},
	tAppointments:    {owner: ownerWrites, roles: customerCare},
	tWorkOrders:      {roles: workshop},
	tWorkOrderEvents: {roles: workshop},
	tSurveyTemplates: {roles: []auth.Role{auth.RoleCareManager, auth.RoleGeneralManager, auth.RoleGroupAdmin}},
	tWidgetKeys:      {roles: managers},
	tServiceTypes:    {roles: managers},
	tInspection:      {owner: ownerUpdates, roles: workshop},
	tPhotos:          {roles: workshop},
	tCareTasks:       {roles: careRoles},
	tContactAttempts: {roles: careRoles},
	// Owners file complaints and staff log them; every later step is
	// written by internal/complaint in the system's name, after its own
	// role check. Invitations and steps are written by the system only.
	tComplaints: {owner: ownerCreates, roles: customerCare},
	// Outbox messages, survey responses and invitations are written by the
	// domain in the system's name (a survey link needs no sign-in).
	// Audit entries are written by the system only. Point entries are
	// written by internal/points in the system's name, after its own role
	// and store checks (a ledger line is never written by a client).
}

// systemCreates are tables whose rows only the platform creates: a new
// dealer group is an onboarding step, not something a group does itself.
var systemCreates = map[string]bool{tDealerGroups: true}

func writeRoles(table string) privacy.MutationRule {
	w := writers[table]
	return privacy.MutationRuleFunc(func(ctx context.Context, m ent.Mutation) error {
		v := auth.FromContext(ctx)
		switch {
		case systemCreates[table] && m.Op().Is(ent.OpCreate):
			return privacy.Denyf("only the platform creates %s", table)
		case w.creators != nil && m.Op().Is(ent.OpCreate) && !v.HasRole(w.creators...):
			return privacy.Denyf("%s may not create %s", v.Kind, table)
		case v.IsOwner() && v.OwnerID != 0 && w.owner&m.Op() != 0:
			return privacy.Skip
		case v.HasRole(w.roles...):
			return privacy.Skip
		}
		return privacy.Denyf("%s may not change %s", v.Kind, table)
	})
}

// ownerEditable lists what an owner may change on rows they own; the rest
// (tier, store, group, odometer) belongs to the dealership.
var ownerEditable = map[string][]string{
	tOwners: {"name", "email", "birthday", "preferred_channels", "consent_service", "consent_service_at",
		"consent_marketing", "consent_marketing_at", "quiet_hours_start", "quiet_hours_end", "time_zone", "locale"},
	tVehicles:   {"plate", "colour", "insurance_expiry", "insurer", "next_inspection_date"},
	tInspection: {"decision", "decided_at", "decided_by", "decision_note"},
}

func ownerFieldLimit(table string) privacy.MutationRule {
	allowed, limited := ownerEditable[table]
	return privacy.MutationRuleFunc(func(ctx context.Context, m ent.Mutation) error {
		if !limited || !auth.FromContext(ctx).IsOwner() || m.Op().Is(ent.OpCreate) {
			return privacy.Skip
		}
		for _, f := range m.Fields() {
			if f != "updated_at" && !slices.Contains(allowed, f) {
				return privacy.Denyf("an owner may not change %s", f)
			}
		}
		return privacy.Skip
	})
}

// referenceScope checks that the rows a write points at (its store, group,
// owner, vehicle, work order) are in the viewer's scope: a create carries no
// WHERE clause that a filter could narrow.
func referenceScope() privacy.MutationRule {
	return privacy.MutationRuleFunc(func(ctx context.Context, m ent.Mutation) error {
		v := auth.FromContext(ctx)
		c, ok := m.(interface{ Client() *ent.Client })
		if !ok {
			return privacy.Denyf("unknown mutation %T", m)
		}
		for _, ref := range references {
			val, set := m.Field(ref.field)
			if !set {
				continue
			}
			id, _ := val.(int)
			visible, err := ref.visible(ctx, c.Client(), v, id)
			if err != nil {
				return err
			}
			if !visible {
				return privacy.Denyf("%s %d is outside the viewer's scope", ref.field, id)
			}
		}
		return privacy.Skip
	})
}

type reference struct {
	field   string
	visible func(ctx context.Context, c *ent.Client, v *auth.Viewer, id int) (bool, error)
}

var references = []reference{
	{"dealer_group_id", func(_ context.Context, _ *ent.Client, v *auth.Viewer, id int) (bool, error) {
		return id == v.DealerGroupID, nil
	}},
	{"dealership_id", storeVisible},
	{"home_dealership_id", storeVisible},
	{"selling_dealership_id", storeVisible},
	{"owner_id", func(ctx context.Context, c *ent.Client, v *auth.Viewer, id int) (bool, error) {
		if v.IsOwner() {
			return id == v.OwnerID, nil
		}
		return c.Owner.Query().Where(owner.ID(id)).Exist(ctx)
	}},
	{"vehicle_id", func(ctx context.Context, c *ent.Client, _ *auth.Viewer, id int) (bool, error) {
		return c.Vehicle.Query().Where(vehicle.ID(id)).Exist(ctx)
	}},
	{"work_order_id", func(ctx context.Context, c *ent.Client, _ *auth.Viewer, id int) (bool, error) {
		return c.WorkOrder.Query().Where(workorder.ID(id)).Exist(ctx)
	}},
	{"appointment_id", func(ctx context.Context, c *ent.Client, _ *auth.Viewer, id int) (bool, error) {
		return c.Appointment.Query().Where(appointment.ID(id)).Exist(ctx)
	}},
}

// storeVisible: staff write only to their own store (group admins to any
// store of their group); owners may reference any store of their group.
func storeVisible(ctx context.Context, c *ent.Client, v *auth.Viewer, id int) (bool, error) {
	if v.IsStaff() && v.Role != auth.RoleGroupAdmin {
		return id == v.DealershipID, nil
	}
	return c.Dealership.Query().Where(dealership.ID(id), dealership.DealerGroupID(v.DealerGroupID)).Exist(ctx)
}
