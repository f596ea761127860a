package schema

import (
	"aftercare/internal/access"

	"time"

	"aftercare/ent/schema/schematype"

	"entgo.io/contrib/entgql"
	"entgo.io/ent"
	"entgo.io/ent/schema"
	"entgo.io/ent/schema/edge"
	"entgo.io/ent/schema/field"
	"entgo.io/ent/schema/index"
)

// serviceTypes are the kinds of visit a store offers.
var serviceTypes = []string{"first_service", "periodic_service", "repair", "inspection",
	"seasonal_check", "insurance_claim", "recall"}

// Appointment is a booked service visit.
type Appointment struct {
	ent.Schema
}

// Mixin of Appointment.
func (Appointment) Mixin() []ent.Mixin { return []ent.Mixin{TimeMixin{}, HistoryMixin{}} }

// Fields of Appointment.
func (Appointment) Fields() []ent.Field {
	return []ent.Field{
		field.String("reference").NotEmpty().MaxLen(16).Unique().Immutable().
			Comment("Short booking reference told to the customer."),
		field.Int("dealership_id").Annotations(entgql.Type("ID")).Immutable(),
		field.Int("owner_id"),
		field.Int("vehicle_id").Optional().Nillable(),
		field.Int("advisor_id").Optional().Nillable(),
		field.Enum("service_type").Values(serviceTypes...).Annotations(entgql.OrderField("SERVICE_TYPE")),
		field.Time("starts_at").Annotations(entgql.OrderField("STARTS_AT")),
		field.Time("ends_at"),
		field.Enum("status").Values("requested", "confirmed", "checked_in", "completed", "cancelled", "no_show").
			Default("requested").Annotations(entgql.OrderField("STATUS")),
		field.Enum("source").Values("app", "advisor", "widget", "phone").Immutable(),
		field.Enum("transport").Values("wait", "drop_off", "loaner", "pickup_delivery").Default("wait"),
		field.Int64("transport_price_cents").Default(0).NonNegative(),
		field.String("notes").Optional().MaxLen(2000),
		field.String("cancel_reason").Optional().MaxLen(500),
		field.Time("cancelled_at").Optional().Nillable(),
		field.Strings("pools").Optional().Immutable().Annotations(entgql.Skip(entgql.SkipAll)).
			Comment("The capacity pools the booking holds, copied from its service type."),
		field.String("vehicle_plate").Optional().MaxLen(20).Immutable().
			Comment("As given by a widget booking before the vehicle is known."),
		field.String("vehicle_vin").Optional().MaxLen(17).Immutable(),
		field.Int("widget_key_id").Optional().Nillable().Immutable().Annotations(entgql.Skip(entgql.SkipAll)),
		field.String("idempotency_key").Optional().Nillable().MaxLen(128).Immutable().
			Annotations(entgql.Skip(entgql.SkipAll)).
			Comment("Client-chosen key; a retried request returns the first booking."),
	}
}

// Edges of Appointment.
func (Appointment) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("dealership", Dealership.Type).Ref("appointments").Field("dealership_id").Unique().Required().Immutable(),
		edge.From("owner", Owner.Type).Ref("appointments").Field("owner_id").Unique().Required(),
		edge.From("vehicle", Vehicle.Type).Ref("appointments").Field("vehicle_id").Unique(),
		edge.To("advisor", Staff.Type).Field("advisor_id").Unique(),
		edge.To("work_order", WorkOrder.Type).Unique(),
	}
}

// Indexes of Appointment.
func (Appointment) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("dealership_id", "starts_at"),
		index.Fields("owner_id", "starts_at"),
		index.Fields("vehicle_id"),
		index.Fields("dealership_id", "idempotency_key").Unique(),
		index.Fields("dealership_id", "status", "starts_at"),
	}
}

// Annotations of Appointment.
func (Appointment) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.QueryField(), entgql.RelayConnection()}
}

// workOrderStatuses is the repair visit's state machine, in order.
var workOrderStatuses = []string{"checked_in", "diagnosing", "awaiting_approval", "in_repair",
	"waiting_parts", "quality_check", "ready_for_pickup", "delivered", "cancelled"}

// WorkOrder is one repair visit from check-in to delivery.
type WorkOrder struct {
	ent.Schema
}

// Mixin of WorkOrder.
func (WorkOrder) Mixin() []ent.Mixin { return []ent.Mixin{TimeMixin{}, HistoryMixin{}} }

