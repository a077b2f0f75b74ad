//! An email notice and its rendering into an RFC 5322 message (UTF-8 subject encoded per
//! RFC 2047, `text/plain; charset=utf-8` body).

use crate::NotifyError;
use lettre::Message;
use lettre::message::header::{ContentTransferEncoding, ContentType, MIME_VERSION_1_0};
use lettre::message::{Body, Mailbox};

/// One plain-text email.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Email {
    /// Recipient address.
    pub to: String,
    /// Subject, any Unicode.
    pub subject: String,
    /// Plain-text body, any Unicode.
    pub body_text: String,
}

impl Email {
    /// Builds the message. With `eight_bit`, the UTF-8 body is written as is (readable in
    /// the file, links intact) when its lines allow; otherwise lettre picks a 7-bit-safe
    /// transfer encoding suitable for any SMTP server.
    pub(crate) fn to_message(
        &self,
        from: &Mailbox,
        eight_bit: bool,
    ) -> Result<Message, NotifyError> {
        let to: Mailbox = self
            .to
            .trim()
            .parse()
            .map_err(|_| NotifyError::InvalidAddress { which: "to" })?;
        let text = self.body_text.replace("\r\n", "\n");
        let body = if eight_bit {
            Body::new_with_encoding(text.clone(), ContentTransferEncoding::EightBit)
                .unwrap_or_else(|_| Body::new(text))
        } else {
            Body::new(text)
        };
        let message_id = format!(
            "<{}@{}>",
            uuid::Uuid::new_v4().simple(),
            from.email.domain()
        );
        Ok(Message::builder()
            .message_id(Some(message_id))
            .from(from.clone())
            .to(to)
            .subject(self.subject.as_str())
            .header(MIME_VERSION_1_0)
            .header(ContentType::TEXT_PLAIN)
            .body(body)?)
    }
}
