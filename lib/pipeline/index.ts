export { alarmHandler, cronHandler, type HandlerResult } from './handler';