// Fields of WorkOrder.
func (WorkOrder) Fields() []ent.Field {
	return []ent.Field{
		field.String("number").NotEmpty().MaxLen(32).Immutable().Annotations(entgql.OrderField("NUMBER")),
		field.Int("dealership_id").Annotations(entgql.Type("ID")).Immutable(),
		field.Int("vehicle_id").Immutable(),
		field.Int("owner_id").Immutable(),
		field.Int("appointment_id").Annotations(entgql.Type("ID")).Optional().Nillable().Immutable(),
		field.Int("advisor_id").Optional().Nillable(),
		field.Enum("status").Values(workOrderStatuses...).Default("checked_in").
			Annotations(entgql.OrderField("STATUS")),
		field.String("fault_description").Optional().MaxLen(4000).
			Comment("The fault in the owner's words, restated and confirmed at check-in."),
		field.Time("promised_at").Optional().Nillable(),
		field.Int("odometer_in_km").NonNegative(),
		field.Int("odometer_out_km").Optional().Nillable(),
		field.Time("opened_at").Default(time.Now).Immutable().Annotations(entgql.OrderField("OPENED_AT")),
		field.Time("delivered_at").Optional().Nillable(),
		field.Int64("labour_cents").Default(0).NonNegative(),
		field.Int64("parts_cents").Default(0).NonNegative(),
		field.Int64("total_cents").Default(0).NonNegative(),
		field.JSON("check_in", schematype.CheckIn{}).Optional().
			Annotations(entgql.Type("CheckIn"), systemSet()),
		field.Int64("estimate_cents").Default(0).NonNegative().
			Comment("The estimate confirmed with the owner at check-in."),
		field.Int("last_event_seq").Default(0).
			Comment("Sequence number of the latest WorkOrderEvent; events are numbered 1, 2, 3 per order."),
	}
}

// Edges of WorkOrder.
func (WorkOrder) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("dealership", Dealership.Type).Ref("work_orders").Field("dealership_id").Unique().Required().Immutable(),
		edge.From("vehicle", Vehicle.Type).Ref("work_orders").Field("vehicle_id").Unique().Required().Immutable(),
		edge.From("owner", Owner.Type).Ref("work_orders").Field("owner_id").Unique().Required().Immutable(),
		edge.From("appointment", Appointment.Type).Ref("work_order").Field("appointment_id").Unique().Immutable(),
		edge.To("advisor", Staff.Type).Field("advisor_id").Unique(),
		edge.To("events", WorkOrderEvent.Type).Annotations(entgql.RelayConnection()),
		edge.To("inspection_items", InspectionItem.Type),
		edge.To("photos", Photo.Type),
		edge.To("survey_responses", SurveyResponse.Type),
	}
}

// Indexes of WorkOrder.
func (WorkOrder) Indexes() []ent.Index {
	return []ent.Index{
		index.Fields("dealership_id", "number").Unique(),
		index.Fields("dealership_id", "status"),
		// The store board: a store's open orders, newest first. Open orders
		// are the recent ones, so walking this index back from now finds
		// them without reading the store's delivered history.
		index.Fields("dealership_id", "opened_at"),
		// A vehicle's or owner's orders, newest first: connections order by
		// opened_at and then id (entgql's tie-break), so with id in the index
		// the first page is read backwards off it, with no sort.
		index.Fields("vehicle_id", "opened_at", "id"),
		index.Fields("owner_id", "opened_at", "id"),
	}
}

// Annotations of WorkOrder.
func (WorkOrder) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.QueryField(), entgql.RelayConnection()}
}

// WorkOrderEvent is one step of a repair visit, shown to the owner as it happens.
type WorkOrderEvent struct {
	ent.Schema
}

// Mixin of WorkOrderEvent.
func (WorkOrderEvent) Mixin() []ent.Mixin { return []ent.Mixin{HistoryMixin{}} }

// Fields of WorkOrderEvent.
func (WorkOrderEvent) Fields() []ent.Field {
	return []ent.Field{
		field.Int("work_order_id").Annotations(entgql.Type("ID")).Immutable(),
		field.Int("seq").Positive().Immutable().Annotations(entgql.OrderField("SEQ")),
		field.Enum("from_status").Values(workOrderStatuses...).Optional().Nillable().Immutable(),
		field.Enum("to_status").Values(workOrderStatuses...).Immutable(),
		field.Int("actor_staff_id").Annotations(entgql.Type("ID")).Optional().Nillable().Immutable(),
		field.Enum("actor_kind").Values("staff", "owner", "system").Immutable(),
		field.String("message").Optional().MaxLen(2000).Immutable(),
		field.Time("promised_at").Optional().Nillable().Immutable(),
		field.Time("created_at").Default(time.Now).Immutable().Annotations(entgql.OrderField("CREATED_AT")),
	}
}

