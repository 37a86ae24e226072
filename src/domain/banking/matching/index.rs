//! The candidates of one bank account, indexed once so that each bank line looks at a handful
//! of them: by exact amount (each amount's candidates in date order), by number (exact, one edit
//! away, or cut off at the end of the text), by contact name (trigrams) and by IBAN.
//!
//! A line's candidates are the union of what each look-up finds; a look-up that could return
//! many (a round amount, a customer with hundreds of open invoices) keeps only the ones nearest
//! in date, so the work per line is bounded whatever the books hold.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use jiff::civil::Date;
use uuid::Uuid;

use super::score::{Evidence, NAME_MIN_SIMILARITY, RefField, RefQuality};
use super::text::{self, MAX_FUZZY_LEN, MIN_FUZZY_LEN, MIN_KEY_LEN};
use super::{BankLine, Candidate, CandidateKind};

/// Candidates of one amount considered for a line: the nearest in date.
const AMOUNT_NEAREST: usize = 32;
/// Candidates of one contact considered for a line: the nearest in date, of the line's sign.
const CONTACT_NEAREST: usize = 24;
/// Contacts whose names are like the counterparty's considered for a line: the most alike.
const NAME_CONTACTS: usize = 4;
/// A number cut off by this many characters at the end of the text is still looked for…
const PREFIX_CUT: usize = 2;
/// …when what is left is at least this long…
const PREFIX_MIN_LEN: usize = 8;
/// …and names at most this many candidates, or the candidate's amount is the line's.
const PREFIX_MAX_HITS: usize = 16;
/// Candidates further than this from the line's date are not found by amount alone.
const AMOUNT_WINDOW_DAYS: i32 = 120;
/// Payments and journal lines further than this from a bank line's date are not its candidates
/// (open documents are, at any date). The store loads the postings within this many days of a
/// page's lines, so a line's suggestions do not depend on which lines shared its page.
pub const POSTING_WINDOW_DAYS: i32 = 60;

/// A fast hash for the index's keys (numbers, trigrams, short keys): a multiply for integers,
/// FNV-1a for bytes. The keys are ours, not an attacker's choosing beyond one company's own
/// documents, and every hit is checked against the real key.
#[derive(Default)]
struct Quick(u64);

impl Hasher for Quick {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        self.0 = text::hash(bytes.iter().copied()) ^ self.0.rotate_left(5);
    }
    fn write_u8(&mut self, n: u8) {
        self.write_u64(u64::from(n));
    }
    fn write_u32(&mut self, n: u32) {
        self.write_u64(u64::from(n));
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0.rotate_left(5) ^ n).wrapping_mul(0x9e37_79b9_7f4a_7c15);
    }
    fn write_usize(&mut self, n: usize) {
        self.write_u64(n as u64);
    }
}

type QuickMap<K, V> = HashMap<K, V, BuildHasherDefault<Quick>>;

/// Lists of key positions by hash, without a vector per hash: each entry links to the next of
/// its hash (most hashes have one entry, and there are hundreds of thousands of them).
#[derive(Default)]
struct Chains {
    head: QuickMap<u64, u32>,
    /// (key position, next entry or `u32::MAX`).
    entries: Vec<(u32, u32)>,
}

impl Chains {
    fn insert(&mut self, hash: u64, key: u32) {
        let at = u32::try_from(self.entries.len()).unwrap_or(u32::MAX);
        let next = self.head.insert(hash, at).unwrap_or(u32::MAX);
        self.entries.push((key, next));
    }

    /// The key positions under `hash`, latest first.
    fn get(&self, hash: u64) -> impl Iterator<Item = u32> + '_ {
        let mut at = self.head.get(&hash).copied().unwrap_or(u32::MAX);
        std::iter::from_fn(move || {
            let (key, next) = *self.entries.get(at as usize)?;
            at = next;
            Some(key)
        })
    }
}

/// One number of one candidate, as a key.
struct RefKey {
    candidate: u32,
    field: RefField,
    key: String,
}

/// A contact, with its candidates in date order.
struct Contact {
    id: Uuid,
    trigrams: Vec<u32>,
    candidates: Vec<u32>,
}

/// Candidates indexed for matching. Built once per account and reused for every line.
pub struct CandidateIndex {
    candidates: Vec<Candidate>,
    by_amount: QuickMap<i64, Vec<u32>>,
    keys: Vec<RefKey>,
    /// Hashes of each key.
    exact: Chains,
    /// Hashes of each key and of each key with one character left out.
    near: Chains,
    /// Hashes of each key cut short by `PREFIX_CUT` characters.
    prefix: Chains,
    contacts: Vec<Contact>,
    contact_of: HashMap<Uuid, u32>,
    by_trigram: QuickMap<u32, Vec<u32>>,
    by_account: HashMap<String, Vec<u32>>,
}

