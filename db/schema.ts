import { sql } from "drizzle-orm";
import { index, integer, primaryKey, real, sqliteTable, text, uniqueIndex, type AnySQLiteColumn } from "drizzle-orm/sqlite-core";
import { ROLES } from "../app/domain/access/policy";
import { DEPARTMENT_LEVELS } from "../app/domain/catalog/departments";
import { ITEM_STATUSES } from "../app/domain/clock/types";
import { ESCALATION_LEVELS } from "../app/domain/escalation/policy";
import { ITEM_KINDS, LIMIT_UNITS } from "../app/domain/item/vocabulary";
import { MATERIAL_STATUSES } from "../app/domain/material/vocabulary";
import { ACTION_SOURCES, ACTION_STATUSES, AGENDA_REASONS, MEETING_STATUSES, MEETING_TYPES } from "../app/domain/meeting/vocabulary";
import { PROJECT_LEVELS, PROJECT_STATUSES } from "../app/domain/project/types";

/**
 * The source of truth (DESIGN §2). Business dates are TEXT `YYYY-MM-DD`
 * (Asia/Shanghai); instants are INTEGER ms since epoch in UTC. Enum tuples
 * are defined once in app/domain and imported here; drizzle's `enum` types the
 * columns, and the services validate with zod before writing.
 */

const now = sql`(unixepoch('subsec') * 1000)`;
const createdAt = () => integer("created_at", { mode: "number" }).notNull().default(now);

export const departments = sqliteTable("departments", {
  id: integer("id").primaryKey({ autoIncrement: true }),
  code: text("code").notNull().unique(),
  name: text("name").notNull(),
  level: text("level", { enum: DEPARTMENT_LEVELS }).notNull().default("city"),
  vertical: integer("vertical", { mode: "boolean" }).notNull().default(false),
  contactName: text("contact_name"),
  contactPhone: text("contact_phone"),
  /** Deactivated departments are kept (items reference them) but offered for nothing new. */
  active: integer("active", { mode: "boolean" }).notNull().default(true),
  createdAt: createdAt(),
});

export const enterprises = sqliteTable("enterprises", {
  id: integer("id").primaryKey({ autoIncrement: true }),
  name: text("name").notNull(),
  creditCode: text("credit_code").notNull().unique(),
  contactName: text("contact_name"),
  contactPhone: text("contact_phone"),
  createdAt: createdAt(),
});

export const users = sqliteTable(
  "users",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    login: text("login").notNull().unique(),
    displayName: text("display_name").notNull(),
    passwordHash: text("password_hash").notNull(),
    role: text("role", { enum: ROLES }).notNull(),
    departmentId: integer("department_id").references(() => departments.id),
    enterpriseId: integer("enterprise_id").references(() => enterprises.id),
    /** Department leaders receive red and leader-level escalations for their department. */
    isDepartmentLeader: integer("is_department_leader", { mode: "boolean" }).notNull().default(false),
    email: text("email"),
    phone: text("phone"),
    active: integer("active", { mode: "boolean" }).notNull().default(true),
    /** Set when an administrator issues a one-time password: the user chooses a new one at next sign-in. */
    mustChangePassword: integer("must_change_password", { mode: "boolean" }).notNull().default(false),
    /** sha256 of the user's calendar feed token (/calendar.ics?token=…); null when none or revoked. */
    calendarTokenHash: text("calendar_token_hash"),
    createdAt: createdAt(),
  },
  (t) => [
    index("users_department_idx").on(t.departmentId),
    index("users_enterprise_idx").on(t.enterpriseId),
    // The calendar feed looks a user up by this hash on every poll.
    index("users_calendar_token_idx").on(t.calendarTokenHash),
  ],
);

export const projects = sqliteTable(
  "projects",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    code: text("code").notNull().unique(),
    name: text("name").notNull(),
    enterpriseId: integer("enterprise_id")
      .notNull()
      .references(() => enterprises.id),
    investment: real("investment").notNull().default(0),
    industry: text("industry").notNull().default(""),
    location: text("location").notNull().default(""),
    templateKey: text("template_key").notNull(),
    templateVersion: integer("template_version").notNull().default(1),
    level: text("level", { enum: PROJECT_LEVELS }).notNull().default("city"),
    signedOn: text("signed_on").notNull(),
    targetStartOn: text("target_start_on").notNull(),
    status: text("status", { enum: PROJECT_STATUSES }).notNull().default("active"),
    /** Set when the project is closed by hand (开工 recorded or withdrawn): the date and why. */
    closedOn: text("closed_on"),
    closeReason: text("close_reason"),
    /** Last business date with a clock event or logged contact; drives stall detection. */
    lastProgressOn: text("last_progress_on"),
    /** Optimistic-concurrency counter: bumped by every write to the project or its items. */
    version: integer("version").notNull().default(1),
    createdAt: createdAt(),
    updatedAt: integer("updated_at", { mode: "number" }).notNull().default(now),
  },
  (t) => [index("projects_enterprise_idx").on(t.enterpriseId), index("projects_status_idx").on(t.status)],
);

