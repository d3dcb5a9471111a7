/** Milliseconds of a vendor's throttling pause when it names none: a minute, as Aliyun and Tencent quotas are per minute. */
export const THROTTLE_RETRY_MS = 60_000;
