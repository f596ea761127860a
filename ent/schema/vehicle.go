package schema

import (
	"aftercare/internal/access"

	"time"

	"aftercare/internal/validate"

	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
)

// Vehicle is one car, identified by its VIN for life; its owner may change.
type Vehicle struct {
	ent.Schema
}

// Mixin of Vehicle.
func (Vehicle) Mixin() []ent.Mixin { return []ent.Mixin{TimeMixin{}, HistoryMixin{}} }

// Fields of Vehicle.
func (Vehicle) Fields() []ent.Field {
	return []ent.Field{
		field.String("vin").Unique().Immutable().Validate(validate.VIN).
			Annotations(entgql.OrderField("VIN")),
		field.String("plate").Optional().MaxLen(20),
		field.String("make").NotEmpty().MaxLen(60),
		field.String("model").NotEmpty().MaxLen(60),
		field.Int("model_year").Range(1950, 2100),
		field.Enum("fuel_type").Values("petrol", "diesel", "hybrid", "plug_in_hybrid", "electric"),
		field.String("colour").Optional().MaxLen(40),
		dateField("delivery_date", false),
		field.Int("delivery_km").Default(0).NonNegative(),
		field.Int("odometer_km").Default(0).NonNegative().
			Annotations(entgql.OrderField("ODOMETER_KM"), entgql.Skip(entgql.SkipMutationUpdateInput)).
			Comment("The latest accepted reading; changed only through recordOdometerReading."),
		dateField("warranty_end_date", true),
		field.Int("warranty_end_km").Optional().Nillable().NonNegative(),
		dateField("insurance_expiry", true),
		field.String("insurer").Optional().MaxLen(100),
		dateField("next_inspection_date", true),
		field.Int("first_service_km").Default(3000).Positive(),
		field.Int("first_service_months").Default(2).Positive(),
		field.Int("service_interval_km").Default(5000).Positive(),
		field.Int("service_interval_months").Default(6).Positive(),
		dateField("last_service_date", true,
			entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)),
		field.Int("last_service_km").Optional().Nillable().
			Annotations(entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)),
		field.Int("selling_dealership_id").Optional().Nillable(),
		field.Int("owner_id").Optional().Nillable().
			Annotations(entgql.Skip(entgql.SkipMutationUpdateInput)).
			Comment("The current owner; changes go through transferVehicle, which keeps the history."),
	}
}

// Edges of Vehicle.
func (Vehicle) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("selling_dealership", Dealership.Type).Ref("vehicles_sold").
			Field("selling_dealership_id").Unique(),
		edge.From("owner", Owner.Type).Ref("vehicles").Field("owner_id").Unique().
			Annotations(entgql.Skip(entgql.SkipMutationUpdateInput)),
		edge.To("ownerships", VehicleOwnership.Type).
			Annotations(entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)),
		edge.To("odometer_readings", OdometerReading.Type).
			Annotations(entgql.RelayConnection(), entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)),
		edge.To("appointments", Appointment.Type).
			Annotations(entgql.RelayConnection(), entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)),
		edge.To("work_orders", WorkOrder.Type).
			Annotations(entgql.RelayConnection(), entgql.Skip(entgql.SkipMutationCreateInput, entgql.SkipMutationUpdateInput)),
	}
}

// Indexes of Vehicle.
func (Vehicle) Indexes() []ent.Index {
	return []ent.Index{index.Fields("owner_id"), index.Fields("plate"), index.Fields("selling_dealership_id"),
		index.Fields("updated_at"), // the reminder sweep picks up vehicles changed since its last run
	}
}

// Annotations of Vehicle.
func (Vehicle) Annotations() []schema.Annotation {
	return []schema.Annotation{
		entgql.QueryField(),
		entgql.RelayConnection(),
		entgql.Mutations(entgql.MutationCreate(), entgql.MutationUpdate()),
	}
}

// VehicleOwnership is one period during which an owner held a vehicle.
type VehicleOwnership struct {
	ent.Schema
}

