//! Tìm kiếm — finding an indicator (or, later, a unit) by name the way people type on a
//! phone: without diacritics, in any case, by the first letters of each word
//! ("dat hien" finds "Đất nhân dân hiến"), and the indicators a phone uses most.
//!
//! Folding is one rule for both sides: lower case, Vietnamese letters to their base letter
//! (precomposed, as typed, or decomposed, NFD, as some keyboards send them), đ to d.
//! It needs no Unicode tables: Vietnamese has 67 letters with marks in each case.

use crate::{Entry, IndicatorId};

/// The letters with marks of each base letter, lower and upper case.
const MARKED: [(char, &str); 7] = [
    ('a', "àáảãạăằắẳẵặâầấẩẫậÀÁẢÃẠĂẰẮẲẴẶÂẦẤẨẪẬ"),
    ('d', "đĐ"),
    ('e', "èéẻẽẹêềếểễệÈÉẺẼẸÊỀẾỂỄỆ"),
    ('i', "ìíỉĩịÌÍỈĨỊ"),
    ('o', "òóỏõọôồốổỗộơờớởỡợÒÓỎÕỌÔỒỐỔỖỘƠỜỚỞỠỢ"),
    ('u', "ùúủũụưừứửữựÙÚỦŨỤƯỪỨỬỮỰ"),
    ('y', "ỳýỷỹỵỲÝỶỸỴ"),
];

/// `text` folded for matching: "Đất nhân dân HIẾN" → "dat nhan dan hien". Combining
/// marks (U+0300–U+036F) are dropped, so NFC and NFD spellings fold alike.
pub fn fold(text: &str) -> String {
    text.chars()
        .filter(|c| !('\u{300}'..='\u{36f}').contains(c))
        .map(|c| match MARKED.iter().find(|(_, marked)| marked.chars().any(|m| m == c)) {
            Some((base, _)) => *base,
            None => c.to_ascii_lowercase(),
        })
        .collect()
}

/// The words of a folded text.
pub(crate) fn words(folded: &str) -> impl Iterator<Item = &str> {
    folded.split(|c: char| !c.is_ascii_alphanumeric()).filter(|w| !w.is_empty())
}

/// Whether every word of `query` begins a word of `name`, both folded, in any order.
/// An empty query matches nothing.
pub fn matches(query: &str, name: &str) -> bool {
    let (query, name) = (fold(query), fold(name));
    let mut typed = words(&query).peekable();
    typed.peek().is_some() && typed.all(|t| words(&name).any(|w| w.starts_with(t)))
}

/// The `n` indicators with the most entries in `entries`, most first; between equals,
/// the one used last comes first. (A catalogue has a few dozen indicators: counted in a
/// list, no map and no sort, which keep the phone's download small.)
pub fn most_used(entries: &[Entry], n: usize) -> Vec<&IndicatorId> {
    // (indicator, entries, position of its last entry)
    let mut uses: Vec<(&IndicatorId, usize, usize)> = Vec::new();
    for (at, entry) in entries.iter().enumerate() {
        match uses.iter_mut().find(|u| u.0 == &entry.indicator) {
            Some(slot) => (slot.1, slot.2) = (slot.1 + 1, at),
            None => uses.push((&entry.indicator, 1, at)),
        }
    }
    let mut ranked = Vec::new();
    while ranked.len() < n {
        let Some(best) = (0..uses.len()).max_by_key(|&i| (uses[i].1, uses[i].2)) else { break };
        ranked.push(uses.swap_remove(best).0);
    }
    ranked
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Catalogue, Date, EntryChange, UnitId};

    #[test]
    fn folding_drops_every_mark_in_either_spelling() {
        assert_eq!(fold("Đất nhân dân HIẾN"), "dat nhan dan hien");
        assert_eq!(fold("Xã Nông Thượng"), "xa nong thuong");
        // "Thủy" typed decomposed (NFD): u, combining hook above; and "Thuỷ" precomposed.
        assert_eq!(fold("Thu\u{309}y"), "thuy");
        assert_eq!(fold("Thuỷ"), fold("Thủy"));
        assert_eq!(fold("Ư\u{301}"), "u", "Ư with a combining acute");
        for (base, marked) in MARKED {
            assert!(marked.chars().all(|c| fold(&c.to_string()) == base.to_string()), "{marked}");
        }
        assert_eq!(MARKED.iter().map(|(_, m)| m.chars().count()).sum::<usize>(), 134, "67 letters in each case");
    }

    #[test]
    fn a_query_finds_names_by_the_start_of_their_words() {
        assert!(matches("dat hien", "Đất nhân dân hiến"));
        assert!(matches("hien dat", "Đất nhân dân hiến"), "in any order");
        assert!(matches("  ĐẤT ", "Đất nhân dân hiến"));
        assert!(matches("nong thuong", "Xã Nông Thượng"));
        assert!(!matches("at", "Đất nhân dân hiến"), "words begin, they are not found inside");
        assert!(!matches("dat hoc", "Đất nhân dân hiến"), "every word must be found");
        assert!(!matches("", "Đất nhân dân hiến"));
        assert!(!matches(" - ", "Đất nhân dân hiến"));
        let cat = Catalogue::standard();
        let found: Vec<_> = cat.indicators.iter().filter(|i| matches("dat hien", &i.label)).collect();
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].id.as_str(), "dat_hien");
    }

    #[test]
    fn the_most_used_come_first_and_the_latest_breaks_a_tie() {
        let entry = |seq, indicator: &str| Entry {
            seq,
            area: UnitId::new("ntmk-to-11").unwrap(),
            indicator: IndicatorId::new(indicator).unwrap(),
            date: Date::new(2025, 6, 1).unwrap(),
            change: EntryChange::Amount(1),
            note: String::new(),
            recorded_ms: 0,
        };
        let entries = [
            entry(1, "dat_hien"),
            entry(2, "ngay_cong"),
            entry(3, "dat_hien"),
            entry(4, "cay_xanh"),
            entry(5, "ngay_cong"),
        ];
        let ids: Vec<&str> = most_used(&entries, 5).into_iter().map(IndicatorId::as_str).collect();
        assert_eq!(ids, ["ngay_cong", "dat_hien", "cay_xanh"]);
        assert_eq!(most_used(&entries, 1).len(), 1);
        assert!(most_used(&[], 5).is_empty());
    }
}
