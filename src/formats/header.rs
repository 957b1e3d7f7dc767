//! Finding a file's columns by the names in its header row: one routine for the
//! report importers and the masters. Each says which names it knows
//! ([`HeaderSpec`]); the routine finds them, keeps every other column as an
//! extra one, and refuses a header that repeats a column, lacks a required one,
//! or is not the document asked for.

use csv::ByteRecord;

use super::csv_records::decode_lossy;
use super::encoding::{self, DetectedEncoding};
use super::import::{ImportError, ImportErrorKind};

/// The columns one kind of document knows, by slot (0..[`slots`](Self::slots)).
pub(crate) trait HeaderSpec {
    /// How many known columns there are.
    fn slots(&self) -> usize;
    /// The known column a header name (trimmed, sanitised) stands for, with the
    /// rank of its spelling: 0 is the usual name. Where two columns name one slot,
    /// the better spelling wins and the other is kept as an extra; the same
    /// rank twice is an error.
    fn recognise(&self, name: &str) -> Option<(usize, usize)>;
    /// The slot's name for messages.
    fn slot_name(&self, slot: usize) -> &'static str;
    /// The slots a file must have, in the order a message lists them.
    fn required(&self) -> Vec<usize>;
    /// What the header shows the file to be instead, when it is another document.
    fn foreign(&self, _names: &[String], _line: u64) -> Option<ImportErrorKind> {
        None
    }
    /// The error for a header (readable in its encoding) with no known column at all.
    fn unrecognised(&self, line: u64) -> ImportErrorKind;
}

/// Where each column is in the file.
#[derive(Debug)]
pub(crate) struct HeaderLayout {
    /// By slot: the field index in a record.
    index: Vec<Option<usize>>,
    /// The header text of every column (trimmed, sanitised), for messages.
    pub names: Vec<String>,
    /// The field index of each column that is not a known one, in file order.
    pub extra_index: Vec<usize>,
    /// Their names.
    pub extra_names: Vec<String>,
    /// How many fields the header has.
    pub width: usize,
}

impl HeaderLayout {
    /// Reads the header `record` (on `line`, 0 when the source has no lines).
    pub(crate) fn read(
        record: &ByteRecord,
        encoding: DetectedEncoding,
        line: u64,
        source_name: &str,
        spec: &impl HeaderSpec,
    ) -> Result<Self, ImportError> {
        let fail = |kind: ImportErrorKind| Err(kind.of(source_name));
        let names: Vec<String> = record
            .iter()
            .map(|field| clean_name(&decode_lossy(field, encoding)))
            .collect();
        // The best spelling found for each slot: (field index, rank of the spelling).
        let mut best: Vec<Option<(usize, usize)>> = vec![None; spec.slots()];
        for (i, name) in names.iter().enumerate() {
            let Some((slot, rank)) = spec.recognise(name) else {
                continue;
            };
            match best[slot] {
                Some((_, taken)) if taken == rank => {
                    let column = spec.slot_name(slot);
                    return fail(ImportErrorKind::DuplicateColumn { line, column });
                }
                // A better spelling is already there: this column is kept as an extra.
                Some((_, taken)) if taken < rank => {}
                _ => best[slot] = Some((i, rank)),
            }
        }
        let index: Vec<Option<usize>> = best.iter().map(|b| b.map(|(i, _)| i)).collect();

        if let Some(kind) = spec.foreign(&names, line) {
            return fail(kind);
        }
        if index.iter().all(Option::is_none) {
            if record
                .iter()
                .any(|f| encoding::decode(f, encoding).is_none())
            {
                let encoding = encoding.label();
                return fail(ImportErrorKind::WrongEncoding { line, encoding });
            }
            return fail(spec.unrecognised(line));
        }
        let missing: Vec<&'static str> = spec
            .required()
            .into_iter()
            .filter(|&slot| index[slot].is_none())
            .map(|slot| spec.slot_name(slot))
            .collect();
        if !missing.is_empty() {
            return fail(ImportErrorKind::MissingColumns { line, missing });
        }
        let (extra_index, extra_names) = names
            .iter()
            .enumerate()
            .filter(|(i, name)| !index.contains(&Some(*i)) && !name.is_empty())
            .map(|(i, name)| (i, name.clone()))
            .unzip();
        Ok(Self {
            index,
            names,
            extra_index,
            extra_names,
            width: record.len(),
        })
    }

    /// The field index of a known column, if the file has it.
    pub(crate) fn column(&self, slot: usize) -> Option<usize> {
        self.index[slot]
    }

    /// A known column's field in `record`: empty when the file or the record lacks it.
    pub(crate) fn field<'r>(&self, record: &'r ByteRecord, slot: usize) -> &'r [u8] {
        self.column(slot).and_then(|i| record.get(i)).unwrap_or(b"")
    }
}

/// A header name as shown and matched: blanks and a BOM trimmed, control
/// characters neutralised.
fn clean_name(name: &str) -> String {
    let name = name.trim_matches(|c: char| c.is_whitespace() || c == '\u{feff}');
    crate::text::sanitize(name).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Two known columns: 「コード」 (also 「code」, a worse spelling), required,
    /// and 「名前」.
    struct Two;

    impl HeaderSpec for Two {
        fn slots(&self) -> usize {
            2
        }

        fn recognise(&self, name: &str) -> Option<(usize, usize)> {
            match name {
                "コード" => Some((0, 0)),
                "code" => Some((0, 1)),
                "名前" => Some((1, 0)),
                _ => None,
            }
        }

        fn slot_name(&self, slot: usize) -> &'static str {
            ["コード", "名前"][slot]
        }

        fn required(&self) -> Vec<usize> {
            vec![0]
        }

        fn unrecognised(&self, line: u64) -> ImportErrorKind {
            ImportErrorKind::NotAReport { line }
        }
    }

    fn read(fields: &[&str]) -> Result<HeaderLayout, ImportError> {
        let record: ByteRecord = fields.iter().map(|f| f.as_bytes()).collect();
        HeaderLayout::read(&record, DetectedEncoding::Utf8, 1, "h.csv", &Two)
    }

    #[test]
    fn known_columns_are_found_and_the_others_kept() {
        let layout = read(&["code", " 備考\u{1b} ", "\u{feff}コード", "", "名前"]).unwrap();
        assert_eq!(layout.column(0), Some(2));
        assert_eq!(layout.column(1), Some(4));
        assert_eq!(layout.extra_index, [0, 1]);
        assert_eq!(layout.extra_names, ["code", "備考?"]);
        assert_eq!(layout.width, 5);
        let record: ByteRecord = ["x", "y", "1310170043"].iter().collect();
        assert_eq!(layout.field(&record, 0), b"1310170043");
        assert_eq!(layout.field(&record, 1), b"");
    }

    #[test]
    fn a_bad_header_says_why() {
        let message = |fields: &[&str]| read(fields).unwrap_err().to_string();
        assert_eq!(
            message(&["コード", "コード"]),
            "h.csv:1: 列「コード」が二つあります"
        );
        assert_eq!(message(&["名前"]), "h.csv:1: 必須の列がありません: コード");
        assert_eq!(
            message(&["a", "b"]),
            "h.csv:1: G-MIS のレポートではありません（見出し行に G-MIS の列名がありません）"
        );
        let record: ByteRecord = [&b"\xff"[..]].into_iter().collect();
        let err = HeaderLayout::read(&record, DetectedEncoding::Utf8, 1, "h.csv", &Two);
        assert!(matches!(
            err.unwrap_err().kind,
            ImportErrorKind::WrongEncoding { line: 1, .. }
        ));
    }
}
