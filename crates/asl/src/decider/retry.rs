//! Matching errors against `Retry` and `Catch`, and the retry back-off.

use crate::error::names;
use crate::model::{Catcher, JitterStrategy, Retrier};

/// Whether an `ErrorEquals` list matches an error name.
///
/// `States.ALL` matches every error except `States.DataLimitExceeded` and the runtime
/// errors; `States.TaskFailed` matches every error except `States.Timeout` (and those
/// same terminal errors). `States.Runtime` is never caught or retried, even by name.
pub fn error_matches(error_equals: &[String], error: &str) -> bool {
    if error == names::RUNTIME {
        return false;
    }
    error_equals.iter().any(|name| match name.as_str() {
        names::ALL => error != names::DATA_LIMIT_EXCEEDED,
        names::TASK_FAILED => error != names::TIMEOUT && error != names::DATA_LIMIT_EXCEEDED,
        other => other == error,
    })
}

/// What to do about an error, given the retriers and how often each has retried.
#[derive(Debug, Clone, PartialEq)]
pub enum RetryDecision {
    /// Retry after this many seconds with retrier `index`.
    Retry { index: usize, delay_seconds: f64 },
    /// No retrier applies (or the matching one is exhausted).
    GiveUp,
}

/// Picks the first retrier whose `ErrorEquals` matches; if it still has attempts left,
/// retries after `IntervalSeconds × BackoffRate^attempts`, capped by `MaxDelaySeconds`.
/// With full jitter the delay is scaled by `jitter` (a number in `[0, 1)`).
pub fn decide_retry(
    retriers: &[Retrier],
    attempts: &[u64],
    error: &str,
    jitter: f64,
) -> RetryDecision {
    let Some(index) = retriers
        .iter()
        .position(|r| error_matches(&r.error_equals, error))
    else {
        return RetryDecision::GiveUp;
    };
    let retrier = &retriers[index];
    let done = attempts.get(index).copied().unwrap_or(0);
    if done >= retrier.max_attempts {
        return RetryDecision::GiveUp;
    }
    let exponent = i32::try_from(done).unwrap_or(i32::MAX);
    let mut delay = retrier.interval_seconds as f64 * retrier.backoff_rate.powi(exponent);
    if let Some(max) = retrier.max_delay_seconds {
        delay = delay.min(max as f64);
    }
    if !delay.is_finite() {
        delay = retrier.max_delay_seconds.unwrap_or(u32::MAX as u64) as f64;
    }
    if retrier.jitter_strategy == JitterStrategy::Full {
        delay *= jitter;
    }
    RetryDecision::Retry {
        index,
        delay_seconds: delay,
    }
}

/// The first catcher that matches the error.
pub fn find_catcher<'a>(catchers: &'a [Catcher], error: &str) -> Option<&'a Catcher> {
    catchers
        .iter()
        .find(|c| error_matches(&c.error_equals, error))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ResultPathSpec;

    fn retrier(errors: &[&str], interval: u64, max: u64, backoff: f64) -> Retrier {
        Retrier {
            error_equals: errors.iter().map(|s| s.to_string()).collect(),
            interval_seconds: interval,
            max_attempts: max,
            backoff_rate: backoff,
            max_delay_seconds: None,
            jitter_strategy: JitterStrategy::None,
        }
    }

    fn names(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| s.to_string()).collect()
    }

    #[test]
    fn all_matches_everything_but_terminal_errors() {
        let all = names(&["States.ALL"]);
        assert!(error_matches(&all, "Custom.Error"));
        assert!(error_matches(&all, "States.Timeout"));
        assert!(!error_matches(&all, "States.DataLimitExceeded"));
        assert!(!error_matches(&all, "States.Runtime"));
    }

    #[test]
    fn task_failed_matches_all_but_timeout() {
        let tf = names(&["States.TaskFailed"]);
        assert!(error_matches(&tf, "Lambda.Unknown"));
        assert!(!error_matches(&tf, "States.Timeout"));
        assert!(!error_matches(
            &names(&["States.Runtime"]),
            "States.Runtime"
        ));
        assert!(error_matches(&names(&["States.Timeout"]), "States.Timeout"));
    }

    #[test]
    fn backoff_grows_and_is_capped() {
        // The ASL specification's example: IntervalSeconds 3, BackoffRate 1.5 waits 3,
        // 4.5, 6.75 seconds.
        let r = vec![retrier(&["States.ALL"], 3, 3, 1.5)];
        let delays: Vec<_> = (0..3).map(|n| decide_retry(&r, &[n], "X", 0.5)).collect();
        assert_eq!(
            delays,
            vec![
                RetryDecision::Retry {
                    index: 0,
                    delay_seconds: 3.0
                },
                RetryDecision::Retry {
                    index: 0,
                    delay_seconds: 4.5
                },
                RetryDecision::Retry {
                    index: 0,
                    delay_seconds: 6.75
                },
            ]
        );
        assert_eq!(decide_retry(&r, &[3], "X", 0.5), RetryDecision::GiveUp);

        let mut capped = r.clone();
        capped[0].max_delay_seconds = Some(4);
        assert_eq!(
            decide_retry(&capped, &[2], "X", 0.5),
            RetryDecision::Retry {
                index: 0,
                delay_seconds: 4.0
            }
        );
        capped[0].jitter_strategy = JitterStrategy::Full;
        assert_eq!(
            decide_retry(&capped, &[2], "X", 0.5),
            RetryDecision::Retry {
                index: 0,
                delay_seconds: 2.0
            }
        );
    }

    #[test]
    fn first_matching_retrier_decides_even_when_exhausted() {
        let r = vec![
            retrier(&["A"], 1, 0, 2.0),
            retrier(&["States.ALL"], 1, 3, 2.0),
        ];
        assert_eq!(decide_retry(&r, &[0, 0], "A", 0.0), RetryDecision::GiveUp);
        assert_eq!(
            decide_retry(&r, &[0, 0], "B", 0.0),
            RetryDecision::Retry {
                index: 1,
                delay_seconds: 1.0
            }
        );
    }

    #[test]
    fn catchers_are_tried_in_order() {
        let c = vec![
            Catcher {
                error_equals: names(&["A"]),
                next: "HandleA".into(),
                result_path: ResultPathSpec::Replace,
                assign: None,
                output: None,
            },
            Catcher {
                error_equals: names(&["States.ALL"]),
                next: "HandleAll".into(),
                result_path: ResultPathSpec::Replace,
                assign: None,
                output: None,
            },
        ];
        assert_eq!(
            find_catcher(&c, "A").map(|c| c.next.as_str()),
            Some("HandleA")
        );
        assert_eq!(
            find_catcher(&c, "B").map(|c| c.next.as_str()),
            Some("HandleAll")
        );
        assert!(find_catcher(&c, "States.Runtime").is_none());
    }
}
