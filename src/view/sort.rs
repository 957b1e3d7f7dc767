//! Sorting rows by any column: stable, numbers as numbers, codes as text,
//! blanks last in both directions.

use std::cmp::Ordering;
use std::ops::Range;

use super::Grouping;
use crate::model::{Column, JstDateTime, ReportRow};

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum SortDirection {
    #[default]
    Ascending,
    Descending,
}

impl SortDirection {
    pub fn reversed(self) -> Self {
        match self {
            SortDirection::Ascending => SortDirection::Descending,
            SortDirection::Descending => SortDirection::Ascending,
        }
    }

    /// ▲/▼ are ambiguous-width, so the marks are ASCII-safe words.
    pub fn label(self) -> &'static str {
        match self {
            SortDirection::Ascending => "昇順",
            SortDirection::Descending => "降順",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SortKey {
    pub column: Column,
    pub direction: SortDirection,
}

impl SortKey {
    /// Reads "空床", "free:desc", "確保病床:asc".
    pub fn parse(text: &str) -> Result<Self, String> {
        let (name, direction) = match text.rsplit_once(':') {
            Some((name, "asc")) => (name, SortDirection::Ascending),
            Some((name, "desc")) => (name, SortDirection::Descending),
            Some((_, other)) => {
                return Err(format!("並び順は asc か desc です（{other}）"));
            }
            None => (text, SortDirection::Ascending),
        };
        let column = Column::find(name).ok_or_else(|| format!("列「{name}」はありません"))?;
        Ok(Self { column, direction })
    }
}

/// A value as it sorts.
#[derive(Clone, PartialEq, PartialOrd)]
enum SortValue<'a> {
    Number(f64),
    /// The first eight bytes as a number, then the whole text: the same
    /// order as the text's, but most comparisons are of two numbers.
    Text(u64, &'a str),
    Time(i64),
}

/// A text's sort value.
fn text(s: &str) -> SortValue<'_> {
    let mut prefix = [0u8; 8];
    let n = s.len().min(8);
    prefix[..n].copy_from_slice(&s.as_bytes()[..n]);
    SortValue::Text(u64::from_be_bytes(prefix), s)
}

fn sort_value<'a>(row: &'a ReportRow, column: Column, now: &JstDateTime) -> Option<SortValue<'a>> {
    use SortValue::*;
    Some(match column {
        Column::Prefecture => text(&row.prefecture),
        Column::PrefectureNo => Number(f64::from(row.prefecture_no.get())),
        Column::MunicipalityCode => text(row.municipality_code.as_str()),
        Column::Municipality => text(&row.municipality),
        Column::AreaCode => text(row.area_code.as_str()),
        Column::AreaName => text(&row.area_name),
        Column::HospitalCode => text(row.hospital_code.as_str()),
        Column::HospitalName => text(&row.hospital_name),
        Column::RecordDate => Time(row.record_date.to_epoch_days().into()),
        Column::ReportedAt => Time(row.reported_at.timestamp()),
        Column::Secured | Column::Ready | Column::Inpatients | Column::Free => {
            Number(row.get(column)? as f64)
        }
        Column::Occupancy => Number(row.occupancy()?),
        Column::Age => Time(row.age(now).num_seconds()),
        Column::Status => Number(f64::from(row.flags(now).has_errors() as u8)),
        Column::Extra(i) => text(row.extra.get(i)?),
    })
}

/// A row's value on a column, none when blank.
fn value<'a>(row: &'a ReportRow, column: Column, now: &JstDateTime) -> Option<SortValue<'a>> {
    sort_value(row, column, now).filter(|v| !matches!(v, SortValue::Text(_, t) if t.is_empty()))
}