/// Days from `a` to `b`, saturated (civil dates are within ±10,000 years, so it never is).
fn days_between(a: Date, b: Date) -> i32 {
    a.until(b).map_or(i32::MAX, |span| span.get_days())
}

/// Whether `candidate` may settle a line dated `date`: an open document always, a posting
/// within [`POSTING_WINDOW_DAYS`].
fn within_reach(candidate: &Candidate, date: Date) -> bool {
    match candidate.kind {
        CandidateKind::Invoice | CandidateKind::Bill => true,
        CandidateKind::Payment | CandidateKind::JournalLine => {
            days_between(candidate.date.min(date), candidate.date.max(date)) <= POSTING_WINDOW_DAYS
        }
    }
}

impl CandidateIndex {
    /// Indexes the candidates. Their order does not matter: they are kept sorted by id.
    pub fn new(mut candidates: Vec<Candidate>) -> Self {
        candidates.sort_by_key(|c| (c.id, c.kind));
        let mut index = CandidateIndex {
            candidates: Vec::new(),
            by_amount: QuickMap::default(),
            keys: Vec::new(),
            exact: Chains::default(),
            near: Chains::default(),
            prefix: Chains::default(),
            contacts: Vec::new(),
            contact_of: HashMap::new(),
            by_trigram: QuickMap::default(),
            by_account: HashMap::new(),
        };
        for (i, candidate) in candidates.iter().enumerate() {
            let Ok(i) = u32::try_from(i) else { break };
            index.add(i, candidate);
        }
        index.candidates = candidates;
        let by_date = |list: &mut Vec<u32>, all: &[Candidate]| {
            list.sort_by_key(|&i| (all[i as usize].date, i));
        };
        for list in index.by_amount.values_mut() {
            by_date(list, &index.candidates);
        }
        for contact in &mut index.contacts {
            by_date(&mut contact.candidates, &index.candidates);
        }
        index
    }

    fn add(&mut self, i: u32, candidate: &Candidate) {
        if candidate.open_amount != 0 {
            self.by_amount.entry(candidate.open_amount).or_default().push(i);
        }
        let numbers = [
            Some((RefField::Number, candidate.number.as_str())),
            candidate.reference.as_deref().map(|r| (RefField::Reference, r)),
        ];
        for (field, written) in numbers.into_iter().flatten() {
            let key = text::reference_key(written);
            if let Some(tail) = text::numeric_tail(&key) {
                self.add_key(i, field, tail.to_owned());
            }
            self.add_key(i, field, key);
        }
        if let Some(contact_id) = candidate.contact_id {
            let next = u32::try_from(self.contacts.len()).unwrap_or(u32::MAX);
            let c = *self.contact_of.entry(contact_id).or_insert_with(|| {
                let trigrams = text::trigrams(&text::name_words(&candidate.contact_name));
                for t in &trigrams {
                    self.by_trigram.entry(*t).or_default().push(next);
                }
                self.contacts.push(Contact {
                    id: contact_id,
                    trigrams,
                    candidates: Vec::new(),
                });
                next
            });
            if let Some(contact) = self.contacts.get_mut(c as usize) {
                contact.candidates.push(i);
            }
            for account in &candidate.contact_accounts {
                let list = self.by_account.entry(text::account_key(account)).or_default();
                if !list.contains(&c) {
                    list.push(c);
                }
            }
        }
    }

    fn add_key(&mut self, candidate: u32, field: RefField, key: String) {
        if key.len() < MIN_KEY_LEN {
            return;
        }
        let k = u32::try_from(self.keys.len()).unwrap_or(u32::MAX);
        let whole = text::hash(key.bytes());
        self.exact.insert(whole, k);
        if (MIN_FUZZY_LEN..=MAX_FUZZY_LEN).contains(&key.len()) {
            self.near.insert(whole, k);
            let mut deletions: Vec<u64> = text::deletion_hashes(&key).collect();
            // A repeated letter gives the same deletion twice: one entry is enough.
            deletions.sort_unstable();
            deletions.dedup();
            for h in deletions {
                self.near.insert(h, k);
            }
        }
        if (PREFIX_MIN_LEN + PREFIX_CUT..=MAX_FUZZY_LEN).contains(&key.len()) {
            let cut = &key.as_bytes()[..key.len() - PREFIX_CUT];
            self.prefix.insert(text::hash(cut.iter().copied()), k);
        }
        self.keys.push(RefKey { candidate, field, key });
    }

    /// How many candidates the index holds.
    pub fn len(&self) -> usize {
        self.candidates.len()
    }

    pub fn is_empty(&self) -> bool {
        self.candidates.is_empty()
    }

    /// The candidates, sorted by id.
    pub fn candidates(&self) -> &[Candidate] {
        &self.candidates
    }

