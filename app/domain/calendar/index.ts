export * from "./dates";
export * from "./working-calendar";
export * from "./official";
