//! The one retry policy for the requests pregyp makes itself: which failures are
//! worth another attempt, how long to wait before it, and when to stop.
//!
//! - Network errors, truncated bodies, 408, 429 and 5xx are retried up to
//!   `--fetch-retries` times, with exponential backoff from `--fetch-retry-mintimeout`.
//! - `Retry-After` (on 429/503) is honoured up to [`MAX_RETRY_AFTER`]; a longer wait is
//!   not, so that an install never sleeps for minutes on a server's word.
//! - A stalled transfer (no byte for `--fetch-timeout`) is retried once only: two
//!   silences in a row mean the server is stuck, and the install should say so within
//!   a minute rather than wait out every attempt.

use crate::error::Error;
use std::time::Duration;

/// Longest backoff between two attempts.
pub const MAX_BACKOFF: Duration = Duration::from_secs(5);
/// Longest `Retry-After` honoured.
pub const MAX_RETRY_AFTER: Duration = Duration::from_secs(30);
/// Stalls tolerated in one download (the first is retried, the second ends it).
pub const MAX_STALLS: u32 = 2;

/// When to try again.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts in all (1 + `--fetch-retries`).
    pub attempts: u32,
    /// First backoff (`--fetch-retry-mintimeout`), doubled each time.
    pub min_delay: Duration,
}

/// The failures seen so far in one download, for the policy to weigh.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct History {
    /// Attempts made.
    pub attempts: u32,
    /// Of which ended in a stall.
    pub stalls: u32,
}

impl RetryPolicy {
    /// Whether to try again after `err` ended attempt `history.attempts` (which already
    /// counts it), and after how long. `None`: give up and report `err`.
    pub fn next_delay(&self, history: History, err: &Error) -> Option<Duration> {
        if history.attempts >= self.attempts || !is_retryable(err) {
            return None;
        }
        if matches!(err, Error::DownloadStalled { .. }) && history.stalls >= MAX_STALLS {
            return None;
        }
        if let Error::DownloadStatus {
            retry_after: Some(asked),
            ..
        } = err
        {
            return (*asked <= MAX_RETRY_AFTER).then_some(*asked);
        }
        Some(backoff(self.min_delay, history.attempts))
    }
}

/// Whether a failure may go away on its own.
pub fn is_retryable(err: &Error) -> bool {
    match err {
        Error::DownloadNetwork { .. } | Error::DownloadStalled { .. } => true,
        // A body cut short without the server saying so shows up as a corrupt archive.
        Error::BadArchive { .. } => true,
        Error::DownloadStatus { status, .. } => *status >= 500 || *status == 429 || *status == 408,
        _ => false,
    }
}

/// Delay before retry `n` (1-based): exponential from `min`, capped at [`MAX_BACKOFF`].
pub fn backoff(min: Duration, n: u32) -> Duration {
    let factor = 1u32 << n.saturating_sub(1).min(8);
    (min * factor).min(MAX_BACKOFF)
}

/// A `Retry-After` header value: delay-seconds, or an HTTP date (RFC 9110 §10.2.3).
pub fn parse_retry_after(value: &str, now: std::time::SystemTime) -> Option<Duration> {
    let v = value.trim();
    if let Ok(secs) = v.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let when = httpdate::parse_http_date(v).ok()?;
    Some(when.duration_since(now).unwrap_or(Duration::ZERO))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::redact::SafeUrl;

    fn policy() -> RetryPolicy {
        RetryPolicy {
            attempts: 4,
            min_delay: Duration::from_millis(100),
        }
    }

    fn status(status: u16, retry_after: Option<u64>) -> Error {
        Error::DownloadStatus {
            url: SafeUrl::new("https://h/x"),
            status,
            retry_after: retry_after.map(Duration::from_secs),
        }
    }

    fn stalled() -> Error {
        Error::DownloadStalled {
            url: SafeUrl::new("https://h/x"),
            idle: Duration::from_secs(30),
        }
    }

    fn after(attempts: u32, stalls: u32) -> History {
        History { attempts, stalls }
    }

    #[test]
    fn backoff_grows_and_is_capped() {
        let m = Duration::from_millis(100);
        assert_eq!(backoff(m, 1), Duration::from_millis(100));
        assert_eq!(backoff(m, 2), Duration::from_millis(200));
        assert_eq!(backoff(m, 3), Duration::from_millis(400));
        assert_eq!(backoff(m, 20), MAX_BACKOFF);
    }

    #[test]
    fn decisions() {
        let p = policy();
        let ms = Duration::from_millis;
        // (what failed, history, expected delay)
        let cases: Vec<(Error, History, Option<Duration>)> = vec![
            (status(503, None), after(1, 0), Some(ms(100))),
            (status(503, None), after(3, 0), Some(ms(400))),
            (status(503, None), after(4, 0), None),
            (status(404, None), after(1, 0), None),
            (status(403, None), after(1, 0), None),
            (status(429, Some(2)), after(1, 0), Some(ms(2000))),
            (status(503, Some(0)), after(1, 0), Some(ms(0))),
            (status(503, Some(3600)), after(1, 0), None),
            (stalled(), after(1, 1), Some(ms(100))),
            (stalled(), after(2, 2), None),
            (Error::Usage("x".into()), after(1, 0), None),
        ];
        for (err, history, want) in cases {
            assert_eq!(p.next_delay(history, &err), want, "{err} after {history:?}");
        }
    }

    #[test]
    fn retry_after_forms() {
        let now = std::time::UNIX_EPOCH + Duration::from_secs(1_000_000_000);
        assert_eq!(parse_retry_after(" 7 ", now), Some(Duration::from_secs(7)));
        let later = httpdate::fmt_http_date(now + Duration::from_secs(12));
        assert_eq!(
            parse_retry_after(&later, now),
            Some(Duration::from_secs(12))
        );
        let past = httpdate::fmt_http_date(now - Duration::from_secs(12));
        assert_eq!(parse_retry_after(&past, now), Some(Duration::ZERO));
        assert_eq!(parse_retry_after("soon", now), None);
    }
}