export const projectProxies = sqliteTable(
  "project_proxies",
  {
    projectId: integer("project_id")
      .notNull()
      .references(() => projects.id, { onDelete: "cascade" }),
    userId: integer("user_id")
      .notNull()
      .references(() => users.id),
  },
  (t) => [primaryKey({ columns: [t.projectId, t.userId] }), index("project_proxies_user_idx").on(t.userId)],
);

/** DESIGN §4: a new 开工 target needs a reason; the plan's history is never overwritten silently. */
export const timetableChanges = sqliteTable(
  "timetable_changes",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    projectId: integer("project_id")
      .notNull()
      .references(() => projects.id, { onDelete: "cascade" }),
    fromOn: text("from_on").notNull(),
    toOn: text("to_on").notNull(),
    reason: text("reason").notNull(),
    byUserId: integer("by_user_id").references(() => users.id),
    at: integer("at", { mode: "number" }).notNull(),
  },
  (t) => [index("timetable_changes_project_idx").on(t.projectId)],
);

/**
 * Template versions imported by administrators (the shipped ones are the files in
 * templates/). A project keeps the key and version it was created from; the newest
 * version of a key applies to new projects.
 */
export const templateVersions = sqliteTable(
  "template_versions",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    key: text("key").notNull(),
    version: integer("version").notNull(),
    name: text("name").notNull(),
    /** The validated template as JSON (DESIGN §5 shape). */
    body: text("body").notNull(),
    createdByUserId: integer("created_by_user_id").references(() => users.id),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex("template_versions_key_version_uq").on(t.key, t.version)],
);

/** An Excel ledger import: the file (by content hash), its preview and the worker's progress and report. */
export const importJobs = sqliteTable("import_jobs", {
  id: integer("id").primaryKey({ autoIncrement: true }),
  fileName: text("file_name").notNull(),
  sha256: text("sha256").notNull(),
  status: text("status", { enum: ["previewed", "queued", "running", "done", "failed"] }).notNull().default("previewed"),
  total: integer("total").notNull().default(0),
  processed: integer("processed").notNull().default(0),
  /** JSON: the preview (rows with their problems) and, once done, the report. */
  preview: text("preview"),
  report: text("report"),
  error: text("error"),
  createdByUserId: integer("created_by_user_id").references(() => users.id),
  createdAt: createdAt(),
  startedAt: integer("started_at", { mode: "number" }),
  finishedAt: integer("finished_at", { mode: "number" }),
});

export const items = sqliteTable(
  "items",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    projectId: integer("project_id")
      .notNull()
      .references(() => projects.id, { onDelete: "cascade" }),
    key: text("key").notNull(),
    name: text("name").notNull(),
    kind: text("kind", { enum: ITEM_KINDS }).notNull(),
    departmentId: integer("department_id").references(() => departments.id),
    stage: integer("stage").notNull().default(1),
    statutoryLimit: integer("statutory_limit"),
    promisedLimit: integer("promised_limit"),
    limitUnit: text("limit_unit", { enum: LIMIT_UNITS }).notNull().default("workingDays"),
    plannedDuration: integer("planned_duration"),
    correctionRestartsClock: integer("correction_restarts_clock", { mode: "boolean" }).notNull().default(false),
    yellowLead: integer("yellow_lead"),
    /** JSON {redAfter?, superviseAfter?, leaderAfter?}: this item's own escalation offsets (working days). */
    escalationOverrides: text("escalation_overrides"),
    note: text("note"),
    handlerUserId: integer("handler_user_id").references(() => users.id),
    // Clock state, derived by replaying clock_events; stored so queues and sweeps are indexed queries.
    status: text("status", { enum: ITEM_STATUSES }).notNull().default("pending"),
    acceptedOn: text("accepted_on"),
    dueOn: text("due_on"),
    pausedOn: text("paused_on"),
    pauseKind: text("pause_kind"),
    decidedOn: text("decided_on"),
    commitmentOn: text("commitment_on"),
    commitmentMetOn: text("commitment_met_on"),
    version: integer("version").notNull().default(1),
    updatedAt: integer("updated_at", { mode: "number" }).notNull().default(now),
  },
  (t) => [
    uniqueIndex("items_project_key_uq").on(t.projectId, t.key),
    // A department's queue by status, and its overdue and nearly due clocks (department_stats), index-only.
    index("items_department_status_due_idx").on(t.departmentId, t.status, t.dueOn),
    // Running clocks past due anywhere; decided late (the weekly overdue chart reads decided_on from the index).
    index("items_status_due_idx").on(t.status, t.dueOn, t.decidedOn),
    // Month figures per department (department_month_stats): decided in a month, due in a month.
    index("items_department_decided_idx").on(t.departmentId, t.decidedOn),
    index("items_department_due_idx").on(t.departmentId, t.dueOn, t.status, t.decidedOn),
    // The longest per-item yellow lead (how far ahead warnings are looked for): a handful of rows.
    index("items_yellow_lead_idx").on(t.yellowLead).where(sql`${t.yellowLead} is not null`),
  ],
);

