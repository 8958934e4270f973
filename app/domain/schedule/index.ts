export * from "./types";
export * from "./schedule";
export * from "./serialize";
