export { createLogger, redactUrl, type Logger } from './logger.js';
export { fatal, installShutdown, type ShutdownOptions } from './shutdown.js';