export const dependencies = sqliteTable(
  "dependencies",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    projectId: integer("project_id")
      .notNull()
      .references(() => projects.id, { onDelete: "cascade" }),
    fromItemId: integer("from_item_id")
      .notNull()
      .references(() => items.id, { onDelete: "cascade" }),
    toItemId: integer("to_item_id")
      .notNull()
      .references(() => items.id, { onDelete: "cascade" }),
    lagWorkingDays: integer("lag_working_days").notNull().default(0),
  },
  (t) => [
    uniqueIndex("dependencies_edge_uq").on(t.fromItemId, t.toItemId),
    index("dependencies_project_idx").on(t.projectId),
  ],
);

/** Append-only: the clock state of an item is a replay of these rows in id order. */
export const clockEvents = sqliteTable(
  "clock_events",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    itemId: integer("item_id")
      .notNull()
      .references(() => items.id, { onDelete: "cascade" }),
    type: text("type").notNull(),
    on: text("on").notNull(),
    actorUserId: integer("actor_user_id").references(() => users.id),
    note: text("note"),
    /** JSON: deferred materials and commitment date for 容缺受理, missing materials for 补正. */
    detail: text("detail"),
    createdAt: createdAt(),
  },
  (t) => [index("clock_events_item_idx").on(t.itemId)],
);

export const escalations = sqliteTable(
  "escalations",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    /** The project of the item or action item; null for an action item that belongs to no project. */
    projectId: integer("project_id").references(() => projects.id, { onDelete: "cascade" }),
    itemId: integer("item_id").references(() => items.id, { onDelete: "cascade" }),
    /** Set instead of itemId for an action item's ladder (DESIGN §4: action items are clocks too). */
    actionItemId: integer("action_item_id").references(() => actionItems.id, { onDelete: "cascade" }),
    level: text("level", { enum: ESCALATION_LEVELS }).notNull(),
    dueOn: text("due_on").notNull(),
    /** `item-<id>-<level>-<dueOn>`, `action-<id>-<level>-<dueOn>` or `project-<id>-stall-<since>`: one escalation per subject, level and due date. */
    dedupeKey: text("dedupe_key").notNull().unique(),
    fireAt: integer("fire_at", { mode: "number" }).notNull(),
    firedAt: integer("fired_at", { mode: "number" }),
    acknowledgedAt: integer("acknowledged_at", { mode: "number" }),
    acknowledgedByUserId: integer("acknowledged_by_user_id").references(() => users.id),
    acknowledgeNote: text("acknowledge_note"),
    /**
     * 督办 only: the meeting whose agenda took the item. A fired 督办 with none is a pending
     * agenda candidate until a meeting takes it; deleting that meeting makes it pending again.
     */
    agendaMeetingId: integer("agenda_meeting_id").references(() => meetings.id, { onDelete: "set null" }),
    createdAt: createdAt(),
  },
  (t) => [
    index("escalations_project_idx").on(t.projectId),
    index("escalations_item_idx").on(t.itemId),
    index("escalations_action_item_idx").on(t.actionItemId),
    // The sweep's query: unfired rows whose moment has come.
    index("escalations_pending_idx").on(t.firedAt, t.fireAt),
    // Pending 督办 candidates: a handful among hundreds of thousands of rows, read whenever a meeting is planned.
    index("escalations_supervise_pending_idx").on(t.firedAt).where(sql`${t.level} = 'supervise' and ${t.agendaMeetingId} is null`),
    // 督办 fired per month (department_month_stats), and items under 督办 by item.
    index("escalations_supervise_fired_idx").on(t.firedAt, t.itemId).where(sql`${t.level} = 'supervise'`),
  ],
);

export const meetings = sqliteTable("meetings", {
  id: integer("id").primaryKey({ autoIncrement: true }),
  type: text("type", { enum: MEETING_TYPES }).notNull().default("joint"),
  title: text("title").notNull(),
  heldOn: text("held_on").notNull(),
  /** Start time, Asia/Shanghai wall clock `HH:MM`; null when not fixed yet. */
  startsAt: text("starts_at"),
  location: text("location").notNull().default(""),
  status: text("status", { enum: MEETING_STATUSES }).notNull().default("planned"),
  /** 召集/主持. */
  chairName: text("chair_name"),
  /** 出席 as the minutes name them (free text: units and people). */
  attendees: text("attendees"),
  coordinatorUserId: integer("coordinator_user_id").references(() => users.id),
  /** General remarks of the minutes (会议纪要 preamble); per-item discussion lives on agenda_items. */
  minutes: text("minutes"),
  /** When the minutes were sent to the responsible units; null while still being drafted. */
  minutesIssuedAt: integer("minutes_issued_at", { mode: "number" }),
  createdAt: createdAt(),
});

