// Typed contracts of the run: activity inputs/outputs, the continue-as-new carry and every event's
// payload, as zod schemas with derived TS types. Workflows import the types from here (type-only);
// activities and readers may validate with the schemas. Pure: no Node built-ins.

export * from './activity-io';
export * from './carry';
export * from './decision';
export * from './event-payloads';
export * from './events';
export * from './records';
export * from './scenario-io';
