-- Hand-edited after drizzle-kit: the copy statements select only the old columns (and map
-- old values: action status done → closed, agenda reasons overdue/stalled → red/stall), and
-- foreign keys are switched off around the migrator in db/client.ts instead of by PRAGMA here.
CREATE TABLE `meeting_departments` (
	`meeting_id` integer NOT NULL,
	`department_id` integer NOT NULL,
	PRIMARY KEY(`meeting_id`, `department_id`),
	FOREIGN KEY (`meeting_id`) REFERENCES `meetings`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`department_id`) REFERENCES `departments`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE TABLE `__new_action_items` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`source` text DEFAULT 'meeting' NOT NULL,
	`decision_id` integer,
	`project_id` integer,
	`item_id` integer,
	`owner_department_id` integer,
	`co_department_ids` text,
	`owner_user_id` integer,
	`owner_name` text,
	`title` text NOT NULL,
	`start_on` text,
	`due_in_working_days` integer,
	`deadline_on` text NOT NULL,
	`status` text DEFAULT 'open' NOT NULL,
	`completed_on` text,
	`evidence` text,
	`close_upload_id` integer,
	`closed_by_user_id` integer,
	`carried_over` integer DEFAULT false NOT NULL,
	`version` integer DEFAULT 1 NOT NULL,
	`created_by_user_id` integer,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	FOREIGN KEY (`decision_id`) REFERENCES `decisions`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`project_id`) REFERENCES `projects`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`item_id`) REFERENCES `items`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`owner_department_id`) REFERENCES `departments`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`owner_user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`close_upload_id`) REFERENCES `uploads`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`closed_by_user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`created_by_user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
INSERT INTO `__new_action_items`("id", "decision_id", "project_id", "owner_department_id", "owner_user_id", "title", "deadline_on", "status", "completed_on", "evidence", "carried_over", "created_at") SELECT "id", "decision_id", "project_id", "owner_department_id", "owner_user_id", "title", "deadline_on", CASE "status" WHEN 'done' THEN 'closed' ELSE "status" END, "completed_on", "evidence", "carried_over", "created_at" FROM `action_items`;--> statement-breakpoint
DROP TABLE `action_items`;--> statement-breakpoint
ALTER TABLE `__new_action_items` RENAME TO `action_items`;--> statement-breakpoint
CREATE INDEX `action_items_department_idx` ON `action_items` (`owner_department_id`,`status`);--> statement-breakpoint
CREATE INDEX `action_items_project_idx` ON `action_items` (`project_id`);--> statement-breakpoint
CREATE INDEX `action_items_status_due_idx` ON `action_items` (`status`,`deadline_on`);--> statement-breakpoint
CREATE TABLE `__new_agenda_items` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`meeting_id` integer NOT NULL,
	`project_id` integer,
	`item_id` integer,
	`action_item_id` integer,
	`reason` text NOT NULL,
	`summary` text NOT NULL,
	`note` text,
	`position` integer DEFAULT 0 NOT NULL,
	`discussion` text,
	`resolved` integer DEFAULT false NOT NULL,
	`carried_from_id` integer,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	FOREIGN KEY (`meeting_id`) REFERENCES `meetings`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`project_id`) REFERENCES `projects`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`item_id`) REFERENCES `items`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`action_item_id`) REFERENCES `action_items`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
INSERT INTO `__new_agenda_items`("id", "meeting_id", "project_id", "item_id", "reason", "summary", "position", "created_at") SELECT "id", "meeting_id", "project_id", "item_id", CASE "reason" WHEN 'overdue' THEN 'red' WHEN 'stalled' THEN 'stall' ELSE "reason" END, "summary", "position", "created_at" FROM `agenda_items`;--> statement-breakpoint
DROP TABLE `agenda_items`;--> statement-breakpoint
ALTER TABLE `__new_agenda_items` RENAME TO `agenda_items`;--> statement-breakpoint
CREATE INDEX `agenda_items_meeting_idx` ON `agenda_items` (`meeting_id`);--> statement-breakpoint
CREATE UNIQUE INDEX `agenda_items_meeting_item_uq` ON `agenda_items` (`meeting_id`,`item_id`);--> statement-breakpoint
CREATE TABLE `__new_escalations` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`project_id` integer,
	`item_id` integer,
	`action_item_id` integer,
	`level` text NOT NULL,
	`due_on` text NOT NULL,
	`dedupe_key` text NOT NULL,
	`fire_at` integer NOT NULL,
	`fired_at` integer,
	`acknowledged_at` integer,
	`acknowledged_by_user_id` integer,
	`acknowledge_note` text,
	`agenda_meeting_id` integer,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	FOREIGN KEY (`project_id`) REFERENCES `projects`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`item_id`) REFERENCES `items`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`action_item_id`) REFERENCES `action_items`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`acknowledged_by_user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action,
	FOREIGN KEY (`agenda_meeting_id`) REFERENCES `meetings`(`id`) ON UPDATE no action ON DELETE set null
);
--> statement-breakpoint
INSERT INTO `__new_escalations`("id", "project_id", "item_id", "level", "due_on", "dedupe_key", "fire_at", "fired_at", "acknowledged_at", "acknowledged_by_user_id", "acknowledge_note", "agenda_meeting_id", "created_at") SELECT "id", "project_id", "item_id", "level", "due_on", "dedupe_key", "fire_at", "fired_at", "acknowledged_at", "acknowledged_by_user_id", "acknowledge_note", "agenda_meeting_id", "created_at" FROM `escalations`;--> statement-breakpoint
DROP TABLE `escalations`;--> statement-breakpoint
ALTER TABLE `__new_escalations` RENAME TO `escalations`;--> statement-breakpoint
CREATE UNIQUE INDEX `escalations_dedupe_key_unique` ON `escalations` (`dedupe_key`);--> statement-breakpoint
CREATE INDEX `escalations_project_idx` ON `escalations` (`project_id`);--> statement-breakpoint
CREATE INDEX `escalations_item_idx` ON `escalations` (`item_id`);--> statement-breakpoint
CREATE INDEX `escalations_action_item_idx` ON `escalations` (`action_item_id`);--> statement-breakpoint
CREATE INDEX `escalations_pending_idx` ON `escalations` (`fired_at`,`fire_at`);--> statement-breakpoint
CREATE INDEX `escalations_supervise_pending_idx` ON `escalations` (`fired_at`) WHERE "escalations"."level" = 'supervise' and "escalations"."agenda_meeting_id" is null;--> statement-breakpoint
ALTER TABLE `meetings` ADD `type` text DEFAULT 'joint' NOT NULL;--> statement-breakpoint
ALTER TABLE `meetings` ADD `starts_at` text;--> statement-breakpoint
ALTER TABLE `meetings` ADD `attendees` text;--> statement-breakpoint
ALTER TABLE `meetings` ADD `minutes_issued_at` integer;--> statement-breakpoint
ALTER TABLE `users` ADD `calendar_token_hash` text;--> statement-breakpoint
UPDATE `action_items` SET `start_on` = (SELECT m.`held_on` FROM `decisions` d JOIN `meetings` m ON m.`id` = d.`meeting_id` WHERE d.`id` = `action_items`.`decision_id`) WHERE `start_on` IS NULL AND `decision_id` IS NOT NULL;