/** Departments invited to a meeting. */
export const meetingDepartments = sqliteTable(
  "meeting_departments",
  {
    meetingId: integer("meeting_id")
      .notNull()
      .references(() => meetings.id, { onDelete: "cascade" }),
    departmentId: integer("department_id")
      .notNull()
      .references(() => departments.id),
  },
  (t) => [primaryKey({ columns: [t.meetingId, t.departmentId] })],
);

export const agendaItems = sqliteTable(
  "agenda_items",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    meetingId: integer("meeting_id")
      .notNull()
      .references(() => meetings.id, { onDelete: "cascade" }),
    /** Null for a free agenda item (a topic the coordinator adds that is no project's). */
    projectId: integer("project_id").references(() => projects.id),
    itemId: integer("item_id").references(() => items.id),
    /** A late action item of an earlier meeting brought back (reason late_action). */
    // Typed by hand: agenda items, decisions and action items refer to one another in a cycle.
    actionItemId: integer("action_item_id").references((): AnySQLiteColumn => actionItems.id),
    reason: text("reason", { enum: AGENDA_REASONS }).notNull(),
    summary: text("summary").notNull(),
    note: text("note"),
    position: integer("position").notNull().default(0),
    /** 议定/讨论情况 recorded in the minutes for this item. */
    discussion: text("discussion"),
    /** Settled at this meeting; an unsettled item is carried over to the next one. */
    resolved: integer("resolved", { mode: "boolean" }).notNull().default(false),
    /** The agenda item of an earlier meeting this one continues (carried over, shown as such). */
    carriedFromId: integer("carried_from_id"),
    createdAt: createdAt(),
  },
  (t) => [index("agenda_items_meeting_idx").on(t.meetingId), uniqueIndex("agenda_items_meeting_item_uq").on(t.meetingId, t.itemId)],
);

export const decisions = sqliteTable(
  "decisions",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    meetingId: integer("meeting_id")
      .notNull()
      .references(() => meetings.id, { onDelete: "cascade" }),
    agendaItemId: integer("agenda_item_id").references(() => agendaItems.id),
    text: text("text").notNull(),
    createdAt: createdAt(),
  },
  (t) => [index("decisions_meeting_idx").on(t.meetingId)],
);

/**
 * A task with a deadline, tracked like any approval clock (DESIGN §4): from a meeting
 * decision, a leader's 督办 or a 差评 follow-up. Column names predating that model are
 * kept (deadline_on, completed_on, evidence) and read under today's names.
 */
export const actionItems = sqliteTable(
  "action_items",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    source: text("source", { enum: ACTION_SOURCES }).notNull().default("meeting"),
    /** The decision that set it (source meeting); null for a 督办 or a 差评 follow-up. */
    decisionId: integer("decision_id").references(() => decisions.id, { onDelete: "cascade" }),
    projectId: integer("project_id").references(() => projects.id),
    /** The project item it concerns (e.g. 用地预审), when linked. */
    itemId: integer("item_id").references(() => items.id),
    /** 责任单位 (lead unit). */
    ownerDepartmentId: integer("owner_department_id").references(() => departments.id),
    /** 配合单位: JSON array of department ids. */
    coDepartmentIds: text("co_department_ids"),
    ownerUserId: integer("owner_user_id").references(() => users.id),
    /** 责任人 as the minutes name them. */
    ownerName: text("owner_name"),
    title: text("title").notNull(),
    /** The day the deadline is counted from: the meeting's heldOn, the supervision's or the rating's date. */
    startOn: text("start_on"),
    /** The deadline as set, when it was given in working days. */
    dueInWorkingDays: integer("due_in_working_days"),
    dueOn: text("deadline_on").notNull(),
    status: text("status", { enum: ACTION_STATUSES }).notNull().default("open"),
    closedOn: text("completed_on"),
    /** What was done (required to close). */
    closeNote: text("evidence"),
    closeUploadId: integer("close_upload_id").references(() => uploads.id),
    closedByUserId: integer("closed_by_user_id").references(() => users.id),
    carriedOver: integer("carried_over", { mode: "boolean" }).notNull().default(false),
    version: integer("version").notNull().default(1),
    createdByUserId: integer("created_by_user_id").references(() => users.id),
    createdAt: createdAt(),
  },
  (t) => [
    index("action_items_department_idx").on(t.ownerDepartmentId, t.status),
    index("action_items_project_idx").on(t.projectId),
    index("action_items_status_due_idx").on(t.status, t.dueOn),
  ],
);

