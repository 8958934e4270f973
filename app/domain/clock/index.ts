export * from "./types";
export * from "./clock";
export * from "./submission";
