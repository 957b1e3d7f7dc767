//! A history chart in Braille patterns, and the numbers that go with it. Pure: text
//! in, text out, no terminal.
//!
//! Braille patterns (U+2800–U+28FF) give each cell 2×4 dots and are East Asian
//! *neutral*, one cell wide in every terminal and in both ambiguous-width modes,
//! unlike the block elements (▁▂▃…), which TeraTerm and PuTTY in CJK mode draw
//! two cells wide.

use chrono::{Duration, NaiveTime, TimeZone};

use crate::model::time::{format_age, jst, JstDateTime};

/// The bit of each dot in a Braille cell, by [column][row] (rows top to bottom).
const DOTS: [[u8; 4]; 2] = [[0x01, 0x02, 0x04, 0x40], [0x08, 0x10, 0x20, 0x80]];

/// The Braille block's first character: the pattern with no dot.
const BRAILLE_BLANK: u32 = 0x2800;

/// Series drawn into one grid of Braille cells, on one shared scale.
#[derive(Clone, Debug, PartialEq)]
pub struct BrailleChart {
    /// The value of the top dot row; the bottom dot row is 0.
    pub max: f64,
    pub width: usize,
    pub height: usize,
    /// Per series, the dots of each cell, row by row (`height` × `width`).
    layers: Vec<Vec<u8>>,
}

impl BrailleChart {
    /// Plots the series on a scale from 0 to their largest value.
    pub fn new(series: &[&[Option<f64>]], width: usize, height: usize) -> Self {
        Self::with_max(series, width, height, scale_max(series))
    }

    /// Plots the series on a scale from 0 to `max` (say, a round number above the
    /// data, for a tidy label). Values above `max` are drawn at the top, values below
    /// 0 (a negative 空床) at the bottom.
    ///
    /// The values of a series are spread evenly across the width, first at the left
    /// edge and last at the right; neighbouring values are joined by a line, and a
    /// `None` leaves a gap. A value of 0 is a dot on the bottom row, so a 0 and a gap
    /// look different.
    pub fn with_max(series: &[&[Option<f64>]], width: usize, height: usize, max: f64) -> Self {
        let max = if max.is_finite() && max > 0.0 {
            max
        } else {
            0.0
        };
        let layers = series
            .iter()
            .map(|values| plot(values, width, height, max))
            .collect();
        Self {
            max,
            width,
            height,
            layers,
        }
    }

    /// The chart as `height` lines of `width` cells, every series together.
    pub fn lines(&self) -> Vec<String> {
        let merged =
            self.layers
                .iter()
                .fold(vec![0u8; self.width * self.height], |mut acc, layer| {
                    acc.iter_mut().zip(layer).for_each(|(a, b)| *a |= b);
                    acc
                });
        to_lines(&merged, self.width, self.height)
    }

    /// One series alone, on the shared scale: to paint it in its own colour.
    pub fn series_lines(&self, series: usize) -> Vec<String> {
        match self.layers.get(series) {
            Some(layer) => to_lines(layer, self.width, self.height),
            None => vec![" ".repeat(self.width); self.height],
        }
    }

    /// The series with the most dots in a cell (the first on a tie), for colouring
    /// a merged chart cell by cell; none for an empty cell.
    pub fn owner(&self, x: usize, y: usize) -> Option<usize> {
        if x >= self.width || y >= self.height {
            return None;
        }
        let i = y * self.width + x;
        self.layers
            .iter()
            .enumerate()
            .map(|(s, layer)| (s, layer[i].count_ones()))
            .filter(|(_, n)| *n > 0)
            .max_by(|a, b| a.1.cmp(&b.1).then(b.0.cmp(&a.0)))
            .map(|(s, _)| s)
    }
}

/// The largest value of all the series (0 when there is none): the top of the scale
/// [`braille_chart`] uses, for the caller's label.
pub fn scale_max(series: &[&[Option<f64>]]) -> f64 {
    series
        .iter()
        .flat_map(|s| s.iter().flatten())
        .copied()
        .filter(|v| v.is_finite())
        .fold(0.0, f64::max)
}

/// Plots series (say 即応病床, 入院中 and 空床 over 30 days, one value per day) into
/// `height` lines of exactly `width` Braille cells, on one scale from 0 to
/// [`scale_max`]. Empty cells are spaces. See [`BrailleChart::with_max`].
pub fn braille_chart(series: &[&[Option<f64>]], width: usize, height: usize) -> Vec<String> {
    BrailleChart::new(series, width, height).lines()
}

