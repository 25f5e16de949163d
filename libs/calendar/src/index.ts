/** Working days and the holiday calendar (工作日、节假日与调休). Pure. */
export * from './calendar.js';
export * from './data.js';
