/**
 * pino JSON logs. Nothing secret is logged on purpose; redaction is the second line of
 * defence for anything that slips into a log object.
 */
import { pino, type DestinationStream, type Logger } from 'pino';

export const REDACT_PATHS = [
  'client_secret', '*.client_secret', 'client_assertion', '*.client_assertion', 'assertion', '*.assertion',
  'access_token', '*.access_token', 'token', '*.token', 'password', '*.password', 'secret', '*.secret',
  'authorization', '*.authorization', 'headers.authorization', '*.headers.authorization', 'req.headers.authorization',
];

export function createLogger(level = 'info', destination?: DestinationStream): Logger {
  const options = {
    level,
    base: { service: 'sluice' },
    redact: { paths: REDACT_PATHS, censor: '[redacted]' },
    timestamp: pino.stdTimeFunctions.isoTime,
  };
  return destination ? pino(options, destination) : pino(options);
}
