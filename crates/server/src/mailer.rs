//! The mailer: each export or delete request becomes an email to its workspace's data-protection
//! address, sent over SMTP through the operator's relay, with its state recorded and failed
//! attempts retried with exponential backoff.

use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, Utc};
use lettre::message::header::ContentType;
use lettre::message::Mailbox;
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};
use tokio::sync::{oneshot, Notify};
use userdesk_model::DataRequestKind;

use crate::storage::{Delivery, PendingRequest, Storage, StorageError};

/// Requests mailed per round; the rest wait for the next.
const ROUND: u32 = 50;
/// Longest the mailer sleeps without looking for due requests.
const IDLE_WAKEUP: Duration = Duration::from_secs(60);

/// What went wrong setting up the mailer.
#[derive(Debug, thiserror::Error)]
pub enum MailerError {
    #[error("invalid SMTP relay URL: {0}")]
    RelayUrl(#[from] lettre::transport::smtp::Error),
    #[error("invalid sender address {0:?}: {1}")]
    Sender(String, lettre::address::AddressError),
}

/// How often and how patiently a failed email is retried.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Attempts before the request is failed for good.
    pub max_attempts: u32,
    /// The wait after the first failure; it doubles after each further one.
    pub first_delay: Duration,
    /// The longest wait between two attempts.
    pub max_delay: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            max_attempts: 8,
            first_delay: Duration::from_secs(60),
            max_delay: Duration::from_secs(3600),
        }
    }
}

impl RetryPolicy {
    /// When to try again after the `attempts`-th failed attempt, or `None` to give up.
    pub fn retry_at(&self, attempts: u32, now: DateTime<Utc>) -> Option<DateTime<Utc>> {
        if attempts >= self.max_attempts {
            return None;
        }
        let factor = 2u32.saturating_pow(attempts.saturating_sub(1));
        let delay = self.first_delay.saturating_mul(factor).min(self.max_delay);
        chrono::Duration::from_std(delay).ok().map(|d| now + d)
    }
}

/// How one round of mailing went.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Round {
    pub sent: u32,
    pub failed: u32,
}

/// Mails due data requests through one SMTP relay.
pub struct Mailer {
    storage: Arc<dyn Storage>,
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
    policy: RetryPolicy,
}

impl Mailer {
    /// A mailer sending through `relay_url` (`smtps://user:pass@host`, `smtp://host:587?tls=required`,
    /// or `smtp://host:port` unencrypted, for a relay on the same machine) as `from`.
    pub fn new(
        storage: Arc<dyn Storage>,
        relay_url: &str,
        from: &str,
        policy: RetryPolicy,
    ) -> Result<Self, MailerError> {
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(relay_url)?
            .timeout(Some(Duration::from_secs(30)))
            .build();
        let from = from
            .parse::<Mailbox>()
            .map_err(|e| MailerError::Sender(from.to_string(), e))?;
        Ok(Self {
            storage,
            transport,
            from,
            policy,
        })
    }

    /// Mails every request due at `now` (up to one round's worth) and records each outcome.
    pub async fn deliver_due(&self, now: DateTime<Utc>) -> Result<Round, StorageError> {
        let mut round = Round::default();
        for request in self.storage.due_requests(now, ROUND).await? {
            let delivery = match self.send(&request).await {
                Ok(()) => {
                    round.sent += 1;
                    Delivery::Sent
                }
                Err(Failure {
                    reason,
                    detail,
                    permanent,
                }) => {
                    round.failed += 1;
                    // The relay's own words (addresses, hosts, its software) stay in this log;
                    // the managers see the reason alone.
                    tracing::warn!(request = %request.id, %reason, %detail, "a data request's email failed");
                    let retry_at = if permanent {
                        None
                    } else {
                        self.policy.retry_at(request.attempts + 1, now)
                    };
                    Delivery::Failed { reason, retry_at }
                }
            };
            self.storage
                .record_delivery(request.id, &delivery, now)
                .await?;
        }
        Ok(round)
    }