/// Compares two values; blanks go last whatever the direction.
fn compare_values(
    a: &Option<SortValue>,
    b: &Option<SortValue>,
    direction: SortDirection,
) -> Ordering {
    match (a, b) {
        (None, None) => Ordering::Equal,
        (None, Some(_)) => Ordering::Greater,
        (Some(_), None) => Ordering::Less,
        (Some(x), Some(y)) => {
            let ord = x.partial_cmp(y).unwrap_or(Ordering::Equal);
            match direction {
                SortDirection::Ascending => ord,
                SortDirection::Descending => ord.reverse(),
            }
        }
    }
}

/// Compares two rows on one column; blanks go last whatever the direction.
pub fn compare(a: &ReportRow, b: &ReportRow, key: SortKey, now: &JstDateTime) -> Ordering {
    compare_values(
        &value(a, key.column, now),
        &value(b, key.column, now),
        key.direction,
    )
}

/// Sorts row indices: by group first (so groups are contiguous), then by the
/// key; see [`Sorter`]. Gives where each group's rows are in `order` (none
/// when not grouped).
pub fn sort_rows(
    order: &mut [usize],
    rows: &[ReportRow],
    key: Option<SortKey>,
    group: Grouping,
    now: &JstDateTime,
    ranks: Option<&[u32]>,
) -> Vec<Range<usize>> {
    let sorter = Sorter::new(rows, key, group, now, ranks);
    let mut keys = vec![0u64; order.len()];
    let spreads = super::parallel::in_parts_into(order, &mut keys, |_, part, keys| {
        let mut spread = Spread::default();
        if sorter.reads_keys() {
            for (key, &i) in keys.iter_mut().zip(part) {
                *key = sorter.key(i, &mut spread);
            }
        }
        spread
    });
    let spread = spreads.into_iter().fold(Spread::default(), Spread::join);
    sorter.sort(order, keys, spread)
}

/// The sort of a view's rows, in two steps: [`Sorter::key`] of each row, in
/// file order and in the same pass that adds the rows up, then
/// [`Sorter::sort`]. Equal rows keep their file order (the rows come in
/// file order, as a view lists them). Each row's group and key are packed
/// with its index in one integer, so the sort is a radix sort of integers:
/// a key pressed on a million rows re-sorts in milliseconds. With `ranks`
/// (the key column's [`super::text_rank`]) text sorts as integers too;
/// without, by comparison.
pub struct Sorter<'a> {
    ordinals: Ordinals<'a>,
    group: Grouping,
    /// Whether rows are packed ([`Sorter::key`] reads them).
    packs: bool,
}

impl<'a> Sorter<'a> {
    pub fn new(
        rows: &'a [ReportRow],
        key: Option<SortKey>,
        group: Grouping,
        now: &'a JstDateTime,
        ranks: Option<&'a [u32]>,
    ) -> Self {
        let sorts = key.is_some() || group != Grouping::None;
        let text_without_ranks =
            key.is_some_and(|k| super::text_rank::sorts_as_text(k.column)) && ranks.is_none();
        Self {
            ordinals: Ordinals {
                rows,
                key,
                now,
                ranks,
            },
            group,
            packs: sorts && !text_without_ranks && rows.len() <= u32::MAX as usize,
        }
    }

    /// Whether [`Sorter::sort`] reads the keys: none are needed when
    /// nothing is sorted or text is compared as text.
    pub fn reads_keys(&self) -> bool {
        self.packs
    }

    /// Row `i`'s key, to hand to [`Sorter::sort`] in the row's place; its
    /// group and key are noted in `spread`.
    pub fn key(&self, i: usize, spread: &mut Spread) -> u64 {
        if !self.packs {
            return 0;
        }
        let rank = self.group.rank(&self.ordinals.rows[i]);
        spread.group = (spread.group.0.min(rank), spread.group.1.max(rank));
        let key = self.ordinals.of(i);
        if key == BLANK {
            spread.blanks = true;
        } else {
            let (low, high) = spread.key.unwrap_or((key, key));
            spread.key = Some((low.min(key), high.max(key)));
        }
        key
    }