fn to_lines(cells: &[u8], width: usize, height: usize) -> Vec<String> {
    if width == 0 {
        return vec![String::new(); height];
    }
    cells
        .chunks(width)
        .map(|row| {
            row.iter()
                .map(|&bits| match bits {
                    0 => ' ',
                    bits => char::from_u32(BRAILLE_BLANK + u32::from(bits)).unwrap_or(' '),
                })
                .collect()
        })
        .collect()
}

/// The dots of one series.
fn plot(values: &[Option<f64>], width: usize, height: usize, max: f64) -> Vec<u8> {
    let mut cells = vec![0u8; width * height];
    let (dots_x, dots_y) = (width * 2, height * 4);
    if dots_x == 0 || dots_y == 0 || values.is_empty() {
        return cells;
    }
    let mut set = |x: usize, y: usize| {
        // y counts dot rows from the bottom.
        let row = dots_y - 1 - y.min(dots_y - 1);
        let x = x.min(dots_x - 1);
        cells[(row / 4) * width + x / 2] |= DOTS[x % 2][row % 4];
    };
    let n = values.len();
    let x_of = |i: usize| {
        if n == 1 {
            0
        } else {
            (i * (dots_x - 1) + (n - 1) / 2) / (n - 1)
        }
    };
    let y_of = |v: f64| {
        if max <= 0.0 || !v.is_finite() {
            return 0;
        }
        let level = (v.clamp(0.0, max) / max * (dots_y - 1) as f64).round();
        level as usize
    };
    let mut previous: Option<(usize, usize)> = None;
    for (i, value) in values.iter().enumerate() {
        let Some(v) = value.filter(|v| v.is_finite()) else {
            previous = None;
            continue;
        };
        let point = (x_of(i), y_of(v));
        match previous {
            Some(from) => line(from, point, &mut set),
            None => set(point.0, point.1),
        }
        previous = Some(point);
    }
    cells
}

/// Bresenham's line from `a` to `b`, both ends included.
fn line(a: (usize, usize), b: (usize, usize), set: &mut impl FnMut(usize, usize)) {
    let (mut x, mut y) = (a.0 as i64, a.1 as i64);
    let (x1, y1) = (b.0 as i64, b.1 as i64);
    let dx = (x1 - x).abs();
    let dy = -(y1 - y).abs();
    let sx = if x < x1 { 1 } else { -1 };
    let sy = if y < y1 { 1 } else { -1 };
    let mut err = dx + dy;
    loop {
        set(x as usize, y as usize);
        if x == x1 && y == y1 {
            break;
        }
        let e2 = 2 * err;
        if e2 >= dy {
            err += dy;
            x += sx;
        }
        if e2 <= dx {
            err += dx;
            y += sy;
        }
    }
}

/// One value per day from a step history (each point holds until the next, as the
/// store's `hospital_history` gives them): for day `k` (the JST calendar day of
/// `from` + k days), the value in force at the end of that day. None for a day that
/// ends before the first point. Points need not be sorted.
pub fn sample_daily(
    points: &[(JstDateTime, i64)],
    from: JstDateTime,
    days: usize,
) -> Vec<Option<f64>> {
    let mut sorted: Vec<(JstDateTime, i64)> = points.to_vec();
    sorted.sort_by_key(|(t, _)| *t);
    let first_day = from.with_timezone(&jst()).date_naive();
    (0..days)
        .map(|k| {
            let next_day = first_day + Duration::days(k as i64 + 1);
            let end = jst()
                .from_local_datetime(&next_day.and_time(NaiveTime::MIN))
                .single()?;
            // The last point before the day's end.
            let before = sorted.partition_point(|(t, _)| *t < end);
            before.checked_sub(1).map(|i| sorted[i].1 as f64)
        })
        .collect()
}

