//! The pages through the whole application, driven like a browser (a cookie jar, same-origin
//! form posts carrying `_csrf`, redirects followed by hand): journeys, lockout, mobile
//! verification, rendering, security headers, the signer page, limited sessions and online
//! applications (線上申辦).

mod pages;
