-- drizzle-kit leaves the ON DELETE action out of ADD COLUMN; the schema (and the snapshot) say set null.
ALTER TABLE `escalations` ADD `agenda_meeting_id` integer REFERENCES meetings(id) ON DELETE set null;--> statement-breakpoint
CREATE INDEX `escalations_supervise_pending_idx` ON `escalations` (`fired_at`) WHERE "escalations"."level" = 'supervise' and "escalations"."agenda_meeting_id" is null;