// Edges of WorkOrderEvent.
func (WorkOrderEvent) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("work_order", WorkOrder.Type).Ref("events").Field("work_order_id").Unique().Required().Immutable(),
	}
}

// Indexes of WorkOrderEvent.
func (WorkOrderEvent) Indexes() []ent.Index {
	return []ent.Index{index.Fields("work_order_id", "seq").Unique()}
}

// Annotations of WorkOrderEvent.
func (WorkOrderEvent) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.RelayConnection()}
}

// Policy of Appointment: see internal/access.
func (Appointment) Policy() ent.Policy { return access.Policy("appointments") }

// Policy of WorkOrder: see internal/access.
func (WorkOrder) Policy() ent.Policy { return access.Policy("work_orders") }

// Policy of WorkOrderEvent: see internal/access.
func (WorkOrderEvent) Policy() ent.Policy { return access.Policy("work_order_events") }

// ServiceType is a kind of visit a store offers, with its duration and the
// capacity pools it holds.
type ServiceType struct {
	ent.Schema
}

// Mixin of ServiceType.
func (ServiceType) Mixin() []ent.Mixin { return []ent.Mixin{TimeMixin{}, HistoryMixin{}} }

// Fields of ServiceType.
func (ServiceType) Fields() []ent.Field {
	return []ent.Field{
		field.Int("dealership_id").Annotations(entgql.Type("ID")).Immutable(),
		field.Enum("code").Values(serviceTypes...).Immutable(),
		field.String("name").NotEmpty().MaxLen(100),
		field.Int("duration_minutes").Range(5, 8*60),
		field.Strings("pools"),
		field.Int64("price_cents").Optional().Nillable().NonNegative(),
		field.Bool("active").Default(true),
	}
}

// Edges of ServiceType.
func (ServiceType) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("dealership", Dealership.Type).Ref("service_types").Field("dealership_id").Unique().Required().Immutable(),
	}
}

// Indexes of ServiceType.
func (ServiceType) Indexes() []ent.Index {
	return []ent.Index{index.Fields("dealership_id", "code").Unique()}
}

// Policy of ServiceType: see internal/access.
func (ServiceType) Policy() ent.Policy { return access.Policy("service_types") }

// OutboxMessage is a message to an owner waiting to be sent (push, then the
// escalation ladder). It is written in the transaction of the change that
// causes it; dedupe_key makes a retried change or a rerun sweep write it
// once.
type OutboxMessage struct {
	ent.Schema
}

// Mixin of OutboxMessage.
func (OutboxMessage) Mixin() []ent.Mixin { return []ent.Mixin{TimeMixin{}, HistoryMixin{}} }

// Fields of OutboxMessage.
func (OutboxMessage) Fields() []ent.Field {
	return []ent.Field{
		field.Int("owner_id").Immutable(),
		field.Int("dealership_id").Annotations(entgql.Type("ID")).Optional().Nillable().Immutable(),
		field.String("kind").NotEmpty().MaxLen(64).Immutable().
			Comment("booking_confirmed, booking_moved, booking_cancelled, booking_day_before, ..."),
		field.String("dedupe_key").NotEmpty().MaxLen(200).Unique().Immutable(),
		field.Enum("category").Values("service", "safety", "marketing").Default("service").Immutable(),
		field.String("title").MaxLen(200),
		field.String("body").MaxLen(2000),
		field.JSON("data", map[string]string{}).Optional().Annotations(entgql.Skip(entgql.SkipAll)).
			Comment("Push data payload: deep link and ids."),
		field.Int("appointment_id").Annotations(entgql.Type("ID")).Optional().Nillable().Immutable(),
		field.Int("work_order_id").Annotations(entgql.Type("ID")).Optional().Nillable().Immutable(),
		field.Time("send_after").Annotations(entgql.OrderField("SEND_AFTER")),
		field.Enum("status").Values("pending", "sent", "failed", "cancelled").Default("pending"),
		field.Int("attempts").Default(0),
		field.String("last_error").Optional().MaxLen(500),
		field.Time("sent_at").Optional().Nillable(),
		field.Time("claimed_until").Optional().Nillable().Annotations(entgql.Skip(entgql.SkipAll)).
			Comment("A dispatcher's lease: another instance takes the message over once it lapses."),
		field.Time("expires_at").Optional().Nillable().Immutable().
			Comment("Not sent from this moment on; the message is then cancelled as expired."),
		field.Int("reminder_id").Annotations(entgql.Type("ID")).Optional().Nillable().Immutable().
			Comment("The care-calendar reminder this message delivers; its lifecycle follows the message."),
	}
}

