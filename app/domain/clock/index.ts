export * from "./types";
export * from "./clock";