/** 留言: one thread per project between the enterprise's contacts and the project's proxy officers (issue 12). */
export const projectMessages = sqliteTable(
  "project_messages",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    projectId: integer("project_id")
      .notNull()
      .references(() => projects.id, { onDelete: "cascade" }),
    authorUserId: integer("author_user_id")
      .notNull()
      .references(() => users.id),
    body: text("body").notNull(),
    /** An attachment, stored as a project upload with the material upload checks. */
    uploadId: integer("upload_id").references(() => uploads.id),
    createdAt: createdAt(),
  },
  (t) => [index("project_messages_project_idx").on(t.projectId, t.id)],
);

/** How far each participant has read a project's thread: unread = later messages by others. */
export const messageReads = sqliteTable(
  "message_reads",
  {
    projectId: integer("project_id")
      .notNull()
      .references(() => projects.id, { onDelete: "cascade" }),
    userId: integer("user_id")
      .notNull()
      .references(() => users.id),
    lastReadMessageId: integer("last_read_message_id").notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.projectId, t.userId] })],
);

/** 好差评: the enterprise's rating of a finished item, one per item (DESIGN §4). */
export const ratings = sqliteTable(
  "ratings",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    projectId: integer("project_id")
      .notNull()
      .references(() => projects.id, { onDelete: "cascade" }),
    itemId: integer("item_id")
      .notNull()
      .unique()
      .references(() => items.id, { onDelete: "cascade" }),
    enterpriseUserId: integer("enterprise_user_id")
      .notNull()
      .references(() => users.id),
    /** 1 非常不满意 … 5 非常满意. */
    score: integer("score").notNull(),
    comment: text("comment"),
    ratedOn: text("rated_on").notNull(),
    /** The 差评整改 action item a score of 1 or 2 opened. */
    followUpActionItemId: integer("follow_up_action_item_id").references(() => actionItems.id),
    createdAt: createdAt(),
  },
  (t) => [index("ratings_project_idx").on(t.projectId), index("ratings_rated_on_idx").on(t.ratedOn, t.itemId, t.score)],
);

/** Deduplicated per project: one 营业执照 serves every item that needs it. */
export const materials = sqliteTable(
  "materials",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    projectId: integer("project_id")
      .notNull()
      .references(() => projects.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    status: text("status", { enum: MATERIAL_STATUSES }).notNull().default("missing"),
    neededBy: text("needed_by"),
    uploadId: integer("upload_id").references(() => uploads.id),
    note: text("note"),
    updatedAt: integer("updated_at", { mode: "number" }).notNull().default(now),
  },
  (t) => [uniqueIndex("materials_project_name_uq").on(t.projectId, t.name)],
);

export const itemMaterials = sqliteTable(
  "item_materials",
  {
    itemId: integer("item_id")
      .notNull()
      .references(() => items.id, { onDelete: "cascade" }),
    materialId: integer("material_id")
      .notNull()
      .references(() => materials.id, { onDelete: "cascade" }),
  },
  (t) => [primaryKey({ columns: [t.itemId, t.materialId] }), index("item_materials_material_idx").on(t.materialId)],
);

/** Files are stored under their sha256, never under a user-supplied path. */
export const uploads = sqliteTable(
  "uploads",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    projectId: integer("project_id")
      .notNull()
      .references(() => projects.id, { onDelete: "cascade" }),
    sha256: text("sha256").notNull(),
    originalName: text("original_name").notNull(),
    mimeType: text("mime_type").notNull(),
    size: integer("size").notNull(),
    uploadedByUserId: integer("uploaded_by_user_id").references(() => users.id),
    createdAt: createdAt(),
  },
  (t) => [index("uploads_project_idx").on(t.projectId), index("uploads_sha_idx").on(t.sha256)],
);

/** 代办日志: contacts, site visits and coordination notes by the proxy officer. */
export const contactLogs = sqliteTable(
  "contact_logs",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    projectId: integer("project_id")
      .notNull()
      .references(() => projects.id, { onDelete: "cascade" }),
    authorUserId: integer("author_user_id").references(() => users.id),
    on: text("on").notNull(),
    kind: text("kind").notNull().default("contact"),
    note: text("note").notNull(),
    createdAt: createdAt(),
  },
  (t) => [index("contact_logs_project_idx").on(t.projectId)],
);

/** Append-only record of every state change, written in the same transaction as the change. */
export const auditLog = sqliteTable(
  "audit_log",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    at: integer("at", { mode: "number" }).notNull(),
    actorUserId: integer("actor_user_id").references(() => users.id),
    action: text("action").notNull(),
    entityType: text("entity_type").notNull(),
    entityId: integer("entity_id"),
    projectId: integer("project_id"),
    detail: text("detail"),
  },
  (t) => [
    index("audit_log_project_idx").on(t.projectId),
    index("audit_log_entity_idx").on(t.entityType, t.entityId),
    // The administrators' audit viewer filters by these (issue 14).
    index("audit_log_action_idx").on(t.action),
    index("audit_log_at_idx").on(t.at),
    index("audit_log_actor_idx").on(t.actorUserId),
  ],
);