    pub(super) fn candidate(&self, i: u32) -> Option<&Candidate> {
        self.candidates.get(i as usize)
    }

    /// The candidates of a contact (by its id), for the memory's look-up.
    pub(super) fn contact_index(&self, contact_id: Uuid) -> Option<u32> {
        self.contact_of.get(&contact_id).copied()
    }

    /// Everything the look-ups find for a line, with what each found, by candidate position,
    /// in `scratch.found`. `learned_contacts` are contacts the memory links to this counterparty.
    pub(super) fn gather(&self, line: &BankLine, learned_contacts: &[u32], scratch: &mut Scratch) {
        scratch.clear();
        if line.amount != 0
            && let Some(list) = self.by_amount.get(&line.amount)
        {
            let reach = |c: &Candidate| within_reach(c, line.date);
            for i in self.nearest(list, line.date, AMOUNT_NEAREST, Some(AMOUNT_WINDOW_DAYS), reach) {
                scratch.entry(i);
            }
        }
        self.gather_references(line, scratch);

        let same_sign = |c: &Candidate| c.open_amount.signum() == line.amount.signum() && within_reach(c, line.date);
        let account = line.counterparty_account.as_deref().map(text::account_key);
        if let Some(contacts) = account.as_ref().and_then(|a| self.by_account.get(a)) {
            for &c in contacts {
                for i in self.contact_nearest(c, line.date, &same_sign) {
                    scratch.entry(i).account = true;
                }
            }
        }
        let counterparty = text::trigrams(&text::name_words(&line.counterparty));
        for (c, similarity) in self.alike_contacts(&counterparty, line.date, scratch) {
            for i in self.contact_nearest(c, line.date, &same_sign) {
                let e = scratch.entry(i);
                e.name = e.name.max(similarity);
            }
        }
        for &c in learned_contacts {
            for i in self.contact_nearest(c, line.date, &same_sign) {
                scratch.entry(i);
            }
        }
        // The name and account are shown for every candidate of a contact found another way too.
        for (i, e) in &mut scratch.found {
            let candidate = &self.candidates[*i as usize];
            if e.name == 0
                && !counterparty.is_empty()
                && let Some(c) = candidate.contact_id.and_then(|id| self.contact_index(id))
            {
                e.name = text::similarity(&counterparty, &self.contacts[c as usize].trigrams);
            }
            if !e.account
                && let Some(key) = &account
            {
                e.account = candidate.contact_accounts.iter().any(|a| text::account_key(a) == *key);
            }
        }
    }

    /// Numbers written in the text: exactly, one edit away, or cut off at its end. Only keys of
    /// candidates within reach of the line count, so what is found (and whether a number was
    /// found exactly) does not depend on what else the index holds.
    fn gather_references(&self, line: &BankLine, found: &mut Scratch) {
        let words = text::words(&line.text);
        let reachable = |k: u32| -> Option<&RefKey> {
            let key = self.keys.get(k as usize)?;
            within_reach(self.candidates.get(key.candidate as usize)?, line.date).then_some(key)
        };
        for (phrase, at_end) in text::phrases(&words) {
            if phrase.len() < MIN_KEY_LEN {
                continue;
            }
            let whole = text::hash(phrase.bytes());
            let mut exact = false;
            for key in self.exact.get(whole).filter_map(reachable) {
                if key.key == phrase {
                    found.entry(key.candidate).note_reference(RefQuality::Exact, key.field);
                    exact = true;
                }
            }
            // A number written exactly is that number, not a mistyped neighbour of another.
            if exact || !(MIN_FUZZY_LEN..=MAX_FUZZY_LEN).contains(&phrase.len()) {
                continue;
            }
            for h in std::iter::once(whole).chain(text::deletion_hashes(&phrase)) {
                for key in self.near.get(h).filter_map(reachable) {
                    if text::within_one_edit(&key.key, &phrase) {
                        found.entry(key.candidate).note_reference(RefQuality::Nearly, key.field);
                    }
                }
            }
            if at_end && phrase.len() >= PREFIX_MIN_LEN {
                let hits = self.prefix.get(whole).filter_map(reachable).count();
                for key in self.prefix.get(whole).filter_map(reachable) {
                    let amount_equal = self.candidates[key.candidate as usize].open_amount == line.amount;
                    if key.key.starts_with(&phrase) && (hits <= PREFIX_MAX_HITS || amount_equal) {
                        found.entry(key.candidate).note_reference(RefQuality::Nearly, key.field);
                    }
                }
            }
        }
    }

