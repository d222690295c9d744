export * from "./mapping";
export * from "./periods";
export * from "./schemas";
export * from "./usage";