/** Outbox: one row per recipient and message; delivery state lives here, not in Redis. */
export const notifications = sqliteTable(
  "notifications",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    userId: integer("user_id")
      .notNull()
      .references(() => users.id),
    kind: text("kind").notNull(),
    title: text("title").notNull(),
    body: text("body").notNull().default(""),
    link: text("link"),
    escalationId: integer("escalation_id").references(() => escalations.id),
    dedupeKey: text("dedupe_key").notNull().unique(),
    deliverAfter: integer("deliver_after", { mode: "number" }).notNull(),
    deliveredAt: integer("delivered_at", { mode: "number" }),
    emailStatus: text("email_status", { enum: ["none", "pending", "sent", "failed"] }).notNull().default("none"),
    /** Next e-mail attempt after a failure (backoff); in-app delivery does not wait for it. */
    emailNextAt: integer("email_next_at", { mode: "number" }),
    attempts: integer("attempts").notNull().default(0),
    lastError: text("last_error"),
    readAt: integer("read_at", { mode: "number" }),
    createdAt: createdAt(),
  },
  (t) => [
    index("notifications_user_idx").on(t.userId, t.readAt),
    index("notifications_delivery_idx").on(t.deliveredAt, t.deliverAfter),
    index("notifications_email_idx").on(t.emailStatus, t.emailNextAt),
    // Foreign-key checks on deleting a re-planned escalation look rows up by it.
    index("notifications_escalation_idx").on(t.escalationId),
  ],
);

/** National arrangements added by administrators for years the shipped table lacks (e.g. 2027). */
export const calendarYears = sqliteTable("calendar_years", {
  year: integer("year").primaryKey(),
  source: text("source").notNull(),
  /** JSON {holidays: [{name, from, to}], makeupWorkdays: [date]} */
  data: text("data").notNull(),
  createdByUserId: integer("created_by_user_id").references(() => users.id),
  createdAt: createdAt(),
});

export const calendarOverrides = sqliteTable("calendar_overrides", {
  id: integer("id").primaryKey({ autoIncrement: true }),
  date: text("date").notNull().unique(),
  kind: text("kind", { enum: ["rest", "work"] }).notNull(),
  reason: text("reason").notNull(),
  createdByUserId: integer("created_by_user_id").references(() => users.id),
  createdAt: createdAt(),
});

/**
 * Server-side sign-in sessions. The cookie holds a random token; only its sha256
 * is stored, so a copy of the database does not hand out sessions. A session ends
 * when it expires (idle or absolute), at sign-out, or when it is revoked (sign out
 * everywhere, a role change, deactivation).
 */
export const sessions = sqliteTable(
  "sessions",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    tokenHash: text("token_hash").notNull().unique(),
    userId: integer("user_id")
      .notNull()
      .references(() => users.id),
    createdAt: createdAt(),
    lastSeenAt: integer("last_seen_at", { mode: "number" }).notNull(),
    /** Idle expiry, pushed forward as the session is used. */
    expiresAt: integer("expires_at", { mode: "number" }).notNull(),
    /** Absolute expiry: a session never outlives this, however busy. */
    maxExpiresAt: integer("max_expires_at", { mode: "number" }).notNull(),
    revokedAt: integer("revoked_at", { mode: "number" }),
    revokedReason: text("revoked_reason"),
    ip: text("ip"),
    userAgent: text("user_agent"),
  },
  (t) => [index("sessions_user_idx").on(t.userId, t.revokedAt)],
);

export const apiTokens = sqliteTable(
  "api_tokens",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    userId: integer("user_id")
      .notNull()
      .references(() => users.id),
    /** sha256 of the token; the token itself is shown once and never stored. */
    tokenHash: text("token_hash").notNull().unique(),
    label: text("label").notNull().default(""),
    lastUsedAt: integer("last_used_at", { mode: "number" }),
    revokedAt: integer("revoked_at", { mode: "number" }),
    createdAt: createdAt(),
  },
  (t) => [index("api_tokens_user_idx").on(t.userId)],
);

/** Deployment settings (escalation thresholds, yellow lead) as key → JSON value. */
export const settings = sqliteTable("settings", {
  key: text("key").primaryKey(),
  value: text("value").notNull(),
  updatedAt: integer("updated_at", { mode: "number" }).notNull().default(now),
});

/**
 * One-time links an officer hands an enterprise contact (issue 12): the contact
 * opens `/invite/<token>` and chooses a password. Only the token's sha256 is
 * stored; a link is used once (`usedAt`, `userId` = the account it created),
 * voided when the officer resends, and expires after 7 days.
 */
