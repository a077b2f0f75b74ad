//! Tessera's HTTP layer: translates requests into domain calls and back (pages, JSON API).