    /// Sorts `order`, whose rows' [`Sorter::key`]s are `keys` (in the same
    /// places) with `spread` their spread; gives the groups' runs.
    pub fn sort(&self, order: &mut [usize], keys: Vec<u64>, spread: Spread) -> Vec<Range<usize>> {
        let Ordinals { rows, key, now, .. } = self.ordinals;
        let group = self.group;
        if group == Grouping::None && (key.is_none() || order.len() < 2) {
            return Vec::new();
        }
        if order.len() < 2 {
            return (0..order.len()).map(|_| 0..1).collect();
        }
        if !self.packs {
            return sort_compared(order, rows, key, group, now);
        }
        packed::sort(order, keys, &self.ordinals, group, spread)
            .unwrap_or_else(|| sort_compared(order, rows, key, group, now))
    }
}

/// The runs of equal groups in a sorted sequence, by position; none when
/// not grouped.
fn runs<T>(sorted: &[T], group: Grouping, group_of: impl Fn(&T) -> u128) -> Vec<Range<usize>> {
    if group == Grouping::None {
        return Vec::new();
    }
    let mut runs = Vec::new();
    let mut start = 0;
    for k in 1..=sorted.len() {
        if k == sorted.len() || group_of(&sorted[k]) != group_of(&sorted[start]) {
            runs.push(start..k);
            start = k;
        }
    }
    runs
}

/// Sorts by comparing values: text columns without ranks.
fn sort_compared(
    order: &mut [usize],
    rows: &[ReportRow],
    key: Option<SortKey>,
    group: Grouping,
    now: &JstDateTime,
) -> Vec<Range<usize>> {
    let direction = key.map_or(SortDirection::Ascending, |k| k.direction);
    let parts = super::parallel::in_parts(order, |_, part| {
        part.iter()
            .map(|&i| {
                let row = &rows[i];
                (
                    group.rank(row),
                    key.and_then(|k| value(row, k.column, now)),
                    i,
                )
            })
            .collect::<Vec<_>>()
    });
    let mut keyed: Vec<(u32, Option<SortValue>, usize)> = parts.concat();
    super::parallel::sort_by(&mut keyed, |a, b| {
        a.0.cmp(&b.0)
            .then_with(|| compare_values(&a.1, &b.1, direction))
            .then_with(|| a.2.cmp(&b.2))
    });
    let runs = runs(&keyed, group, |k| u128::from(k.0));
    for (slot, (_, _, i)) in order.iter_mut().zip(keyed) {
        *slot = i;
    }
    runs
}

/// Each row's value on the sort key as an integer in the value's order.
struct Ordinals<'a> {
    rows: &'a [ReportRow],
    key: Option<SortKey>,
    now: &'a JstDateTime,
    ranks: Option<&'a [u32]>,
}

/// The ordinal of a blank: after every value.
const BLANK: u64 = u64::MAX;

impl Ordinals<'_> {
    /// Row `i`'s ordinal, [`BLANK`] when blank; ascending, whatever the
    /// direction. Equal values have equal ordinals and a smaller value a
    /// smaller one, as [`compare`] orders them.
    fn of(&self, i: usize) -> u64 {
        let Some(key) = self.key else {
            return 0;
        };
        // No value reaches BLANK (it would be i64::MAX seconds, or a NaN's
        // bits); the clamp only keeps that true by construction.
        self.value(&self.rows[i], i, key.column)
            .map_or(BLANK, |v| v.min(BLANK - 1))
    }

    fn value(&self, row: &ReportRow, i: usize, column: Column) -> Option<u64> {
        Some(match column {
            Column::PrefectureNo => u64::from(row.prefecture_no.get()),
            Column::Secured | Column::Ready | Column::Inpatients | Column::Free => {
                signed(row.get(column)?)
            }
            Column::Occupancy => float(row.occupancy()?),
            Column::RecordDate => signed(row.record_date.to_epoch_days().into()),
            Column::ReportedAt => signed(row.reported_at.timestamp()),
            Column::Age => signed(row.age(self.now).num_seconds()),
            Column::Status => u64::from(row.flags(self.now).has_errors()),
            text => {
                let own = super::own_text(row, text)?;
                if own.is_empty() {
                    return None;
                }
                u64::from(*self.ranks?.get(i)?)
            }
        })
    }
}