export const enterpriseInvitations = sqliteTable(
  "enterprise_invitations",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    enterpriseId: integer("enterprise_id")
      .notNull()
      .references(() => enterprises.id),
    /** The project the officer invited from (where the contact lands); null for an enterprise-wide invitation. */
    projectId: integer("project_id").references(() => projects.id),
    name: text("name").notNull(),
    phone: text("phone"),
    email: text("email"),
    tokenHash: text("token_hash").notNull().unique(),
    expiresAt: integer("expires_at", { mode: "number" }).notNull(),
    usedAt: integer("used_at", { mode: "number" }),
    voidedAt: integer("voided_at", { mode: "number" }),
    userId: integer("user_id").references(() => users.id),
    createdByUserId: integer("created_by_user_id")
      .notNull()
      .references(() => users.id),
    createdAt: createdAt(),
  },
  (t) => [index("enterprise_invitations_enterprise_idx").on(t.enterpriseId)],
);

/**
 * Stored, incrementally maintained state of each project for the leaders' screens
 * (issue 13): refreshed in the same transaction as every change to the project
 * (app/services/stats.server.ts) and once a day for the date-dependent figures,
 * so the dashboard reads rows instead of replanning every project per request.
 * `asOf` is the day the date-dependent columns (forecast, slack, warnings, stall) hold for.
 */
export const projectStats = sqliteTable(
  "project_stats",
  {
    projectId: integer("project_id")
      .primaryKey()
      .references(() => projects.id, { onDelete: "cascade" }),
    asOf: text("as_of").notNull(),
    /** Copies of the project's status, level and industry, so the dashboard's filtered counts read one table. */
    status: text("status", { enum: PROJECT_STATUSES }).notNull().default("active"),
    level: text("level", { enum: PROJECT_LEVELS }).notNull().default("city"),
    industry: text("industry").notNull().default(""),
    forecastStartOn: text("forecast_start_on"),
    /** Total slack of the 开工 milestone in working days (negative: late). */
    slack: integer("slack"),
    atRisk: integer("at_risk", { mode: "boolean" }).notNull().default(false),
    stalled: integer("stalled", { mode: "boolean" }).notNull().default(false),
    idleDays: integer("idle_days"),
    /** Items not finished (approved or waived). */
    openItems: integer("open_items").notNull().default(0),
    /** Items a department holds (the queue's statuses). */
    activeItems: integer("active_items").notNull().default(0),
    yellowItems: integer("yellow_items").notNull().default(0),
    redItems: integer("red_items").notNull().default(0),
    /** Items under 督办: a fired 督办/领导督办 level on the current due date, or an open supervision action item. */
    supervisedItems: integer("supervised_items").notNull().default(0),
    openActionItems: integer("open_action_items").notNull().default(0),
    /** The item holding the project up most, its department and how many working days it is overdue. */
    blockingItemId: integer("blocking_item_id").references(() => items.id, { onDelete: "set null" }),
    blockingDepartmentId: integer("blocking_department_id").references(() => departments.id),
    blockingOverdueDays: integer("blocking_overdue_days").notNull().default(0),
    /** 地区: the city or prefecture the location names (domain/dashboard/region.ts), for the dashboard's filter. */
    region: text("region"),
    /** Lowest stage with unfinished approvals (1–4), 5 once construction has started. */
    stage: integer("stage").notNull().default(1),
    /** Ordering key of the "needs attention" list (0: needs none); see domain/dashboard/attention.ts. */
    attention: integer("attention").notNull().default(0),
    // 项目指标 (环节 / 材料 / 时限 / 跑动次数).
    itemCount: integer("item_count").notNull().default(0),
    materialCount: integer("material_count").notNull().default(0),
    plannedWorkingDays: integer("planned_working_days"),
    visits: integer("visits").notNull().default(0),
    contacts: integer("contacts").notNull().default(0),
    /** The day construction started (开工 recorded), and the days from signing to it. */
    startedOn: text("started_on"),
    signedToStartDays: integer("signed_to_start_days"),
    signedToStartWorkingDays: integer("signed_to_start_working_days"),
    updatedAt: integer("updated_at", { mode: "number" }).notNull().default(now),
  },
  (t) => [
    index("project_stats_as_of_idx").on(t.asOf),
    index("project_stats_attention_idx").on(t.attention),
    index("project_stats_status_idx").on(t.status),
    index("project_stats_started_idx").on(t.startedOn),
  ],
);

/**
 * project_stats summed per (status, level, industry, region): kept by adding each row's change
 * as it is written, so the dashboard's counts and averages read a few hundred rows, not 20,000
 * (SQLite needs ~40 ms to aggregate a province's rows on every request; this needs ~1 ms).
 */
