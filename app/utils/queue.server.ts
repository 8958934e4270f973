// The only door from app/ to jobs/: the classic compiler strips *.server.ts
// from the browser bundle, so importing jobs/ here keeps Redis out of it.
export { redisAvailable } from "../../jobs/connection";
export { scheduleWakeups } from "../../jobs/wakeups";
export { enqueueLedgerImport } from "../../jobs/queues";
