//! The export dialog (`e`): view, encoding and file name, keyboard only.

use std::path::{Path, PathBuf};

use crossterm::event::{KeyCode, KeyEvent, KeyModifiers};

use super::effect::TakenName;
use crate::export::{proposed_name, ExportEncoding, ExportView};
use crate::model::JstDateTime;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Field {
    View,
    Encoding,
    Name,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Outcome {
    Continue,
    Cancel,
    Submit,
}

#[derive(Clone, Debug)]
pub struct ExportDialog {
    pub view: ExportView,
    pub encoding: ExportEncoding,
    /// The path as typed.
    pub name: String,
    pub focus: Field,
    /// The last attempt's failure, shown in the dialog.
    pub error: Option<String>,
    /// A typed name that is taken, which Enter now replaces.
    pub replace: Option<PathBuf>,
    folder: PathBuf,
    at: JstDateTime,
}

impl ExportDialog {
    /// A dialog with G-MIS's defaults: 詳細のみ, Shift-JIS, a name with the time.
    pub fn new(folder: &Path, at: JstDateTime) -> Self {
        let view = ExportView::Details;
        Self {
            view,
            encoding: ExportEncoding::Sjis,
            name: folder.join(proposed_name(&at, view)).display().to_string(),
            focus: Field::View,
            error: None,
            replace: None,
            folder: folder.to_path_buf(),
            at,
        }
    }

    pub fn path(&self) -> PathBuf {
        PathBuf::from(self.name.trim())
    }

    /// Whether the name is the one the dialog proposed (not typed over).
    pub fn is_proposed(&self) -> bool {
        self.path() == self.folder.join(proposed_name(&self.at, self.view))
    }

    /// What to do when a file of the name exists: a proposed name moves to a
    /// free one, a typed one is asked about, then replaced once confirmed.
    pub fn existing(&self) -> TakenName {
        if self.is_proposed() {
            TakenName::FreeName
        } else if self.replace.as_deref() == Some(self.path().as_path()) {
            TakenName::Replace
        } else {
            TakenName::Ask
        }
    }

    /// The file exists: say so, and let Enter replace it.
    pub fn ask_to_replace(&mut self, path: PathBuf) {
        self.error = Some(format!(
            "{} は既にあります。上書きするなら Enter、しないなら名前を変えてください",
            crate::text::sanitize(&path.display().to_string())
        ));
        self.replace = Some(path);
    }

    /// Why the name does not suit the view (`x.xlsx` for 詳細のみ), if it does not.
    pub fn mismatch(&self) -> Option<String> {
        ExportView::for_path(&self.path(), Some(self.view)).err()
    }

    pub fn handle(&mut self, key: KeyEvent) -> Outcome {
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        match key.code {
            KeyCode::Esc => return Outcome::Cancel,
            KeyCode::Enter => return Outcome::Submit,
            KeyCode::Tab | KeyCode::Down => self.focus = self.next_field(true),
            KeyCode::BackTab | KeyCode::Up => self.focus = self.next_field(false),
            KeyCode::Left | KeyCode::Right | KeyCode::Char(' ') if self.focus != Field::Name => {
                self.cycle(key.code != KeyCode::Left)
            }
            KeyCode::Backspace if self.focus == Field::Name => {
                self.name.pop();
            }
            KeyCode::Char('u') if ctrl && self.focus == Field::Name => self.name.clear(),
            KeyCode::Char(c) if self.focus == Field::Name && !ctrl => self.name.push(c),
            _ => {}
        }
        self.error = None;
        Outcome::Continue
    }

    /// The encoding only matters for CSV.
    fn next_field(&self, forward: bool) -> Field {
        let fields: &[Field] = match self.view {
            ExportView::Details => &[Field::View, Field::Encoding, Field::Name],
            ExportView::Formatted => &[Field::View, Field::Name],
        };
        let i = fields.iter().position(|f| *f == self.focus).unwrap_or(0);
        let n = fields.len();
        fields[if forward {
            (i + 1) % n
        } else {
            (i + n - 1) % n
        }]
    }

    fn cycle(&mut self, forward: bool) {
        match self.focus {
            Field::View => {
                let before = proposed_name(&self.at, self.view);
                self.view = match self.view {
                    ExportView::Details => ExportView::Formatted,
                    ExportView::Formatted => ExportView::Details,
                };
                // A name the user has not changed follows the view's extension.
                if self.path() == self.folder.join(&before) {
                    self.name = self
                        .folder
                        .join(proposed_name(&self.at, self.view))
                        .display()
                        .to_string();
                }
            }
            Field::Encoding => {
                let all = [
                    ExportEncoding::Sjis,
                    ExportEncoding::Utf8,
                    ExportEncoding::Utf8Bom,
                ];
                let i = all.iter().position(|e| *e == self.encoding).unwrap_or(0);
                self.encoding = all[if forward { (i + 1) % 3 } else { (i + 2) % 3 }];
            }
            Field::Name => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::time::parse_datetime;

    fn key(code: KeyCode) -> KeyEvent {
        KeyEvent::new(code, KeyModifiers::NONE)
    }

    #[test]
    fn defaults_cycle_and_name_follows_the_view() {
        let at = parse_datetime("2026/11/25 09:10").unwrap();
        let mut dialog = ExportDialog::new(Path::new("/tmp/out"), at);
        assert_eq!(dialog.name, "/tmp/out/bedboard-20261125-0910.csv");
        dialog.handle(key(KeyCode::Right));
        assert_eq!(dialog.view, ExportView::Formatted);
        assert_eq!(dialog.name, "/tmp/out/bedboard-20261125-0910.xlsx");
        dialog.handle(key(KeyCode::Down));
        assert_eq!(dialog.focus, Field::Name, "no encoding for a workbook");
        dialog.handle(key(KeyCode::Backspace));
        dialog.handle(key(KeyCode::Char('X')));
        assert!(dialog.name.ends_with(".xlsX"));
        dialog.handle(key(KeyCode::Up));
        dialog.handle(key(KeyCode::Left));
        assert_eq!(dialog.view, ExportView::Details);
        assert!(dialog.name.ends_with(".xlsX"), "an edited name stays");
        dialog.handle(key(KeyCode::Down));
        dialog.handle(key(KeyCode::Right));
        assert_eq!(dialog.encoding, ExportEncoding::Utf8);
        assert_eq!(dialog.handle(key(KeyCode::Enter)), Outcome::Submit);
        assert_eq!(dialog.handle(key(KeyCode::Esc)), Outcome::Cancel);
    }
}
