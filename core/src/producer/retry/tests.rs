use super::*;

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

/// Sends `batch` at `now` and settles it with `result`.
fn answer(batch: &mut BatchRetry, now: i64, result: Result<(), ErrorCode>) -> Settle {
    batch.sent(now);
    batch.settle(now, result, true)
}

#[test]
fn an_acknowledged_batch_is_done_whatever_came_before() {
    let mut batch = BatchRetry::new(RetryPolicy::kafkajs(5, 300, 30_000));
    assert_eq!(
        answer(&mut batch, 0, Err(ErrorCode::NotLeaderOrFollower)),
        Settle::RetryAt(300)
    );
    assert_eq!(answer(&mut batch, 300, Ok(())), Settle::Done);
    assert_eq!(batch.attempts(), 2);
    assert_eq!(batch.first_sent(), Some(0));
}

#[test]
fn kafkajs_waits_double_up_to_max_retry_time_and_stop_after_retries() {
    let policy = RetryPolicy::kafkajs(5, 300, 2_000);
    let mut batch = BatchRetry::new(policy);
    let mut now = 1_000;
    let mut waits = Vec::new();
    loop {
        match answer(&mut batch, now, Err(ErrorCode::LeaderNotAvailable)) {
            Settle::RetryAt(at) => {
                waits.push(at - now);
                now = at;
            }
            Settle::Fail { error, attempts } => {
                assert_eq!(error, ErrorCode::LeaderNotAvailable);
                assert_eq!(attempts, 6, "the first send and 5 retries");
                break;
            }
            Settle::Done => unreachable!("never acknowledged"),
        }
    }
    assert_eq!(waits, [300, 600, 1_200, 2_000, 2_000]);
    assert_eq!(policy.backoff(100), 2_000, "no overflow far out");
}

#[test]
fn zero_retries_fail_on_the_first_retriable_error() {
    let mut batch = BatchRetry::new(RetryPolicy::kafkajs(0, 300, 30_000));
    assert_eq!(
        answer(&mut batch, 0, Err(ErrorCode::NotLeaderOrFollower)),
        Settle::Fail {
            error: ErrorCode::NotLeaderOrFollower,
            attempts: 1
        }
    );
}

#[test]
fn a_non_retriable_error_fails_at_once() {
    for policy in [RetryPolicy::kafkajs(5, 300, 30_000), RetryPolicy::java(10)] {
        let mut batch = BatchRetry::new(policy);
        assert_eq!(
            answer(&mut batch, 0, Err(ErrorCode::MessageTooLarge)),
            Settle::Fail {
                error: ErrorCode::MessageTooLarge,
                attempts: 1
            }
        );
    }
}

#[test]
fn which_errors_each_policy_retries() {
    // Appended nothing: both retry.
    for error in [
        ErrorCode::NotLeaderOrFollower,
        ErrorCode::UnknownTopicOrPartition,
        ErrorCode::LeaderNotAvailable,
        ErrorCode::NotEnoughReplicas,
        ErrorCode::NetworkException,
    ] {
        assert!(
            RetriableErrors::NothingAppended.contains(error),
            "{error:?}"
        );
        assert!(RetriableErrors::Retriable.contains(error), "{error:?}");
    }
    // Retriable for Kafka, but the records may have been appended: only KafkaJS retries
    // (and may duplicate), the world's producer without producer ids does not.
    for error in [
        ErrorCode::RequestTimedOut,
        ErrorCode::NotEnoughReplicasAfterAppend,
    ] {
        assert!(
            !RetriableErrors::NothingAppended.contains(error),
            "{error:?}"
        );
        assert!(RetriableErrors::Retriable.contains(error), "{error:?}");
    }
    for error in [
        ErrorCode::InvalidTopicException,
        ErrorCode::MessageTooLarge,
        ErrorCode::InvalidRecord,
    ] {
        assert!(
            !RetriableErrors::NothingAppended.contains(error),
            "{error:?}"
        );
        assert!(!RetriableErrors::Retriable.contains(error), "{error:?}");
    }
}

#[test]
fn java_retries_every_100_ms_until_the_delivery_timeout() {
    let mut batch = BatchRetry::new(RetryPolicy::java(u32::MAX));
    let mut now = 5_000;
    let mut sends = 0;
    let failed_at = loop {
        sends += 1;
        match answer(&mut batch, now, Err(ErrorCode::NotEnoughReplicas)) {
            Settle::RetryAt(at) => {
                assert_eq!(at - now, 100, "constant retry.backoff.ms");
                now = at;
            }
            Settle::Fail { attempts, .. } => {
                assert_eq!(attempts, sends);
                break now;
            }
            Settle::Done => unreachable!(),
        }
    };
    assert_eq!(
        failed_at - 5_000,
        DELIVERY_TIMEOUT_MS,
        "the answer at delivery.timeout.ms after the first send is the last"
    );
}

#[test]
fn java_with_few_retries_stops_before_the_timeout() {
    let mut batch = BatchRetry::new(RetryPolicy::java(3));
    let mut now = 0;
    let mut sends = 0;
    while let Settle::RetryAt(at) = answer(&mut batch, now, Err(ErrorCode::NetworkException)) {
        sends += 1;
        now = at;
    }
    assert_eq!((sends, batch.attempts()), (3, 4));
}

#[test]
fn a_closing_producer_does_not_retry() {
    let mut batch = BatchRetry::new(RetryPolicy::kafkajs(5, 300, 30_000));
    batch.sent(0);
    assert_eq!(
        batch.settle(0, Err(ErrorCode::NotLeaderOrFollower), false),
        Settle::Fail {
            error: ErrorCode::NotLeaderOrFollower,
            attempts: 1
        }
    );
}
