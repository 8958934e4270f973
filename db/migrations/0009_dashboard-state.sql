CREATE TABLE `briefings` (
	`id` integer PRIMARY KEY AUTOINCREMENT NOT NULL,
	`kind` text NOT NULL,
	`period_from` text NOT NULL,
	`period_to` text NOT NULL,
	`title` text NOT NULL,
	`body` text NOT NULL,
	`schedule_key` text,
	`generated_by_user_id` integer,
	`created_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	FOREIGN KEY (`generated_by_user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `briefings_schedule_key_unique` ON `briefings` (`schedule_key`);--> statement-breakpoint
CREATE INDEX `briefings_kind_period_idx` ON `briefings` (`kind`,`period_from`);--> statement-breakpoint
CREATE TABLE `department_month_stats` (
	`department_id` integer NOT NULL,
	`month` text NOT NULL,
	`handled` integer DEFAULT 0 NOT NULL,
	`on_time` integer DEFAULT 0 NOT NULL,
	`late` integer DEFAULT 0 NOT NULL,
	`used_days` integer DEFAULT 0 NOT NULL,
	`limit_days` integer DEFAULT 0 NOT NULL,
	`went_overdue` integer DEFAULT 0 NOT NULL,
	`supervised` integer DEFAULT 0 NOT NULL,
	`rating_count` integer DEFAULT 0 NOT NULL,
	`rating_sum` integer DEFAULT 0 NOT NULL,
	`rating_poor` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`department_id`, `month`),
	FOREIGN KEY (`department_id`) REFERENCES `departments`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `department_stats` (
	`department_id` integer PRIMARY KEY NOT NULL,
	`as_of` text NOT NULL,
	`active` integer DEFAULT 0 NOT NULL,
	`yellow` integer DEFAULT 0 NOT NULL,
	`red` integer DEFAULT 0 NOT NULL,
	`paused` integer DEFAULT 0 NOT NULL,
	`supervised` integer DEFAULT 0 NOT NULL,
	`action_items` integer DEFAULT 0 NOT NULL,
	`action_items_overdue` integer DEFAULT 0 NOT NULL,
	`handled` integer DEFAULT 0 NOT NULL,
	`on_time` integer DEFAULT 0 NOT NULL,
	`rating_count` integer DEFAULT 0 NOT NULL,
	`rating_sum` integer DEFAULT 0 NOT NULL,
	`rating_poor` integer DEFAULT 0 NOT NULL,
	`updated_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	FOREIGN KEY (`department_id`) REFERENCES `departments`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE TABLE `project_stats` (
	`project_id` integer PRIMARY KEY NOT NULL,
	`as_of` text NOT NULL,
	`status` text DEFAULT 'active' NOT NULL,
	`level` text DEFAULT 'city' NOT NULL,
	`industry` text DEFAULT '' NOT NULL,
	`forecast_start_on` text,
	`slack` integer,
	`at_risk` integer DEFAULT false NOT NULL,
	`stalled` integer DEFAULT false NOT NULL,
	`idle_days` integer,
	`open_items` integer DEFAULT 0 NOT NULL,
	`active_items` integer DEFAULT 0 NOT NULL,
	`yellow_items` integer DEFAULT 0 NOT NULL,
	`red_items` integer DEFAULT 0 NOT NULL,
	`supervised_items` integer DEFAULT 0 NOT NULL,
	`open_action_items` integer DEFAULT 0 NOT NULL,
	`blocking_item_id` integer,
	`blocking_department_id` integer,
	`blocking_overdue_days` integer DEFAULT 0 NOT NULL,
	`region` text,
	`stage` integer DEFAULT 1 NOT NULL,
	`attention` integer DEFAULT 0 NOT NULL,
	`item_count` integer DEFAULT 0 NOT NULL,
	`material_count` integer DEFAULT 0 NOT NULL,
	`planned_working_days` integer,
	`visits` integer DEFAULT 0 NOT NULL,
	`contacts` integer DEFAULT 0 NOT NULL,
	`started_on` text,
	`signed_to_start_days` integer,
	`signed_to_start_working_days` integer,
	`updated_at` integer DEFAULT (unixepoch('subsec') * 1000) NOT NULL,
	FOREIGN KEY (`project_id`) REFERENCES `projects`(`id`) ON UPDATE no action ON DELETE cascade,
	FOREIGN KEY (`blocking_item_id`) REFERENCES `items`(`id`) ON UPDATE no action ON DELETE set null,
	FOREIGN KEY (`blocking_department_id`) REFERENCES `departments`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE INDEX `project_stats_as_of_idx` ON `project_stats` (`as_of`);--> statement-breakpoint
CREATE INDEX `project_stats_attention_idx` ON `project_stats` (`attention`);--> statement-breakpoint
CREATE INDEX `project_stats_status_idx` ON `project_stats` (`status`);--> statement-breakpoint
CREATE INDEX `project_stats_started_idx` ON `project_stats` (`started_on`);--> statement-breakpoint
CREATE TABLE `project_stats_totals` (
	`status` text NOT NULL,
	`level` text NOT NULL,
	`industry` text NOT NULL,
	`region` text NOT NULL,
	`n` integer DEFAULT 0 NOT NULL,
	`at_risk` integer DEFAULT 0 NOT NULL,
	`stalled` integer DEFAULT 0 NOT NULL,
	`attention` integer DEFAULT 0 NOT NULL,
	`active_items` integer DEFAULT 0 NOT NULL,
	`yellow_items` integer DEFAULT 0 NOT NULL,
	`red_items` integer DEFAULT 0 NOT NULL,
	`supervised_items` integer DEFAULT 0 NOT NULL,
	`open_action_items` integer DEFAULT 0 NOT NULL,
	`item_count` integer DEFAULT 0 NOT NULL,
	`material_count` integer DEFAULT 0 NOT NULL,
	`visits` integer DEFAULT 0 NOT NULL,
	`contacts` integer DEFAULT 0 NOT NULL,
	`planned_working_days` integer DEFAULT 0 NOT NULL,
	`planned_n` integer DEFAULT 0 NOT NULL,
	`started` integer DEFAULT 0 NOT NULL,
	`start_days` integer DEFAULT 0 NOT NULL,
	`start_working_days` integer DEFAULT 0 NOT NULL,
	`within_benchmark` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`status`, `level`, `industry`, `region`)
);
--> statement-breakpoint
DROP INDEX `items_department_status_idx`;--> statement-breakpoint
DROP INDEX `items_status_due_idx`;--> statement-breakpoint
CREATE INDEX `items_department_status_due_idx` ON `items` (`department_id`,`status`,`due_on`);--> statement-breakpoint
CREATE INDEX `items_department_decided_idx` ON `items` (`department_id`,`decided_on`);--> statement-breakpoint
CREATE INDEX `items_department_due_idx` ON `items` (`department_id`,`due_on`,`status`,`decided_on`);--> statement-breakpoint
CREATE INDEX `items_yellow_lead_idx` ON `items` (`yellow_lead`) WHERE "items"."yellow_lead" is not null;--> statement-breakpoint
CREATE INDEX `items_status_due_idx` ON `items` (`status`,`due_on`,`decided_on`);--> statement-breakpoint
CREATE INDEX `escalations_supervise_fired_idx` ON `escalations` (`fired_at`,`item_id`) WHERE "escalations"."level" = 'supervise';--> statement-breakpoint
CREATE INDEX `ratings_rated_on_idx` ON `ratings` (`rated_on`,`item_id`,`score`);