/// An integer in the order of integers as unsigned ones.
fn signed(v: i64) -> u64 {
    (v as u64) ^ (1 << 63)
}

/// A number in the order of numbers, as unsigned bits; -0 is 0.
fn float(v: f64) -> u64 {
    let bits = (v + 0.0).to_bits();
    if bits >> 63 == 1 {
        !bits
    } else {
        bits | (1 << 63)
    }
}

/// The lowest and highest group and key of some rows.
#[derive(Clone, Copy, Debug)]
pub struct Spread {
    group: (u32, u32),
    /// Of the keys that are not blank; none when all are.
    key: Option<(u64, u64)>,
    blanks: bool,
}

impl Default for Spread {
    /// The spread of no rows.
    fn default() -> Self {
        Self {
            group: (u32::MAX, 0),
            key: None,
            blanks: false,
        }
    }
}

impl Spread {
    /// The spread of these rows and others.
    pub fn join(self, other: Spread) -> Spread {
        let key = match (self.key, other.key) {
            (Some(a), Some(b)) => Some((a.0.min(b.0), a.1.max(b.1))),
            (a, b) => a.or(b),
        };
        Spread {
            group: (
                self.group.0.min(other.group.0),
                self.group.1.max(other.group.1),
            ),
            key,
            blanks: self.blanks || other.blanks,
        }
    }
}

/// Rows sorted as packed integers: the group's place, then the key's, then
/// the row's index, each in as few bits as the rows need.
mod packed {
    use std::ops::Range;

    use super::super::{parallel, Grouping};
    use super::{runs, Ordinals, SortDirection, Spread, BLANK};
    use crate::model::radix;

    /// How each part goes into the packed integer.
    #[derive(Clone, Copy)]
    struct Layout {
        group_low: u32,
        key_low: u64,
        key_high: u64,
        descending: bool,
        key_bits: u32,
        index_bits: u32,
    }

    impl Layout {
        /// The layout, and the bits it takes; none for no rows.
        fn new(spread: Spread, rows: usize, descending: bool) -> Option<(Layout, u32)> {
            if spread.group.0 > spread.group.1 {
                return None;
            }
            let (key_low, key_high) = spread.key.unwrap_or((0, 0));
            // Places 0..=high-low for values, one more for blanks.
            let key_places = u128::from(key_high - key_low) + 1 + u128::from(spread.blanks);
            let layout = Layout {
                group_low: spread.group.0,
                key_low,
                key_high,
                descending,
                key_bits: bits(key_places - 1),
                index_bits: bits(rows.saturating_sub(1) as u128),
            };
            let group_bits = bits(u128::from(spread.group.1 - spread.group.0));
            Some((layout, group_bits + layout.key_bits + layout.index_bits))
        }

        /// The packed integer of a row: its group, its key's place (blanks
        /// after every value in both directions), its index.
        fn pack(&self, group: u32, ordinal: u64, index: usize) -> u128 {
            let place = match (ordinal, self.descending) {
                (BLANK, _) => u128::from(self.key_high - self.key_low) + 1,
                (v, false) => u128::from(v - self.key_low),
                (v, true) => u128::from(self.key_high - v),
            };
            let group = u128::from(group - self.group_low);
            (((group << self.key_bits) | place) << self.index_bits) | index as u128
        }
    }

    /// Bits needed to write `v`.
    fn bits(v: u128) -> u32 {
        128 - v.leading_zeros()
    }

