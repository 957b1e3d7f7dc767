//! The names a closed set of values is written with in the config file and on
//! the command line (`high-contrast`, `utf8-bom`), kept beside the type.

/// A value with one name of its own; names compare without regard to ASCII case.
pub trait Named: Copy + PartialEq + 'static {
    /// Every value with its name, in the order help lists them.
    const ALL: &'static [(Self, &'static str)];

    fn name(self) -> &'static str;

    fn from_name(text: &str) -> Option<Self> {
        Self::ALL
            .iter()
            .find(|(_, name)| name.eq_ignore_ascii_case(text))
            .map(|(value, _)| *value)
    }

    /// The names, for help and messages.
    fn names() -> impl Iterator<Item = &'static str> {
        Self::ALL.iter().map(|(_, name)| *name)
    }

    /// `a・b・c`, as messages list the choices.
    fn choices() -> String {
        Self::names().collect::<Vec<_>>().join("・")
    }
}

/// Implements [`Named`] from one list of variants and names; the `match` it
/// writes makes the compiler check that every variant has a name.
macro_rules! named {
    ($type:ty { $($variant:ident => $name:literal),+ $(,)? }) => {
        impl $crate::text::names::Named for $type {
            const ALL: &'static [(Self, &'static str)] = &[$((Self::$variant, $name)),+];

            fn name(self) -> &'static str {
                match self {
                    $(Self::$variant => $name),+
                }
            }
        }
    };
}

pub(crate) use named;

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Clone, Copy, Debug, PartialEq)]
    enum Contrast {
        Normal,
        HighContrast,
    }

    named!(Contrast {
        Normal => "normal",
        HighContrast => "high-contrast",
    });

    #[test]
    fn names_read_in_any_case_and_write_as_listed() {
        assert_eq!(
            Contrast::from_name("High-Contrast"),
            Some(Contrast::HighContrast)
        );
        assert_eq!(Contrast::from_name("NORMAL"), Some(Contrast::Normal));
        assert_eq!(Contrast::from_name("high_contrast"), None);
        assert_eq!(Contrast::HighContrast.name(), "high-contrast");
        assert_eq!(Contrast::choices(), "normal・high-contrast");
    }

    #[test]
    fn every_name_reads_back_as_its_value() {
        for (value, name) in Contrast::ALL {
            assert_eq!(value.name(), *name);
            assert_eq!(Contrast::from_name(name), Some(*value));
        }
    }
}