/// How often a hospital reports, in Japanese, as seen at `now` (the dashboard's
/// clock): 「1日あたり 約3.2回（最後 2時間前）」. The rate is the number of distinct
/// report times over the time from the first to `now` (at least a day); under once
/// a day it reads per week: 「1週間あたり 約2回」.
pub fn report_frequency_at(times: &[JstDateTime], now: &JstDateTime) -> String {
    let mut times: Vec<JstDateTime> = times.to_vec();
    times.sort();
    times.dedup();
    let (Some(first), Some(last)) = (times.first(), times.last()) else {
        return "報告なし".to_string();
    };
    let last_age = format_age(now.signed_duration_since(*last));
    if times.len() == 1 {
        return format!("報告 1回のみ（最後 {last_age}）");
    }
    let span = now
        .signed_duration_since(*first)
        .max(Duration::days(1))
        .num_seconds() as f64
        / 86_400.0;
    let per_day = times.len() as f64 / span;
    let rate = if per_day >= 1.0 {
        format!("1日あたり 約{}回", one_decimal(per_day))
    } else {
        format!("1週間あたり 約{}回", one_decimal(per_day * 7.0))
    };
    format!("{rate}（最後 {last_age}）")
}

/// The dates under a chart `width` cells wide: the first day at the left, the
/// last at the right (「10/03          11/01」); empty when they do not fit.
pub fn date_axis(first: &JstDateTime, last: &JstDateTime, width: usize) -> String {
    let (left, right) = (
        first.format("%m/%d").to_string(),
        last.format("%m/%d").to_string(),
    );
    let gap = width.saturating_sub(left.len() + right.len());
    if gap == 0 {
        return String::new();
    }
    format!("{left}{}{right}", " ".repeat(gap))
}