// Edges of OutboxMessage.
func (OutboxMessage) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("owner", Owner.Type).Ref("outbox_messages").Field("owner_id").Unique().Required().Immutable(),
	}
}

// Indexes of OutboxMessage.
func (OutboxMessage) Indexes() []ent.Index {
	return []ent.Index{index.Fields("status", "send_after"), index.Fields("owner_id", "created_at"), index.Fields("owner_id", "status", "sent_at")}
}

// Annotations of OutboxMessage.
func (OutboxMessage) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.RelayConnection()}
}

// Policy of OutboxMessage: see internal/access.
func (OutboxMessage) Policy() ent.Policy { return access.Policy("outbox_messages") }

// InspectionItem is one finding of the digital health check, with its
// estimate and the owner's decision.
type InspectionItem struct {
	ent.Schema
}

// Mixin of InspectionItem.
func (InspectionItem) Mixin() []ent.Mixin { return []ent.Mixin{TimeMixin{}, HistoryMixin{}} }

// Fields of InspectionItem.
func (InspectionItem) Fields() []ent.Field {
	return []ent.Field{
		field.Int("work_order_id").Annotations(entgql.Type("ID")).Immutable(),
		field.String("name").NotEmpty().MaxLen(200),
		field.Enum("rating").Values("fix_now", "within_3_months", "ok"),
		field.String("note").Optional().MaxLen(2000),
		field.Int64("labour_cents").Default(0).NonNegative(),
		field.Int64("parts_cents").Default(0).NonNegative(),
		field.Enum("decision").Values("pending", "approved", "declined", "not_needed").Default("pending").
			Annotations(systemSet()),
		field.Time("decided_at").Optional().Nillable().Annotations(systemSet()),
		field.Enum("decided_by").Values("owner", "staff").Optional().Nillable().Annotations(systemSet()),
		field.Int("decided_by_staff_id").Annotations(entgql.Type("ID")).Optional().Nillable().Annotations(systemSet()),
		field.String("decision_note").Optional().MaxLen(500).Annotations(systemSet()),
	}
}

// Edges of InspectionItem.
func (InspectionItem) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("work_order", WorkOrder.Type).Ref("inspection_items").Field("work_order_id").Unique().Required().Immutable(),
		edge.To("photos", Photo.Type),
	}
}

// Policy of InspectionItem: see internal/access.
func (InspectionItem) Policy() ent.Policy { return access.Policy("inspection_items") }

// Photo is an image taken during a visit (damage at check-in, an
// inspection finding), kept in the blob store.
type Photo struct {
	ent.Schema
}

// Mixin of Photo.
func (Photo) Mixin() []ent.Mixin { return []ent.Mixin{TimeMixin{}, HistoryMixin{}} }

// Fields of Photo.
func (Photo) Fields() []ent.Field {
	return []ent.Field{
		field.Int("work_order_id").Annotations(entgql.Type("ID")).Immutable(),
		field.Int("inspection_item_id").Optional().Nillable().Immutable(),
		field.Enum("kind").Values("check_in", "inspection", "repair", "delivery").Immutable(),
		field.String("content_type").NotEmpty().MaxLen(100).Immutable(),
		field.Int64("size_bytes").Positive().Immutable(),
		field.String("blob_key").NotEmpty().MaxLen(200).Unique().Immutable().Annotations(entgql.Skip(entgql.SkipAll)),
		field.Int("taken_by_staff_id").Annotations(entgql.Type("ID")).Optional().Nillable().Immutable(),
	}
}

// Edges of Photo.
func (Photo) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("work_order", WorkOrder.Type).Ref("photos").Field("work_order_id").Unique().Required().Immutable(),
		edge.From("inspection_item", InspectionItem.Type).Ref("photos").Field("inspection_item_id").Unique().Immutable(),
	}
}

// Policy of Photo: see internal/access.
func (Photo) Policy() ent.Policy { return access.Policy("photos") }

// CareTask is a person-to-person contact the care department owes an owner:
// a call when a push could not reach them, a one-to-one call after two
// unanswered reminders, then an SMS or e-mail when calls fail.
type CareTask struct {
	ent.Schema
}

// Mixin of CareTask.
func (CareTask) Mixin() []ent.Mixin { return []ent.Mixin{TimeMixin{}, HistoryMixin{}} }