    /// Sorts `order` (two rows or more) and gives the groups' runs; none,
    /// leaving it as it was, when the parts do not fit in 128 bits.
    pub(super) fn sort(
        order: &mut [usize],
        mut keys: Vec<u64>,
        ordinals: &Ordinals,
        group: Grouping,
        spread: Spread,
    ) -> Option<Vec<Range<usize>>> {
        let rows = ordinals.rows;
        let descending = ordinals
            .key
            .is_some_and(|k| k.direction == SortDirection::Descending);
        let (layout, width) = Layout::new(spread, rows.len(), descending)?;
        if width > 128 {
            return None;
        }
        let group_shift = layout.key_bits + layout.index_bits;
        let index_mask = (1u128 << layout.index_bits) - 1;
        let pack = |i: usize, key: u64| layout.pack(group.rank(&rows[i]), key, i);
        if width <= 64 {
            // The packed integers take the keys' place.
            parallel::in_parts_into(order, &mut keys, |_, part, keys| {
                for (key, &i) in keys.iter_mut().zip(part) {
                    *key = pack(i, *key) as u64;
                }
            });
            radix::sort(&mut keys);
            let runs = runs(&keys, group, |&w| u128::from(w) >> group_shift);
            for (slot, word) in order.iter_mut().zip(keys) {
                *slot = (u128::from(word) & index_mask) as usize;
            }
            Some(runs)
        } else {
            let mut words = vec![0u128; order.len()];
            parallel::in_parts_into(order, &mut words, |offset, part, words| {
                for ((word, &i), key) in words.iter_mut().zip(part).zip(&keys[offset..]) {
                    *word = pack(i, *key);
                }
            });
            drop(keys);
            radix::sort(&mut words);
            let runs = runs(&words, group, |&w| w >> group_shift);
            for (slot, word) in order.iter_mut().zip(words) {
                *slot = (word & index_mask) as usize;
            }
            Some(runs)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::test_rows::seed_row;
    use crate::model::time::parse_datetime;

    fn rows() -> Vec<ReportRow> {
        let mut rows = Vec::new();
        for (name, ready, inpatients) in [
            ("A", Some(5), Some(1)),
            ("B", None, Some(1)),
            ("C", Some(12), Some(2)),
            ("D", Some(3), Some(2)),
            ("E", Some(5), Some(1)),
        ] {
            let mut row = seed_row();
            row.hospital_name = name.into();
            row.ready = ready;
            row.inpatients = inpatients;
            rows.push(row);
        }
        rows
    }

    fn sorted(key: &str) -> String {
        let rows = rows();
        let mut order: Vec<usize> = (0..rows.len()).collect();
        let now = parse_datetime("2022/02/01 12:00").unwrap();
        sort_rows(
            &mut order,
            &rows,
            Some(SortKey::parse(key).unwrap()),
            Grouping::None,
            &now,
            None,
        );
        order
            .iter()
            .map(|&i| rows[i].hospital_name.as_ref())
            .collect()
    }

    #[test]
    fn numbers_sort_as_numbers_and_blanks_go_last() {
        // 空床: A 4, B blank, C 10, D 1, E 4
        assert_eq!(sorted("空床"), "DAECB");
        assert_eq!(
            sorted("free:desc"),
            "CAEDB",
            "stable and blanks last when descending"
        );
        assert_eq!(sorted("即応病床:asc"), "DAECB");
    }

    #[test]
    fn text_sorts_as_its_bytes_whatever_the_prefix() {
        let words = [
            "",
            "a",
            "ab",
            "ab\0",
            "abcdefgh",
            "abcdefgh\0",
            "abcdefghi",
            "abcdefgg",
            "東京",
            "東京都",
            "東",
            "第10病院",
            "第1病院",
            "第2病院",
            "\u{7f}",
            "é",
        ];
        for a in words {
            for b in words {
                let by_value = text(a).partial_cmp(&text(b));
                assert_eq!(by_value, Some(a.cmp(b)), "{a:?} {b:?}");
            }
        }
    }

    #[test]
    fn text_sorted_by_rank_is_in_the_same_order_as_by_text() {
        let mut rows = rows();
        for (row, name) in rows.iter_mut().zip(["第2", "", "第10", "第2", "abcdefghi"]) {
            row.hospital_name = name.into();
        }
        let now = parse_datetime("2022/02/01 12:00").unwrap();
        let cache = super::super::text_rank::TextRanks::default();
        rows[0].area_code = crate::model::AreaCode::parse("1302").unwrap();
        rows[4].area_code = crate::model::AreaCode::parse("1302").unwrap();
        for (key, group) in [
            ("name", Grouping::None),
            ("name:desc", Grouping::None),
            ("name:desc", Grouping::Area),
            ("二次医療圏番号", Grouping::None),
        ] {
            let key = SortKey::parse(key).unwrap();
            let ranks = cache.of(&rows, key.column).unwrap();
            let sort = |ranks: Option<&[u32]>| {
                let mut order: Vec<usize> = (0..rows.len()).collect();
                sort_rows(&mut order, &rows, Some(key), group, &now, ranks);
                order
            };
            assert_eq!(sort(Some(&ranks)), sort(None), "{key:?} {group:?}");
        }
        let mut order: Vec<usize> = (0..rows.len()).collect();
        let ranks = cache.of(&rows, Column::HospitalName).unwrap();
        let key = SortKey::parse("name:desc").unwrap();
        sort_rows(
            &mut order,
            &rows,
            Some(key),
            Grouping::None,
            &now,
            Some(&ranks),
        );
        assert_eq!(order, [0, 3, 2, 4, 1], "stable, blank last");
    }

    /// Rows with blanks, ties, negative 空床, equal and empty names, and
    /// reports from far apart, in a few groups of each kind.
    fn random_rows(rng: &mut fastrand::Rng, len: usize) -> Vec<ReportRow> {
        use crate::model::{AreaCode, MunicipalityCode, PrefectureNumber};
        let names = [
            "",
            "第1病院",
            "第10病院",
            "第2病院",
            "abcdefghi",
            "abcdefgh",
            "東京",
        ];
        let areas = ["1301", "1302", "0101", "4711"];
        let municipalities = ["131016", "131024", "011002", "472018"];
        let times = [
            "2022/02/01 11:32",
            "2022/02/01 11:33",
            "2022/01/31 09:00",
            "1999/12/31 23:59",
            "2090/06/01 00:00",
        ];
        let count = |rng: &mut fastrand::Rng| (rng.u8(..4) != 0).then(|| rng.u32(0..12));
        (0..len)
            .map(|_| {
                let mut row = seed_row();
                row.hospital_name = names[rng.usize(..names.len())].into();
                row.secured = count(rng);
                row.ready = count(rng);
                row.inpatients = count(rng);
                row.area_code = AreaCode::parse(areas[rng.usize(..areas.len())]).unwrap();
                row.municipality_code =
                    MunicipalityCode::parse(municipalities[rng.usize(..municipalities.len())])
                        .unwrap();
                row.prefecture_no = PrefectureNumber::new(rng.u8(1..=3)).unwrap();
                row.reported_at = parse_datetime(times[rng.usize(..times.len())]).unwrap();
                row.record_date = row.reported_at.date_naive() - chrono::Days::new(rng.u64(..3));
                row.extra = match rng.u8(..3) {
                    0 => Box::default(),
                    n => vec![names[usize::from(n) * 2].to_string()].into(),
                };
                row
            })
            .collect()
    }

    /// Today's rule as a plain stable sort: group, then the comparator.
    fn sorted_by_comparison(
        rows: &[ReportRow],
        key: SortKey,
        group: Grouping,
        now: &JstDateTime,
    ) -> Vec<usize> {
        let mut order: Vec<usize> = (0..rows.len()).collect();
        order.sort_by(|&a, &b| {
            let (a, b) = (&rows[a], &rows[b]);
            group
                .rank(a)
                .cmp(&group.rank(b))
                .then_with(|| compare(a, b, key, now))
        });
        order
    }

    fn every_key(report: &crate::model::Report) -> Vec<SortKey> {
        super::super::display_columns(report)
            .into_iter()
            .flat_map(|column| {
                [SortDirection::Ascending, SortDirection::Descending]
                    .map(|direction| SortKey { column, direction })
            })
            .collect()
    }

    const GROUPINGS: [Grouping; 4] = [
        Grouping::None,
        Grouping::Prefecture,
        Grouping::Area,
        Grouping::Municipality,
    ];

    #[test]
    fn packed_sorts_give_the_order_of_the_comparator() {
        let now = parse_datetime("2022/02/01 12:00").unwrap();
        let mut rng = fastrand::Rng::with_seed(2022);
        for len in [2, 3, 40, 700] {
            let report = crate::model::Report {
                extra_columns: vec!["備考".to_string()],
                rows: random_rows(&mut rng, len),
            };
            let rows = &report.rows;
            let cache = super::super::text_rank::TextRanks::default();
            for key in every_key(&report) {
                let ranks = cache.of(rows, key.column);
                for group in GROUPINGS {
                    let expected = sorted_by_comparison(rows, key, group, &now);
                    let sort = |ranks: Option<&[u32]>| {
                        let mut order: Vec<usize> = (0..rows.len()).collect();
                        sort_rows(&mut order, rows, Some(key), group, &now, ranks);
                        order
                    };
                    assert_eq!(sort(ranks.as_deref()), expected, "{len} {key:?} {group:?}");
                    if ranks.is_some() {
                        assert_eq!(sort(None), expected, "unranked {len} {key:?} {group:?}");
                    }
                }
            }
        }
    }

    #[test]
    fn grouping_alone_keeps_file_order_within_groups() {
        let now = parse_datetime("2022/02/01 12:00").unwrap();
        let rows = random_rows(&mut fastrand::Rng::with_seed(9), 300);
        for group in GROUPINGS {
            let mut order: Vec<usize> = (0..rows.len()).collect();
            sort_rows(&mut order, &rows, None, group, &now, None);
            let mut expected: Vec<usize> = (0..rows.len()).collect();
            expected.sort_by_key(|&i| group.rank(&rows[i]));
            assert_eq!(order, expected, "{group:?}");
        }
    }

    #[test]
    fn rows_sorted_in_parts_on_both_cores_give_the_same_order() {
        let now = parse_datetime("2022/02/01 12:00").unwrap();
        let rows = random_rows(
            &mut fastrand::Rng::with_seed(77),
            super::super::parallel::MIN_PART * 2 + 11,
        );
        for (key, group) in [
            ("空床:desc", Grouping::Area),
            ("即応病床", Grouping::None),
            ("使用率:desc", Grouping::Municipality),
        ] {
            let key = SortKey::parse(key).unwrap();
            let mut order: Vec<usize> = (0..rows.len()).collect();
            sort_rows(&mut order, &rows, Some(key), group, &now, None);
            assert_eq!(
                order,
                sorted_by_comparison(&rows, key, group, &now),
                "{key:?} {group:?}"
            );
        }
    }

    #[test]
    fn ordinals_keep_the_order_of_numbers() {
        let numbers = [-3.5, -0.0, 0.0, 1e-300, 0.25, 1.0, 7.0, f64::MAX];
        for a in numbers {
            for b in numbers {
                assert_eq!(
                    float(a).cmp(&float(b)),
                    a.partial_cmp(&b).unwrap(),
                    "{a} {b}"
                );
            }
        }
        let integers = [i64::MIN, -5, -1, 0, 1, 9, i64::MAX - 1];
        for a in integers {
            for b in integers {
                assert_eq!(signed(a).cmp(&signed(b)), a.cmp(&b), "{a} {b}");
            }
        }
    }

    #[test]
    fn parse_rejects_unknown_columns_and_directions() {
        assert!(SortKey::parse("nope").unwrap_err().contains("nope"));
        assert!(SortKey::parse("free:up").is_err());
        assert_eq!(
            SortKey::parse("name:desc").unwrap().direction,
            SortDirection::Descending
        );
    }
}