/// 3.2, 3 (not 3.0), 12 (no decimals from 10 up).
fn one_decimal(v: f64) -> String {
    if v >= 10.0 {
        return format!("{}", v.round());
    }
    let text = format!("{v:.1}");
    text.strip_suffix(".0").map(str::to_string).unwrap_or(text)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::time::parse_datetime;
    use crate::text::width::{str_width, AmbiguousWidth};

    fn at(text: &str) -> JstDateTime {
        parse_datetime(text).unwrap()
    }

    fn assert_shape(lines: &[String], width: usize, height: usize) {
        assert_eq!(lines.len(), height);
        for line in lines {
            for c in line.chars() {
                assert!(
                    c == ' ' || ('\u{2800}'..='\u{28FF}').contains(&c),
                    "{c:?} in {line:?}"
                );
            }
            for amb in [AmbiguousWidth::Narrow, AmbiguousWidth::Wide] {
                assert_eq!(str_width(line, amb), width, "{line:?} {amb:?}");
            }
        }
    }

    /// The dot rows (from the bottom) set in each dot column.
    fn columns(lines: &[String]) -> Vec<Vec<usize>> {
        let height = lines.len() * 4;
        let width = lines.first().map_or(0, |l| l.chars().count()) * 2;
        let mut out = vec![Vec::new(); width];
        for (row_cell, line) in lines.iter().enumerate() {
            for (col_cell, c) in line.chars().enumerate() {
                let bits = if c == ' ' {
                    0
                } else {
                    c as u32 - BRAILLE_BLANK
                } as u8;
                for (dx, dots) in DOTS.iter().enumerate() {
                    for (dy, bit) in dots.iter().enumerate() {
                        if bits & bit != 0 {
                            out[col_cell * 2 + dx].push(height - 1 - (row_cell * 4 + dy));
                        }
                    }
                }
            }
        }
        out
    }

    #[test]
    fn only_braille_and_spaces_exactly_width_cells() {
        let ready: Vec<Option<f64>> = (0..30).map(|i| Some(f64::from(i % 7) * 3.0)).collect();
        let inpatients: Vec<Option<f64>> = (0..30)
            .map(|i| (i % 5 != 0).then_some(f64::from(i % 4)))
            .collect();
        let free: Vec<Option<f64>> = vec![Some(-2.0), None, Some(1e9), Some(f64::NAN)];
        for (width, height) in [(30, 4), (1, 1), (7, 3), (80, 6), (60, 2)] {
            let lines = braille_chart(&[&ready, &inpatients, &free], width, height);
            assert_shape(&lines, width, height);
        }
        assert_shape(&braille_chart(&[], 10, 3), 10, 3);
        assert_shape(&braille_chart(&[&[None, None]], 10, 3), 10, 3);
        assert!(braille_chart(&[&ready], 0, 3).iter().all(String::is_empty));
        assert!(braille_chart(&[&ready], 5, 0).is_empty());
    }

    #[test]
    fn a_rising_series_rises() {
        let rising: Vec<Option<f64>> = (0..30).map(|i| Some(f64::from(i))).collect();
        let lines = braille_chart(&[&rising], 20, 4);
        assert_shape(&lines, 20, 4);
        let tops: Vec<usize> = columns(&lines)
            .iter()
            .map(|dots| *dots.iter().max().expect("every column has a dot"))
            .collect();
        assert_eq!(tops.first(), Some(&0));
        assert_eq!(tops.last(), Some(&15));
        assert!(tops.windows(2).all(|w| w[0] <= w[1]), "{tops:?}");
    }

    #[test]
    fn gaps_stay_empty_and_zero_is_a_dot() {
        let values = [
            Some(0.0),
            Some(0.0),
            None,
            None,
            None,
            None,
            Some(4.0),
            Some(4.0),
        ];
        let chart = BrailleChart::new(&[&values], 8, 2);
        assert_eq!(chart.max, 4.0);
        let cols = columns(&chart.lines());
        // 8 values over 16 dot columns: value i at column round(i * 15 / 7).
        assert_eq!(cols[0], [0]);
        assert_eq!(cols[2], [0]);
        assert!(cols[4..=12].iter().all(Vec::is_empty), "{cols:?}");
        assert_eq!(cols[13], [7]);
        assert_eq!(cols[15], [7]);
    }

    #[test]
    fn series_share_one_scale_and_can_be_told_apart() {
        let high = [Some(10.0), Some(10.0)];
        let low = [Some(2.0), Some(2.0)];
        let chart = BrailleChart::new(&[&high, &low], 2, 2);
        assert_eq!(scale_max(&[&high, &low]), 10.0);
        // 8 dot rows: 10 is the top row (7), 2 of 10 is row 1.4, drawn at 1.
        let cols = columns(&chart.series_lines(1));
        assert!(cols.iter().all(|c| c == &[1]), "{cols:?}");
        assert!(columns(&chart.series_lines(0)).iter().all(|c| c == &[7]));
        assert_eq!(chart.owner(0, 0), Some(0));
        assert_eq!(chart.owner(0, 1), Some(1));
        assert_eq!(chart.owner(9, 9), None);
        let fixed = BrailleChart::with_max(&[&[Some(5.0), Some(5.0)]], 2, 2, 20.0);
        assert_eq!(fixed.max, 20.0);
        assert!(columns(&fixed.lines()).iter().all(|c| c == &[2]));
    }

    #[test]
    fn daily_samples_take_the_value_at_each_days_end() {
        let points = [
            (at("2026/11/02 09:00"), 5),
            (at("2026/11/02 18:00"), 7),
            (at("2026/11/04 00:00"), 3),
            (at("2026/11/01 12:00"), 2),
        ];
        let days = sample_daily(&points, at("2026/10/31 15:00"), 6);
        assert_eq!(
            days,
            [None, Some(2.0), Some(7.0), Some(7.0), Some(3.0), Some(3.0)]
        );
        assert_eq!(sample_daily(&[], at("2026/11/01 00:00"), 2), [None, None]);
    }

    #[test]
    fn report_frequency_in_words() {
        let now = at("2026/11/30 12:00");
        // Three reports a day for 30 days, the last two hours ago.
        let last = at("2026/11/30 10:00");
        let times: Vec<JstDateTime> = (0..90).map(|i| last - Duration::hours(8 * i)).collect();
        let text = report_frequency_at(&times, &now);
        assert_eq!(text, "1日あたり 約3回（最後 2時間前）");
        assert_eq!(
            report_frequency_at(&[at("2026/11/30 10:00")], &now),
            "報告 1回のみ（最後 2時間前）"
        );
        assert_eq!(report_frequency_at(&[], &now), "報告なし");
        let weekly = [at("2026/11/02 10:00"), at("2026/11/16 10:00")];
        assert_eq!(
            report_frequency_at(&weekly, &now),
            "1週間あたり 約0.5回（最後 14日前）"
        );
        assert_eq!(
            date_axis(&at("2026/10/03 09:00"), &now, 14),
            "10/03    11/30"
        );
        assert_eq!(date_axis(&now, &now, 10), "");
        assert_eq!(one_decimal(3.0), "3");
        assert_eq!(one_decimal(3.24), "3.2");
        assert_eq!(one_decimal(12.4), "12");
    }
}