    async fn send(&self, request: &PendingRequest) -> Result<(), Failure> {
        let message = compose(request, &self.from)?;
        self.transport.send(message).await.map_err(|e| {
            // A relay that says no for good (5xx) will say it again; anything else may pass.
            let permanent = e.is_permanent();
            Failure {
                permanent,
                reason: if permanent {
                    "the mail server refused the email for good: the workspace's administrator \
                     should check its data-protection address and the server's mail settings"
                        .to_string()
                } else {
                    "the mail server could not take the email now; Userdesk tries again later"
                        .to_string()
                },
                detail: e.to_string(),
            }
        })?;
        Ok(())
    }

    /// Mails due requests until `shutdown` fires: at once when `wakeup` rings (a push queued a
    /// request), else when the next retry is due, and at least every minute.
    pub async fn run(self, wakeup: Arc<Notify>, mut shutdown: oneshot::Receiver<()>) {
        loop {
            if let Err(error) = self.deliver_due(Utc::now()).await {
                tracing::warn!(%error, "the mailer could not read or record requests");
            }
            let pause = match self.storage.next_request_due().await {
                Ok(Some(next)) => (next - Utc::now()).to_std().unwrap_or(Duration::ZERO),
                _ => IDLE_WAKEUP,
            }
            .min(IDLE_WAKEUP)
            .max(Duration::from_millis(100));
            tokio::select! {
                _ = &mut shutdown => return,
                _ = wakeup.notified() => {}
                _ = tokio::time::sleep(pause) => {}
            }
        }
    }
}

/// Why an email did not go, and whether trying again can help.
struct Failure {
    /// What the managers are told (pulled with the request).
    reason: String,
    /// What the relay or the library said: for the server's log only.
    detail: String,
    permanent: bool,
}

/// Header text from data a manager or customer typed: no line breaks or other controls.
fn header_text(raw: &str) -> String {
    raw.chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .take(200)
        .collect()
}

fn compose(request: &PendingRequest, from: &Mailbox) -> Result<Message, Failure> {
    let to = request
        .data_protection_email
        .parse::<Mailbox>()
        .map_err(|e| Failure {
            reason: format!(
                "the workspace's data-protection address {:?} is not valid",
                request.data_protection_email
            ),
            detail: e.to_string(),
            permanent: true,
        })?;
    let (verb, what) = match request.kind {
        DataRequestKind::Export => (
            "export",
            "Please export this customer's data and send it to the manager.",
        ),
        DataRequestKind::Delete => (
            "delete",
            "Please delete this customer's data and confirm to the manager.",
        ),
    };
    let body = format!(
        "A manager of the workspace \"{workspace}\" asked Userdesk to {verb} a customer's data.\n\n\
         Customer:     {customer}\n\
         Requested by: {by}\n\
         Requested at: {at} (UTC)\n\
         Request id:   {id}\n\n\
         {what}\n",
        workspace = request.workspace_name,
        customer = request.customer,
        by = request.requested_by,
        at = request.requested_at.format("%Y-%m-%d %H:%M:%S"),
        id = request.id,
    );
    Message::builder()
        .from(from.clone())
        .to(to)
        .subject(header_text(&format!(
            "Request to {verb} a customer's data ({})",
            request.workspace_name
        )))
        .header(ContentType::TEXT_PLAIN)
        .body(body)
        .map_err(|e| Failure {
            reason: "the email could not be built".to_string(),
            detail: e.to_string(),
            permanent: true,
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_back_off_exponentially_up_to_a_cap_then_stop() {
        let policy = RetryPolicy {
            max_attempts: 5,
            first_delay: Duration::from_secs(60),
            max_delay: Duration::from_secs(300),
        };
        let now = Utc::now();
        let wait = |n| (policy.retry_at(n, now).unwrap() - now).num_seconds();
        assert_eq!(wait(1), 60);
        assert_eq!(wait(2), 120);
        assert_eq!(wait(3), 240);
        assert_eq!(wait(4), 300);
        assert_eq!(policy.retry_at(5, now), None);
    }

    #[test]
    fn header_text_drops_line_breaks() {
        assert_eq!(
            header_text("Acme\r\nBcc: x@example.com"),
            "Acme  Bcc: x@example.com"
        );
    }
}
