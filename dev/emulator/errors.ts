/**
 * The error answers of the emulated DCS, in one table so the codes stay consistent.
 *
 * DCS.4957 and its message come from the DCS API reference. APIGW.0101/0201 follow the API
 * gateway's published codes. The other DCS.4xxx codes are the emulator's own choices in the
 * DCS numbering style (the public reference does not list them): clients must branch on the
 * HTTP status class and treat error_code as information, which is what these make testable.
 */

export interface ApiError {
  status: number;
  error_code: string;
  error_msg: string;
}

const E = (status: number, error_code: string, error_msg: string): ApiError => ({ status, error_code, error_msg });

export const DcsErrors = {
  routeNotFound: () => E(404, 'APIGW.0101', 'The API does not exist or has not been published in the environment.'),
  bodyTooLarge: (limit: number) => E(413, 'APIGW.0201', `Request entity too large: the body exceeds ${limit} bytes.`),
  invalidJson: () => E(400, 'DCS.4001', 'The request body is not valid JSON.'),
  invalidParameter: (detail: string) => E(400, 'DCS.4000', `Invalid request parameter: ${detail}`),
  instanceNotFound: () => E(404, 'DCS.4010', 'The instance does not exist.'),
  jobNotFound: () => E(404, 'DCS.4011', 'The job does not exist.'),
  nodeNotFound: () => E(400, 'DCS.4012', 'The node does not exist in this instance.'),
  notRunning: () => E(400, 'DCS.4957', 'This operation is not allowed when the task is in the current state.'),
  engineNotSupported: () => E(400, 'DCS.4026', 'This operation is supported by Redis 4.0 and later only.'),
  scanFirst: () => E(500, 'DCS.5005', 'No session scan result for this node: scan the sessions first.'),
} as const;
