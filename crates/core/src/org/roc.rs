//! Times as the seed shows them: the Republic of China calendar in Asia/Taipei,
//! 「105年04月22日14點36分34秒」 (收件時間, 網頁下載時間), and the next business day used for the
//! review wait. Taiwan has kept UTC+8 without daylight saving since 1980, so a fixed offset is
//! exact for every time this platform records.

use time::{Duration, OffsetDateTime, UtcOffset, Weekday};

/// Asia/Taipei (UTC+8).
pub const TAIPEI: UtcOffset = match UtcOffset::from_hms(8, 0, 0) {
    Ok(o) => o,
    Err(_) => UtcOffset::UTC,
};

/// The ROC year is the Gregorian year minus 1911.
const ROC_OFFSET: i32 = 1911;

fn taipei(unix: i64) -> Option<OffsetDateTime> {
    OffsetDateTime::from_unix_timestamp(unix)
        .ok()
        .map(|t| t.to_offset(TAIPEI))
}

/// `unix` in ROC form in Asia/Taipei: 「105年04月22日14點36分34秒」. `None` before ROC year 1
/// or out of range.
pub fn roc_datetime(unix: i64) -> Option<String> {
    let t = taipei(unix)?;
    let year = t.year() - ROC_OFFSET;
    (year >= 1).then(|| {
        format!(
            "{year}年{:02}月{:02}日{:02}點{:02}分{:02}秒",
            u8::from(t.month()),
            t.day(),
            t.hour(),
            t.minute(),
            t.second()
        )
    })
}

/// `unix`'s date in ROC form in Asia/Taipei: 「105年04月22日」.
pub fn roc_date(unix: i64) -> Option<String> {
    let t = taipei(unix)?;
    let year = t.year() - ROC_OFFSET;
    (year >= 1).then(|| format!("{year}年{:02}月{:02}日", u8::from(t.month()), t.day()))
}

/// `unix` to the minute in ROC form in Asia/Taipei: 「105年04月22日14點36分」.
pub fn roc_minute(unix: i64) -> Option<String> {
    let t = taipei(unix)?;
    let year = t.year() - ROC_OFFSET;
    (year >= 1).then(|| {
        format!(
            "{year}年{:02}月{:02}日{:02}點{:02}分",
            u8::from(t.month()),
            t.day(),
            t.hour(),
            t.minute()
        )
    })
}

/// `unix`'s date in Asia/Taipei for English pages: `2016-04-22`.
pub fn taipei_date(unix: i64) -> Option<String> {
    let t = taipei(unix)?;
    Some(format!(
        "{:04}-{:02}-{:02}",
        t.year(),
        u8::from(t.month()),
        t.day()
    ))
}

/// `unix` in Asia/Taipei for English pages: `2016-04-22 14:36:34 (UTC+8)`.
pub fn taipei_datetime(unix: i64) -> Option<String> {
    let t = taipei(unix)?;
    Some(format!(
        "{:04}-{:02}-{:02} {:02}:{:02}:{:02} (UTC+8)",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second()
    ))
}

/// Midnight (Asia/Taipei) starting the first weekday after the day of `unix`, as unix seconds.
/// Public holidays are not known here: only Saturdays and Sundays are skipped.
pub fn next_business_day_start(unix: i64) -> Option<i64> {
    let mut day = taipei(unix)?.date();
    loop {
        day = day.next_day()?;
        if !matches!(day.weekday(), Weekday::Saturday | Weekday::Sunday) {
            break;
        }
    }
    let midnight = day.midnight().assume_offset(TAIPEI);
    Some(midnight.unix_timestamp())
}

/// `unix` plus whole days (for fixed waits), saturating.
pub fn plus_days(unix: i64, days: i64) -> i64 {
    unix.saturating_add(Duration::days(days).whole_seconds())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 2016-04-22 14:36:34 in Taipei = 06:36:34 UTC.
    const SEED_RECEIPT: i64 = 1_461_306_994;

    #[test]
    fn seed_receipt_time_in_roc_form() {
        assert_eq!(
            roc_datetime(SEED_RECEIPT).as_deref(),
            Some("105年04月22日14點36分34秒")
        );
        assert_eq!(
            taipei_datetime(SEED_RECEIPT).as_deref(),
            Some("2016-04-22 14:36:34 (UTC+8)")
        );
    }

    #[test]
    fn the_date_follows_taipei_not_utc() {
        // 2022-11-14 16:30 UTC is already 11月15日 00:30 in Taipei.
        assert_eq!(
            roc_datetime(1_668_443_400).as_deref(),
            Some("111年11月15日00點30分00秒")
        );
        assert_eq!(roc_date(1_668_443_400).as_deref(), Some("111年11月15日"));
        assert_eq!(
            roc_minute(1_668_443_400).as_deref(),
            Some("111年11月15日00點30分")
        );
        assert_eq!(taipei_date(1_668_443_400).as_deref(), Some("2022-11-15"));
        // ROC year 1 is 1912; earlier times have no ROC form.
        assert_eq!(roc_datetime(-1_900_000_000), None);
        assert_eq!(roc_date(-1_900_000_000), None);
        assert_eq!(roc_datetime(i64::MAX), None);
    }

    #[test]
    fn next_business_day_skips_weekends() {
        // Friday 2016-04-22 14:36 → Monday 2016-04-25 00:00 Taipei (= 04-24 16:00 UTC).
        assert_eq!(next_business_day_start(SEED_RECEIPT), Some(1_461_513_600));
        // Wednesday 2016-04-20 23:59:59 Taipei → Thursday 00:00 Taipei.
        let wed_late = 1_461_167_999;
        assert_eq!(next_business_day_start(wed_late), Some(wed_late + 1));
        assert_eq!(plus_days(10, 1), 86_410);
    }
}
