/**
 * A wake-up asks the job queue to run the escalation processor for one timer row
 * at one moment (epoch ms). It lives in the domain so that the services that plan
 * timers and the queue that delivers them share the type without importing each
 * other (the queue sits below the services).
 */
export interface Wakeup {
  id: number;
  fireAt: number;
}
