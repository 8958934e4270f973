ALTER TABLE `notifications` ADD `email_next_at` integer;--> statement-breakpoint
CREATE INDEX `notifications_email_idx` ON `notifications` (`email_status`,`email_next_at`);--> statement-breakpoint
CREATE UNIQUE INDEX `agenda_items_meeting_item_uq` ON `agenda_items` (`meeting_id`,`item_id`);--> statement-breakpoint
CREATE INDEX `escalations_pending_idx` ON `escalations` (`fired_at`,`fire_at`);