// Mixin of VehicleOwnership.
func (VehicleOwnership) Mixin() []ent.Mixin { return []ent.Mixin{TimeMixin{}, HistoryMixin{}} }

// Fields of VehicleOwnership.
func (VehicleOwnership) Fields() []ent.Field {
	return []ent.Field{
		field.Int("vehicle_id").Immutable(),
		field.Int("owner_id").Immutable(),
		field.Time("started_at").Default(time.Now).Immutable(),
		field.Time("ended_at").Optional().Nillable(),
	}
}

// Edges of VehicleOwnership.
func (VehicleOwnership) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("vehicle", Vehicle.Type).Ref("ownerships").Field("vehicle_id").Unique().Required().Immutable(),
		edge.From("owner", Owner.Type).Ref("ownerships").Field("owner_id").Unique().Required().Immutable(),
	}
}

// Indexes of VehicleOwnership.
func (VehicleOwnership) Indexes() []ent.Index {
	return []ent.Index{index.Fields("vehicle_id", "started_at"), index.Fields("owner_id")}
}

// OdometerReading is one observation of a vehicle's mileage. Readings are
// append-only: a mistaken reading is fixed by a later correction, not edited.
type OdometerReading struct {
	ent.Schema
}

// Mixin of OdometerReading.
func (OdometerReading) Mixin() []ent.Mixin { return []ent.Mixin{TimeMixin{}, HistoryMixin{}} }

// Fields of OdometerReading.
func (OdometerReading) Fields() []ent.Field {
	return []ent.Field{
		field.Int("vehicle_id").Immutable(),
		field.Int("km").NonNegative().Immutable().Annotations(entgql.OrderField("KM")),
		field.Enum("source").Values("service_visit", "owner_app", "advisor", "telematics").Immutable(),
		field.Time("recorded_at").Default(time.Now).Immutable().Annotations(entgql.OrderField("RECORDED_AT")),
		field.Bool("correction").Default(false).Immutable().
			Comment("A correction may be lower than the previous reading."),
		field.String("note").Optional().MaxLen(500).Immutable(),
	}
}

// Edges of OdometerReading.
func (OdometerReading) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("vehicle", Vehicle.Type).Ref("odometer_readings").Field("vehicle_id").Unique().Required().Immutable(),
	}
}

// Indexes of OdometerReading.
func (OdometerReading) Indexes() []ent.Index {
	return []ent.Index{index.Fields("vehicle_id", "recorded_at")}
}

// Annotations of OdometerReading.
func (OdometerReading) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.RelayConnection()}
}

// Device is an app installation that can receive push messages.
type Device struct {
	ent.Schema
}

// Mixin of Device.
func (Device) Mixin() []ent.Mixin { return []ent.Mixin{TimeMixin{}} }

// Fields of Device.
func (Device) Fields() []ent.Field {
	return []ent.Field{
		field.Int("owner_id"),
		field.String("token").NotEmpty().MaxLen(4096).Unique().Sensitive().
			Annotations(entgql.Skip(entgql.SkipAll)).
			Comment("FCM registration token; belongs to one owner at a time."),
		field.Enum("platform").Values("ios", "android", "web"),
		field.String("app_version").Optional().MaxLen(40),
		field.String("locale").Optional().MaxLen(35),
		field.Time("last_seen_at").Default(time.Now),
	}
}

// Edges of Device.
func (Device) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("owner", Owner.Type).Ref("devices").Field("owner_id").Unique().Required(),
	}
}

// Indexes of Device.
func (Device) Indexes() []ent.Index {
	return []ent.Index{index.Fields("owner_id")}
}

// Policy of Vehicle: see internal/access.
func (Vehicle) Policy() ent.Policy { return access.Policy("vehicles") }

// Policy of VehicleOwnership: see internal/access.
func (VehicleOwnership) Policy() ent.Policy { return access.Policy("vehicle_ownerships") }

// Policy of OdometerReading: see internal/access.
func (OdometerReading) Policy() ent.Policy { return access.Policy("odometer_readings") }

// Policy of Device: see internal/access.
func (Device) Policy() ent.Policy { return access.Policy("devices") }