export const projectStatsTotals = sqliteTable(
  "project_stats_totals",
  {
    status: text("status").notNull(),
    level: text("level").notNull(),
    industry: text("industry").notNull(),
    /** '' for projects whose location names no region (project_stats.region null). */
    region: text("region").notNull(),
    n: integer("n").notNull().default(0),
    atRisk: integer("at_risk").notNull().default(0),
    stalled: integer("stalled").notNull().default(0),
    attention: integer("attention").notNull().default(0),
    activeItems: integer("active_items").notNull().default(0),
    yellowItems: integer("yellow_items").notNull().default(0),
    redItems: integer("red_items").notNull().default(0),
    supervisedItems: integer("supervised_items").notNull().default(0),
    openActionItems: integer("open_action_items").notNull().default(0),
    itemCount: integer("item_count").notNull().default(0),
    materialCount: integer("material_count").notNull().default(0),
    visits: integer("visits").notNull().default(0),
    contacts: integer("contacts").notNull().default(0),
    plannedWorkingDays: integer("planned_working_days").notNull().default(0),
    plannedN: integer("planned_n").notNull().default(0),
    started: integer("started").notNull().default(0),
    startDays: integer("start_days").notNull().default(0),
    startWorkingDays: integer("start_working_days").notNull().default(0),
    withinBenchmark: integer("within_benchmark").notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.status, t.level, t.industry, t.region] })],
);

/** Each department's live figures, kept like project_stats: what its queue holds and how late. */
export const departmentStats = sqliteTable("department_stats", {
  departmentId: integer("department_id")
    .primaryKey()
    .references(() => departments.id, { onDelete: "cascade" }),
  asOf: text("as_of").notNull(),
  /** Items in the department's queue (submitted, running, correction, special, suspended). */
  active: integer("active").notNull().default(0),
  yellow: integer("yellow").notNull().default(0),
  red: integer("red").notNull().default(0),
  paused: integer("paused").notNull().default(0),
  supervised: integer("supervised").notNull().default(0),
  /** Open action items the department leads (also in its queue), and how many of them are overdue. */
  actionItems: integer("action_items").notNull().default(0),
  actionItemsOverdue: integer("action_items_overdue").notNull().default(0),
  /** Decided items ever, and those decided on or before their due date. */
  handled: integer("handled").notNull().default(0),
  onTime: integer("on_time").notNull().default(0),
  /** 好差评 of its items: how many, their sum (average = sum / count) and how many were 差评 (≤ 2). */
  ratingCount: integer("rating_count").notNull().default(0),
  ratingSum: integer("rating_sum").notNull().default(0),
  ratingPoor: integer("rating_poor").notNull().default(0),
  updatedAt: integer("updated_at", { mode: "number" }).notNull().default(now),
});

/**
 * Per department and calendar month (`YYYY-MM`): the decided items and the 督办 levels,
 * so a ranking over any run of months sums a few rows instead of reading every item.
 */
export const departmentMonthStats = sqliteTable(
  "department_month_stats",
  {
    departmentId: integer("department_id")
      .notNull()
      .references(() => departments.id, { onDelete: "cascade" }),
    month: text("month").notNull(),
    handled: integer("handled").notNull().default(0),
    onTime: integer("on_time").notNull().default(0),
    late: integer("late").notNull().default(0),
    /** Working days used on the clock (limit − days left at the decision) and the promised limits, summed. */
    usedDays: integer("used_days").notNull().default(0),
    limitDays: integer("limit_days").notNull().default(0),
    /** Items that went overdue this month (their due date fell in it and they were decided late or are still open). */
    wentOverdue: integer("went_overdue").notNull().default(0),
    /** 督办 levels fired on the department's items plus 督办 notices issued to it in the month. */
    supervised: integer("supervised").notNull().default(0),
    /** 好差评 given in the month on the department's items. */
    ratingCount: integer("rating_count").notNull().default(0),
    ratingSum: integer("rating_sum").notNull().default(0),
    ratingPoor: integer("rating_poor").notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.departmentId, t.month] })],
);

/** 通报: the weekly or monthly briefing, generated on schedule or on demand and kept. */
export const briefings = sqliteTable(
  "briefings",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    kind: text("kind", { enum: ["weekly", "monthly"] }).notNull(),
    periodFrom: text("period_from").notNull(),
    periodTo: text("period_to").notNull(),
    title: text("title").notNull(),
    /** JSON: the briefing's content as generated (ranking, overdue list, started projects, 督办). */
    body: text("body").notNull(),
    /** `weekly-2026-11-30` for the scheduled one of a period (so a redelivered job writes it once); null on demand. */
    scheduleKey: text("schedule_key").unique(),
    generatedByUserId: integer("generated_by_user_id").references(() => users.id),
    createdAt: createdAt(),
  },
  (t) => [index("briefings_kind_period_idx").on(t.kind, t.periodFrom)],
);
