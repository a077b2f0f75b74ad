//! Outgoing notices: email to a Maildir (default) or over SMTP, SMS to a JSON-lines file
//! (default) or an HTTP gateway.