    /// Contacts whose names (as trigrams) are like `grams`, most alike first (ties by
    /// contact id), with their similarity in percent. Counts shared trigrams in the scratch's
    /// per-contact counters rather than a map: this is the hottest loop of matching. (Looking up
    /// only the rarer trigrams and comparing each contact found whole was measured slower.)
    fn alike_contacts(&self, grams: &[u32], date: Date, scratch: &mut Scratch) -> Vec<(u32, u32)> {
        if grams.is_empty() {
            return Vec::new();
        }
        for g in grams {
            for &c in self.by_trigram.get(g).map_or(&[][..], Vec::as_slice) {
                let n = &mut scratch.shared[c as usize];
                if *n == 0 {
                    scratch.touched.push(c);
                }
                *n += 1;
            }
        }
        let mut alike = Vec::new();
        for c in scratch.touched.drain(..) {
            let n = std::mem::take(&mut scratch.shared[c as usize]) as usize;
            let total = grams.len() + self.contacts[c as usize].trigrams.len();
            let similarity = u32::try_from(200 * n / total).unwrap_or(0);
            let contact = &self.contacts[c as usize];
            let reachable = contact
                .candidates
                .iter()
                .any(|&i| within_reach(&self.candidates[i as usize], date));
            if similarity >= NAME_MIN_SIMILARITY && reachable {
                alike.push((c, similarity));
            }
        }
        // Ties by the contact's id, not its position: the same whatever else the index holds.
        alike.sort_by(|a, b| {
            b.1.cmp(&a.1)
                .then(self.contacts[a.0 as usize].id.cmp(&self.contacts[b.0 as usize].id))
        });
        alike.truncate(NAME_CONTACTS);
        alike
    }

    fn contact_nearest<'a>(
        &'a self,
        contact: u32,
        date: Date,
        keep: &'a impl Fn(&Candidate) -> bool,
    ) -> impl Iterator<Item = u32> + 'a {
        let list = self
            .contacts
            .get(contact as usize)
            .map_or(&[][..], |c| c.candidates.as_slice());
        self.nearest(list, date, CONTACT_NEAREST, None, keep)
    }

    /// Up to `limit` positions of `list` (sorted by date) nearest to `date`, within `window`
    /// days when given, that `keep` accepts; ties go to the earlier candidate.
    fn nearest<'a>(
        &'a self,
        list: &'a [u32],
        date: Date,
        limit: usize,
        window: Option<i32>,
        keep: impl Fn(&Candidate) -> bool + 'a,
    ) -> impl Iterator<Item = u32> + 'a {
        let split = list.partition_point(|&i| self.candidates[i as usize].date < date);
        let (mut before, mut after) = (split, split);
        let mut taken = 0;
        std::iter::from_fn(move || {
            while taken < limit {
                let left = before
                    .checked_sub(1)
                    .map(|b| (b, days_between(self.candidates[list[b] as usize].date, date)));
                let right = list
                    .get(after)
                    .map(|&i| (after, days_between(date, self.candidates[i as usize].date)));
                let (pos, days, from_left) = match (left, right) {
                    (Some((l, dl)), Some((_, dr))) if dl <= dr => (l, dl, true),
                    (_, Some((r, dr))) => (r, dr, false),
                    (Some((l, dl)), None) => (l, dl, true),
                    (None, None) => return None,
                };
                if window.is_some_and(|w| days > w) {
                    return None;
                }
                if from_left {
                    before = pos;
                } else {
                    after = pos + 1;
                }
                let i = list[pos];
                if keep(&self.candidates[i as usize]) {
                    taken += 1;
                    return Some(i);
                }
            }
            None
        })
    }
}

/// Working space for gathering one line's candidates, reused from line to line so that the
/// look-ups allocate nothing per candidate.
pub(super) struct Scratch {
    /// What was found, by candidate position, in the order found.
    pub found: Vec<(u32, Evidence)>,
    /// Where each candidate is in `found` (`u32::MAX`: not found).
    slot: Vec<u32>,
    /// Shared trigrams per contact, and the contacts counted.
    shared: Vec<u32>,
    touched: Vec<u32>,
}

impl Scratch {
    pub fn new(index: &CandidateIndex) -> Self {
        Scratch {
            found: Vec::new(),
            slot: vec![u32::MAX; index.candidates.len()],
            shared: vec![0; index.contacts.len()],
            touched: Vec::new(),
        }
    }

    fn clear(&mut self) {
        for (i, _) in self.found.drain(..) {
            self.slot[i as usize] = u32::MAX;
        }
    }

    /// The evidence of candidate `i`, added when it was not found yet.
    fn entry(&mut self, i: u32) -> &mut Evidence {
        let mut at = self.slot[i as usize];
        if at == u32::MAX {
            at = u32::try_from(self.found.len()).unwrap_or(u32::MAX);
            self.slot[i as usize] = at;
            self.found.push((i, Evidence::default()));
        }
        &mut self.found[at as usize].1
    }
}
