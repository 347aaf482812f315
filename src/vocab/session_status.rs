//! The voice platform's session statuses (`webhooks/happyrobot`, SPEC §12), spelled as
//! the platform spells them; kept on sessions and calls and shown on the dashboard.

use serde::Serialize;
use utoipa::ToSchema;

// No doc comment on the type: its schema in the API document has no description.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "kebab-case")]
pub enum SessionStatus {
    Queued,
    InProgress,
    Completed,
    Busy,
    Missed,
    Canceled,
    Failed,
    Voicemail,
}

impl SessionStatus {
    pub const ALL: [SessionStatus; 8] = [
        SessionStatus::Queued,
        SessionStatus::InProgress,
        SessionStatus::Completed,
        SessionStatus::Busy,
        SessionStatus::Missed,
        SessionStatus::Canceled,
        SessionStatus::Failed,
        SessionStatus::Voicemail,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            SessionStatus::Queued => "queued",
            SessionStatus::InProgress => "in-progress",
            SessionStatus::Completed => "completed",
            SessionStatus::Busy => "busy",
            SessionStatus::Missed => "missed",
            SessionStatus::Canceled => "canceled",
            SessionStatus::Failed => "failed",
            SessionStatus::Voicemail => "voicemail",
        }
    }

    /// A status as the platform may send it: any case, `_` for `-`, `cancelled`.
    pub fn parse(raw: &str) -> Option<SessionStatus> {
        let s = raw.trim().to_ascii_lowercase().replace('_', "-");
        let s = if s == "cancelled" { "canceled".to_string() } else { s };
        SessionStatus::ALL.into_iter().find(|st| st.as_str() == s)
    }

    /// True once the session is over.
    pub fn is_terminal(self) -> bool {
        !matches!(self, SessionStatus::Queued | SessionStatus::InProgress)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_read_as_the_platform_sends_them() {
        assert_eq!(SessionStatus::parse(" In_Progress "), Some(SessionStatus::InProgress));
        assert_eq!(SessionStatus::parse("cancelled"), Some(SessionStatus::Canceled));
        assert_eq!(SessionStatus::parse("ringing"), None);
        for s in SessionStatus::ALL {
            assert_eq!(SessionStatus::parse(s.as_str()), Some(s));
            assert_eq!(serde_json::to_value(s).unwrap(), s.as_str());
        }
        assert!(SessionStatus::Voicemail.is_terminal() && !SessionStatus::Queued.is_terminal());
    }
}
