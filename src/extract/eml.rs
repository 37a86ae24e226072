//! E-mail (`.eml`): From, To, Subject and Date, the text bodies (HTML turned into text when there
//! is no plain one) and the attachments' names (their content is not read: a nested file is never
//! unpacked).

use mail_parser::{MessageParser, MimeHeaders};

use super::{ExtractError, Extracted, Limits, Method, TextSink};

pub fn extract(bytes: &[u8], limits: &Limits) -> Result<Extracted, ExtractError> {
    let message = MessageParser::default()
        .parse(bytes)
        .ok_or_else(|| ExtractError::unreadable("e-mail", "no message headers"))?;
    let mut sink = TextSink::new(limits.max_text_bytes);
    let mut line = |label: &str, value: &str| {
        let value = value.trim();
        if !value.is_empty() {
            sink.push(&format!("{label}: {value}\n"));
        }
    };
    let addresses = |a: Option<&mail_parser::Address<'_>>| -> String {
        a.map(|a| {
            a.iter()
                .map(|addr| match (addr.name(), addr.address()) {
                    (Some(n), Some(e)) => format!("{n} <{e}>"),
                    (Some(n), None) => n.to_owned(),
                    (None, Some(e)) => e.to_owned(),
                    (None, None) => String::new(),
                })
                .collect::<Vec<_>>()
                .join(", ")
        })
        .unwrap_or_default()
    };
    line("From", &addresses(message.from()));
    line("To", &addresses(message.to()));
    line("Subject", message.subject().unwrap_or_default());
    line("Date", &message.date().map(|d| d.to_rfc3339()).unwrap_or_default());
    let names: Vec<&str> = message.attachments().filter_map(|a| a.attachment_name()).collect();
    if !names.is_empty() {
        line("Attachments", &names.join(", "));
    }
    sink.push("\n");
    for i in 0..message.text_body_count() {
        if let Some(body) = message.body_text(i)
            && (!sink.push(body.trim_end()) || !sink.push("\n"))
        {
            break;
        }
    }
    Ok(Extracted {
        text: sink.into_text(),
        pages: None,
        method: Method::Eml,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    const PLAIN: &str = "From: Ada Vendor <billing@vendor.example>\r\n\
To: books@firm.example\r\n\
Subject: Invoice 2026-114 for November\r\n\
Date: Tue, 01 Dec 2026 10:30:00 +0100\r\n\
MIME-Version: 1.0\r\n\
Content-Type: multipart/mixed; boundary=\"b1\"\r\n\
\r\n\
--b1\r\n\
Content-Type: text/plain; charset=utf-8\r\n\
Content-Transfer-Encoding: quoted-printable\r\n\
\r\n\
Please find the invoice attached. Total due: 1.234,50 =E2=82=AC\r\n\
--b1\r\n\
Content-Type: application/pdf\r\n\
Content-Disposition: attachment; filename=\"invoice-2026-114.pdf\"\r\n\
Content-Transfer-Encoding: base64\r\n\
\r\n\
JVBERi0xLjcK\r\n\
--b1--\r\n";

    #[test]
    fn headers_body_and_attachment_names_are_read() {
        let out = extract(PLAIN.as_bytes(), &Limits::default()).unwrap();
        assert_eq!(out.method, Method::Eml);
        for want in [
            "From: Ada Vendor <billing@vendor.example>",
            "To: books@firm.example",
            "Subject: Invoice 2026-114 for November",
            "Date: 2026-12-01T10:30:00+01:00",
            "Attachments: invoice-2026-114.pdf",
            "Total due: 1.234,50 €",
        ] {
            assert!(out.text.contains(want), "{want:?} not in {:?}", out.text);
        }
        assert!(!out.text.contains("JVBER"), "{:?}", out.text);
    }

    #[test]
    fn an_html_only_mail_is_read_as_text() {
        let mail = "From: shop@example.com\r\nSubject: Receipt\r\nContent-Type: text/html\r\n\r\n\
<html><head><style>p{color:red}</style></head><body><p>Thank you for your <b>order</b> #991</p></body></html>\r\n";
        let out = extract(mail.as_bytes(), &Limits::default()).unwrap();
        assert!(out.text.contains("Thank you for your order #991"), "{:?}", out.text);
        assert!(!out.text.contains("<p>"), "{:?}", out.text);
        assert!(!out.text.contains("color:red"), "{:?}", out.text);
    }
}