// Fields of CareTask.
func (CareTask) Fields() []ent.Field {
	return []ent.Field{
		field.Int("owner_id").Immutable(),
		field.Int("dealership_id").Immutable(),
		field.Enum("channel").Values("phone", "sms", "email").Immutable(),
		field.Enum("kind").Values("push_failed", "unanswered_reminders", "service_call", "lapse").
			Default("push_failed").Immutable().Annotations(entgql.OrderField("KIND")).
			Comment("Why the task exists: a push that failed, two unanswered reminders, the call before a service, a lapsing owner."),
		field.String("dedupe_key").Optional().Nillable().MaxLen(200).Unique().Immutable().
			Annotations(entgql.Skip(entgql.SkipAll)).
			Comment("Sweeps open each task once (per reminder, per owner and month)."),
		field.Int("vehicle_id").Annotations(entgql.Type("ID")).Optional().Nillable().Immutable(),
		field.Int("reminder_id").Annotations(entgql.Type("ID")).Optional().Nillable().Immutable().
			Comment("The reminder this call follows up (a personal call before a service, two unanswered reminders)."),
		field.Enum("lapse_class").Values("local_in_warranty", "local_out_of_warranty", "non_local_in_warranty", "non_local_out_of_warranty").
			Optional().Nillable().Immutable(),
		field.String("lapse_month").Optional().MaxLen(7).Immutable().Comment("YYYY-MM of the lapse classification."),
		field.Int("days_since_visit").Optional().Nillable().Immutable(),
		field.Enum("answer_reason").Values("satisfied_will_return", "dissatisfied", "competitor_price", "car_used_less",
			"moved_away", "serviced_elsewhere", "sold_car", "other").Optional().Nillable().Annotations(systemSet()).
			Comment("What the owner said when reached (lapse and unanswered-reminder calls)."),
		field.String("elsewhere_shop").Optional().MaxLen(200).Annotations(systemSet()).
			Comment("Where the owner had the service done instead."),
		field.Int64("elsewhere_price_cents").Optional().Nillable().NonNegative().Annotations(systemSet()),
		field.String("reason").NotEmpty().MaxLen(200).Immutable().
			Comment("Why the contact is owed, e.g. the message that did not reach the owner."),
		field.Int("outbox_message_id").Optional().Nillable().Immutable().Annotations(entgql.Type("ID")),
		field.Enum("status").Values("open", "done", "failed").Default("open").
			Annotations(entgql.OrderField("STATUS"), systemSet()),
		field.Time("due_at").Annotations(entgql.OrderField("DUE_AT"), systemSet()),
		field.String("failure_reason").Optional().MaxLen(200).Annotations(systemSet()),
	}
}

// Edges of CareTask.
func (CareTask) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("owner", Owner.Type).Ref("care_tasks").Field("owner_id").Unique().Required().Immutable(),
		edge.To("attempts", ContactAttempt.Type),
	}
}

// Indexes of CareTask.
func (CareTask) Indexes() []ent.Index {
	return []ent.Index{index.Fields("dealership_id", "status", "due_at"), index.Fields("owner_id"), index.Fields("dealership_id", "kind", "lapse_month"),
		index.Fields("vehicle_id")} // a car's calls; first services done elsewhere (KPIs)
}

// Annotations of CareTask.
func (CareTask) Annotations() []schema.Annotation {
	return []schema.Annotation{entgql.RelayConnection(), entgql.QueryField()}
}

// Policy of CareTask: see internal/access.
func (CareTask) Policy() ent.Policy { return access.Policy("care_tasks") }

// ContactAttempt is one try at reaching an owner for a care task.
type ContactAttempt struct {
	ent.Schema
}

// Mixin of ContactAttempt.
func (ContactAttempt) Mixin() []ent.Mixin { return []ent.Mixin{HistoryMixin{}} }

// Fields of ContactAttempt.
func (ContactAttempt) Fields() []ent.Field {
	return []ent.Field{
		field.Int("care_task_id").Immutable(),
		field.Int("staff_id").Optional().Nillable().Immutable().Annotations(entgql.Type("ID")),
		field.Time("at").Default(time.Now).Immutable(),
		field.Enum("outcome").Values("reached", "no_answer", "busy", "wrong_number", "sent", "bounced").Immutable(),
		field.String("note").Optional().MaxLen(1000).Immutable(),
	}
}

// Edges of ContactAttempt.
func (ContactAttempt) Edges() []ent.Edge {
	return []ent.Edge{
		edge.From("care_task", CareTask.Type).Ref("attempts").Field("care_task_id").Unique().Required().Immutable(),
	}
}

// Indexes of ContactAttempt: a task's attempts; a month's calls (KPIs).
func (ContactAttempt) Indexes() []ent.Index {
	return []ent.Index{index.Fields("care_task_id"), index.Fields("at")}
}

// Policy of ContactAttempt: see internal/access.
func (ContactAttempt) Policy() ent.Policy { return access.Policy("contact_attempts") }
