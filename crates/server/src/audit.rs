//! Exporting a workspace's audit log (`userdesk-server audit`): JSON lines, one entry a line, or
//! CSV, one changed field a row, for a spreadsheet.

use std::io::Write;

use chrono::{DateTime, NaiveDate, SecondsFormat, Utc};
use userdesk_model::{AuditEntry, AuditOutcome};

/// How the log is written out.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum AuditFormat {
    /// One JSON object a line, as the API answers each entry.
    Jsonl,
    /// One row per changed field (a refused mutation: one row with its request).
    Csv,
}

/// The CSV's columns.
pub const CSV_HEADER: [&str; 15] = [
    "seq",
    "at",
    "manager",
    "client_id",
    "mutation_id",
    "mutation",
    "outcome",
    "refusal_code",
    "refusal_message",
    "record",
    "key",
    "field",
    "before",
    "after",
    "request",
];

/// Reads `--since`: an RFC 3339 time, or a day (midnight UTC).
pub fn parse_since(text: &str) -> Result<DateTime<Utc>, String> {
    if let Ok(at) = DateTime::parse_from_rfc3339(text) {
        return Ok(at.with_timezone(&Utc));
    }
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .ok()
        .and_then(|day| day.and_hms_opt(0, 0, 0))
        .map(|at| at.and_utc())
        .ok_or_else(|| {
            format!("{text:?} is neither a day (2026-12-01) nor a time (2026-12-01T09:00:00Z)")
        })
}

/// Writes the entries as JSON lines.
pub fn write_jsonl(out: &mut impl Write, entries: &[AuditEntry]) -> std::io::Result<()> {
    for entry in entries {
        serde_json::to_writer(&mut *out, entry)?;
        out.write_all(b"\n")?;
    }
    Ok(())
}

/// Writes the CSV's header row.
pub fn write_csv_header(out: &mut impl Write) -> std::io::Result<()> {
    write_row(out, &CSV_HEADER.map(String::from))
}

/// Writes the entries as CSV rows.
pub fn write_csv(out: &mut impl Write, entries: &[AuditEntry]) -> std::io::Result<()> {
    for entry in entries {
        let outcome = match entry.outcome {
            AuditOutcome::Applied => "applied",
            AuditOutcome::Refused => "refused",
        };
        let (code, message) = match &entry.refusal {
            Some(refusal) => (
                serde_json::to_value(refusal.code)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_string))
                    .unwrap_or_default(),
                refusal.message.clone(),
            ),
            None => (String::new(), String::new()),
        };
        let head = [
            entry.seq.to_string(),
            entry.at.to_rfc3339_opts(SecondsFormat::Millis, true),
            entry.manager.clone(),
            entry.client_id.to_string(),
            entry.mutation_id.to_string(),
            entry.mutation.clone(),
            outcome.to_string(),
            code,
            message,
        ];
        if entry.changes.is_empty() {
            let request = if entry.request.is_null() {
                String::new()
            } else {
                entry.request.to_string()
            };
            let row: Vec<String> = head
                .iter()
                .cloned()
                .chain(std::iter::repeat_n(String::new(), 5))
                .chain([request])
                .collect();
            write_row(out, &row)?;
        }
        for change in &entry.changes {
            let row: Vec<String> = head
                .iter()
                .cloned()
                .chain([
                    change.record.clone(),
                    change.key.clone(),
                    change.field.clone(),
                    plain(&change.before),
                    plain(&change.after),
                    String::new(),
                ])
                .collect();
            write_row(out, &row)?;
        }
    }
    Ok(())
}

/// A value as a cell: text as itself, null as nothing, anything else as JSON.
fn plain(value: &serde_json::Value) -> String {
    match value {
        serde_json::Value::Null => String::new(),
        serde_json::Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn write_row(out: &mut impl Write, cells: &[String]) -> std::io::Result<()> {
    let line: Vec<String> = cells.iter().map(|c| cell(c)).collect();
    out.write_all(line.join(",").as_bytes())?;
    out.write_all(b"\r\n")
}

/// One CSV cell (RFC 4180). A value a spreadsheet would run as a formula (=, +, -, @, a tab or a
/// carriage return first) is kept as text by a leading apostrophe: an audit log holds what
/// anyone typed.
fn cell(value: &str) -> String {
    let value = if value.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{value}")
    } else {
        value.to_string()
    };
    if value.contains([',', '"', '\n', '\r']) {
        format!("\"{}\"", value.replace('"', "\"\""))
    } else {
        value
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use userdesk_model::sync::ClientId;
    use userdesk_model::{AuditChange, AuditRefusal, ErrorCode};

    fn entry() -> AuditEntry {
        AuditEntry {
            seq: 7,
            at: parse_since("2026-12-01T09:30:00Z").unwrap(),
            manager: "ana@example.com".into(),
            client_id: ClientId::new(),
            mutation_id: 3,
            mutation: "profile.patch".into(),
            outcome: AuditOutcome::Applied,
            refusal: None,
            changes: vec![AuditChange {
                record: "profile".into(),
                key: "p1".into(),
                field: "first_name".into(),
                before: "Ada, \"the\" first".into(),
                after: "=HYPERLINK(\"x\")".into(),
            }],
            request: serde_json::Value::Null,
        }
    }

    #[test]
    fn cells_are_quoted_and_formulas_kept_as_text() {
        let mut out = Vec::new();
        write_csv(&mut out, &[entry()]).unwrap();
        let text = String::from_utf8(out).unwrap();
        assert!(text.contains(",\"Ada, \"\"the\"\" first\","), "{text}");
        assert!(text.contains(",\"'=HYPERLINK(\"\"x\"\")\",\r\n"), "{text}");
        assert!(text.starts_with("7,2026-12-01T09:30:00.000Z,ana@example.com,"));
    }

    #[test]
    fn a_refused_mutation_is_one_row_with_its_request() {
        let mut refused = entry();
        refused.outcome = AuditOutcome::Refused;
        refused.changes.clear();
        refused.refusal = Some(AuditRefusal {
            code: ErrorCode::Forbidden,
            message: "only an admin may delete profiles".into(),
        });
        refused.request = serde_json::json!({"profile_id": "p1"});
        let mut out = Vec::new();
        write_csv_header(&mut out).unwrap();
        write_csv(&mut out, &[refused]).unwrap();
        let text = String::from_utf8(out).unwrap();
        let rows: Vec<&str> = text.split("\r\n").filter(|r| !r.is_empty()).collect();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].split(',').count(), CSV_HEADER.len());
        assert!(rows[1].contains(",refused,forbidden,only an admin may delete profiles,"));
        assert!(
            rows[1].ends_with(",,,,,,\"{\"\"profile_id\"\":\"\"p1\"\"}\""),
            "{}",
            rows[1]
        );
    }

    #[test]
    fn since_is_a_day_or_a_time() {
        assert_eq!(
            parse_since("2026-12-01").unwrap(),
            parse_since("2026-12-01T00:00:00Z").unwrap()
        );
        assert_eq!(
            parse_since("2026-12-01T10:00:00+01:00").unwrap(),
            parse_since("2026-12-01T09:00:00Z").unwrap()
        );
        assert!(parse_since("yesterday")
            .unwrap_err()
            .contains("neither a day"));
    }
}
