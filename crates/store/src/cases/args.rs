//! Bound values of statements whose text is put together at run time (a move's `SET` list,
//! the review queue's filter), numbered as they are added.

use sqlx::Any;
use sqlx::any::AnyArguments;
use sqlx::query::Query;

/// A value to bind.
pub(crate) enum Arg {
    Int(Option<i64>),
    Text(Option<String>),
}

/// Values numbered `$first`, `$first + 1` … in the order they are pushed.
pub(crate) struct Args {
    first: usize,
    values: Vec<Arg>,
}

impl Args {
    /// Placeholders start at `$first` (those before are bound by the caller).
    pub(crate) fn starting_at(first: usize) -> Self {
        Self {
            first,
            values: Vec::new(),
        }
    }

    /// Adds `arg`; returns its placeholder (`$n`).
    pub(crate) fn push(&mut self, arg: Arg) -> String {
        self.values.push(arg);
        format!("${}", self.first + self.values.len() - 1)
    }

    /// Adds a text value; returns its placeholder.
    pub(crate) fn text(&mut self, value: &str) -> String {
        self.push(Arg::Text(Some(value.to_owned())))
    }

    /// Adds an integer; returns its placeholder.
    pub(crate) fn int(&mut self, value: i64) -> String {
        self.push(Arg::Int(Some(value)))
    }

    /// Binds the values, in order, to `q`.
    pub(crate) fn bind<'q>(
        &self,
        mut q: Query<'q, Any, AnyArguments<'q>>,
    ) -> Query<'q, Any, AnyArguments<'q>> {
        for arg in &self.values {
            q = match arg {
                Arg::Int(v) => q.bind(*v),
                Arg::Text(v) => q.bind(v.clone()),
            };
        }
        q
    }
}
