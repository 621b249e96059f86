/** The one place that talks HTTP to IMA: what the rest of the node uses (transport.ts names the files of each concern). */
export { ImaClient } from './client';
export { clearProductCache } from './api';
export { MAX_RESUMES, MIN_DOWNLOAD_RATE, parseContentRange } from './downloadPart';
export { ImaRequestError, type ImaErrorInfo } from './errors';
export { abortableSleep } from './retry';
export { cancelSignalOf, getImaCredentials, type Readable } from './transport';
