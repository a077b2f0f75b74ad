//! Tessera's domain rules, free of IO: identifiers (usernames, national ID numbers, mobiles),
//! the password policy, lockout rules, levels of assurance and the user-facing message catalog.
