//! A search: the words typed turned into a Tantivy query (typo-tolerant, the last word a
//! prefix), the filters, the counts per kind, and snippets with highlight ranges.

use std::ops::{Bound, Range};
use std::sync::OnceLock;

use levenshtein_automata::{DFA, Distance, LevenshteinAutomatonBuilder};

use tantivy::collector::{Collector, SegmentCollector, TopDocs};
use tantivy::columnar::Column;
use tantivy::query::{BooleanQuery, BoostQuery, ConstScoreQuery, FuzzyTermQuery, Occur, Query, RangeQuery, TermQuery};
use tantivy::schema::{IndexRecordOption, Value};
use tantivy::{DocAddress, DocId, Score, Searcher, SegmentOrdinal, SegmentReader, TantivyDocument, Term};
use uuid::Uuid;

use super::SearchError;
use super::schema::{self, Fields, KINDS};

/// Longest query text, in bytes, and most words taken from it.
pub const MAX_QUERY_BYTES: usize = 200;
pub const MAX_WORDS: usize = 8;
/// The bytes of a record's text a snippet is drawn from (a long file's first part).
pub const SNIPPET_WINDOW: usize = 32 * 1024;

/// What a caller asks, already limited to what they may see: `companies` empty means every
/// company of the firm, `kinds` are the kinds their permissions allow (and they asked for).
#[derive(Debug, Clone, Default)]
pub struct Request {
    pub text: String,
    pub kinds: Vec<&'static str>,
    pub companies: Vec<Uuid>,
    pub contact: Option<Uuid>,
    pub date_from: Option<String>,
    pub date_to: Option<String>,
    pub amount_min: Option<i64>,
    pub amount_max: Option<i64>,
    pub offset: usize,
    pub limit: usize,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Hit {
    pub kind: &'static str,
    pub id: Uuid,
    pub company_id: Uuid,
    pub contact_id: Option<Uuid>,
    pub date: Option<String>,
    pub amount: Option<i64>,
    pub currency: Option<String>,
    pub title: String,
    pub title_highlights: Vec<Range<usize>>,
    pub subtitle: String,
    pub snippet: String,
    pub snippet_highlights: Vec<Range<usize>>,
    pub score: f32,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct Found {
    /// Matches of every kind asked for.
    pub total: u64,
    /// Matches per kind (kinds with none left out), in `KINDS` order.
    pub counts: Vec<(&'static str, u64)>,
    /// The page asked for, best first.
    pub hits: Vec<Hit>,
}

/// One word of the query and how loosely it matches.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Word {
    pub text: String,
    pub distance: u8,
    pub prefix: bool,
}

/// The words of `text` as the index's analyzer splits them: typos allowed by length (one from 4
/// characters, two from 8), and the last word a prefix unless a space follows it (as you type).
pub fn words(text: &str) -> Vec<Word> {
    let mut analyzer = schema::analyzer();
    let mut out: Vec<Word> = Vec::new();
    let mut stream = analyzer.token_stream(text);
    while stream.advance() {
        let t = stream.token().text.clone();
        if out.iter().any(|w| w.text == t) {
            continue;
        }
        let chars = t.chars().count();
        let distance = match chars {
            0..=3 => 0,
            4..=7 => 1,
            _ => 2,
        };
        out.push(Word {
            text: t,
            distance,
            prefix: false,
        });
        if out.len() == MAX_WORDS {
            break;
        }
    }
    let typing = !text.ends_with(|c: char| c.is_whitespace());
    if let Some(last) = out.last_mut() {
        last.prefix = typing;
    }
    out
}

fn term_query(term: Term) -> Box<dyn Query> {
    Box::new(TermQuery::new(term, IndexRecordOption::Basic))
}

fn filter(q: Box<dyn Query>) -> (Occur, Box<dyn Query>) {
    (Occur::Must, Box::new(ConstScoreQuery::new(q, 0.0)))
}

fn any_of(queries: Vec<Box<dyn Query>>) -> Box<dyn Query> {
    Box::new(BooleanQuery::new(
        queries.into_iter().map(|q| (Occur::Should, q)).collect(),
    ))
}

fn build(f: &Fields, words: &[Word], req: &Request) -> Box<dyn Query> {
    let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
    for w in words {
        let mut alternatives: Vec<Box<dyn Query>> = Vec::new();
        for (field, boost) in [(f.title, 3.0), (f.subtitle, 2.0), (f.body, 1.0)] {
            let term = Term::from_field_text(field, &w.text);
            let fuzzy = if w.prefix {
                FuzzyTermQuery::new_prefix(term.clone(), w.distance, true)
            } else {
                FuzzyTermQuery::new(term.clone(), w.distance, true)
            };
            alternatives.push(Box::new(BoostQuery::new(Box::new(fuzzy), boost)));
            // The exact word ranks above its neighbours.
            alternatives.push(Box::new(BoostQuery::new(
                Box::new(TermQuery::new(term, IndexRecordOption::WithFreqs)),
                boost,
            )));
        }
        clauses.push((Occur::Must, any_of(alternatives)));
    }
    let kinds = req
        .kinds
        .iter()
        .filter_map(|k| schema::kind_code(k))
        .map(|c| term_query(Term::from_field_u64(f.kind, c)))
        .collect();
    clauses.push(filter(any_of(kinds)));
    if !req.companies.is_empty() {
        let companies = req
            .companies
            .iter()
            .map(|c| term_query(Term::from_field_text(f.company, &c.hyphenated().to_string())))
            .collect();
        clauses.push(filter(any_of(companies)));
    }
    if let Some(c) = req.contact {
        clauses.push(filter(term_query(Term::from_field_text(
            f.contact,
            &c.hyphenated().to_string(),
        ))));
    }
    let date = |d: &Option<String>| {
        d.as_deref()
            .and_then(schema::date_number)
            .map(|n| Term::from_field_i64(f.date, n))
    };
    let (from, to) = (date(&req.date_from), date(&req.date_to));
    if from.is_some() || to.is_some() {
        clauses.push(filter(Box::new(RangeQuery::new(
            from.map_or(Bound::Unbounded, Bound::Included),
            to.map_or(Bound::Unbounded, Bound::Included),
        ))));
    }
    if req.amount_min.is_some() || req.amount_max.is_some() {
        let amount =
            |a: Option<i64>| a.map_or(Bound::Unbounded, |a| Bound::Included(Term::from_field_i64(f.amount, a)));
        clauses.push(filter(Box::new(RangeQuery::new(
            amount(req.amount_min),
            amount(req.amount_max),
        ))));
    }
    Box::new(BooleanQuery::new(clauses))
}

/// Runs `req` against `searcher`. No words: nothing found.
pub fn run(searcher: &Searcher, f: &Fields, req: &Request) -> Result<Found, SearchError> {
    let words = words(&req.text);
    if words.is_empty() || req.kinds.is_empty() || req.limit == 0 {
        return Ok(Found::default());
    }
    let query = build(f, &words, req);
    let top = TopDocs::with_limit(req.limit).and_offset(req.offset).order_by_score();
    let (top, counts) = searcher.search(&*query, &(top, KindCounts { field: "kind" }))?;
    let total = counts.iter().sum();
    let counts = KINDS
        .iter()
        .zip(counts)
        .filter(|(_, n)| *n > 0)
        .map(|(k, n)| (*k, n))
        .collect();
    let mut hits = Vec::with_capacity(top.len());
    let matcher = Matcher::new(&words);
    for (score, address) in top {
        hits.push(hit(searcher, f, &matcher, score, address)?);
    }
    Ok(Found { total, counts, hits })
}

fn hit(searcher: &Searcher, f: &Fields, words: &Matcher, score: Score, at: DocAddress) -> Result<Hit, SearchError> {
    let doc: TantivyDocument = searcher.doc(at)?;
    let text = |field| doc.get_first(field).and_then(|v| v.as_str()).unwrap_or("").to_owned();
    let int = |field| doc.get_first(field).and_then(|v| v.as_i64());
    let uuid = |field| Uuid::parse_str(&text(field)).ok();
    let code = doc.get_first(f.kind).and_then(|v| v.as_u64()).unwrap_or(0);
    let kind = usize::try_from(code)
        .ok()
        .and_then(|c| KINDS.get(c))
        .copied()
        .unwrap_or("document");
    let title = text(f.title);
    let mut body = text(f.body);
    // A file's text may be megabytes: snippets come from its first part.
    if body.len() > SNIPPET_WINDOW {
        let mut end = SNIPPET_WINDOW;
        while !body.is_char_boundary(end) {
            end -= 1;
        }
        body.truncate(end);
    }
    let title_highlights = highlights(&title, words);
    let snippet = snippet(&body, words);
    Ok(Hit {
        kind,
        id: uuid(f.id).ok_or_else(|| SearchError::Index("a document without an id".into()))?,
        company_id: uuid(f.company).ok_or_else(|| SearchError::Index("a document without a company".into()))?,
        contact_id: uuid(f.contact),
        date: int(f.date).map(schema::date_text),
        amount: int(f.shown_amount),
        currency: Some(text(f.currency)).filter(|c| !c.is_empty()),
        title,
        title_highlights,
        subtitle: text(f.subtitle),
        snippet: snippet.0,
        snippet_highlights: snippet.1,
        score,
    })
}

/// Which tokens the query's words match, as the index matched them: one Levenshtein automaton
/// per word (distance and transpositions as the index's fuzzy queries, a prefix automaton for
/// the word being typed), each token a walk over its bytes.
struct Matcher {
    dfas: Vec<DFA>,
}

/// The automaton builders for distances 0, 1 and 2, made once (making one for distance 2 takes
/// milliseconds; an automaton from a builder takes microseconds).
fn builder(distance: u8) -> &'static LevenshteinAutomatonBuilder {
    static BUILDERS: OnceLock<[LevenshteinAutomatonBuilder; 3]> = OnceLock::new();
    let all = BUILDERS.get_or_init(|| [0, 1, 2].map(|d| LevenshteinAutomatonBuilder::new(d, true)));
    &all[usize::from(distance.min(2))]
}

impl Matcher {
    fn new(words: &[Word]) -> Matcher {
        let dfas = words
            .iter()
            .map(|w| {
                let b = builder(w.distance);
                if w.prefix {
                    b.build_prefix_dfa(&w.text)
                } else {
                    b.build_dfa(&w.text)
                }
            })
            .collect();
        Matcher { dfas }
    }

    fn matches(&self, token: &str) -> bool {
        self.dfas
            .iter()
            .any(|d| matches!(d.eval(token.as_bytes()), Distance::Exact(_)))
    }
}

fn highlights(text: &str, words: &Matcher) -> Vec<Range<usize>> {
    let mut analyzer = schema::analyzer();
    let mut stream = analyzer.token_stream(text);
    let mut out = Vec::new();
    while stream.advance() {
        let t = stream.token();
        if words.matches(&t.text) {
            out.push(t.offset_from..t.offset_to);
        }
    }
    out
}

/// The longest snippet, in bytes.
const SNIPPET_BYTES: usize = 160;

/// A stretch of text a snippet may be, as Tantivy's `SnippetGenerator` cuts them.
struct Fragment {
    start: usize,
    stop: usize,
    /// Matching tokens in it (each occurrence counts).
    score: usize,
    highlights: Vec<Range<usize>>,
}

/// Up to [`SNIPPET_BYTES`] of `body` around the most matches, in one pass over its tokens: the
/// text is cut into consecutive fragments as Tantivy's `SnippetGenerator` cuts it, and the
/// fragment with the most matching tokens wins (the first of equals). No match: the text's start.
fn snippet(body: &str, words: &Matcher) -> (String, Vec<Range<usize>>) {
    let mut analyzer = schema::analyzer();
    let mut stream = analyzer.token_stream(body);
    let mut best: Option<Fragment> = None;
    let mut current = Fragment {
        start: 0,
        stop: 0,
        score: 0,
        highlights: Vec::new(),
    };
    let keep = |f: Fragment, best: &mut Option<Fragment>| {
        if f.score > 0 && best.as_ref().is_none_or(|b| f.score > b.score) {
            *best = Some(f);
        }
    };
    while stream.advance() {
        let t = stream.token();
        if t.offset_to - current.start > SNIPPET_BYTES {
            let next = Fragment {
                start: t.offset_from,
                stop: t.offset_from,
                score: 0,
                highlights: Vec::new(),
            };
            keep(std::mem::replace(&mut current, next), &mut best);
        }
        current.stop = t.offset_to;
        if words.matches(&t.text) {
            current.score += 1;
            current.highlights.push(t.offset_from..t.offset_to);
        }
    }
    keep(current, &mut best);
    match best {
        Some(f) => {
            let text = body.get(f.start..f.stop).unwrap_or_default().to_owned();
            let highlights = f
                .highlights
                .into_iter()
                .map(|r| r.start - f.start..r.end - f.start)
                .collect();
            (text, highlights)
        }
        None => (body.chars().take(SNIPPET_BYTES).collect(), Vec::new()),
    }
}

/// Counts matches per kind from the `kind` fast field, beside the top documents.
struct KindCounts {
    field: &'static str,
}

struct SegmentKindCounts {
    column: Column<u64>,
    counts: Vec<u64>,
}

impl Collector for KindCounts {
    type Fruit = Vec<u64>;
    type Child = SegmentKindCounts;

    fn for_segment(&self, _: SegmentOrdinal, reader: &SegmentReader) -> tantivy::Result<SegmentKindCounts> {
        Ok(SegmentKindCounts {
            column: reader.fast_fields().u64(self.field)?,
            counts: vec![0; KINDS.len()],
        })
    }

    fn requires_scoring(&self) -> bool {
        false
    }

    fn merge_fruits(&self, fruits: Vec<Vec<u64>>) -> tantivy::Result<Vec<u64>> {
        let mut out = vec![0; KINDS.len()];
        for f in fruits {
            for (o, n) in out.iter_mut().zip(f) {
                *o += n;
            }
        }
        Ok(out)
    }
}

impl SegmentCollector for SegmentKindCounts {
    type Fruit = Vec<u64>;

    fn collect(&mut self, doc: DocId, _: Score) {
        if let Some(slot) = self
            .column
            .first(doc)
            .and_then(|k| usize::try_from(k).ok())
            .and_then(|k| self.counts.get_mut(k))
        {
            *slot += 1;
        }
    }

    fn harvest(self) -> Vec<u64> {
        self.counts
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use proptest::prelude::*;
    use tantivy::snippet::SnippetGenerator;

    use super::*;

    /// Whether the index itself matches token `t` for word `w`: a one-document index in memory
    /// holding `t` as a raw term, asked with the fuzzy query `build` makes for the word.
    fn index_matches(w: &Word, t: &str) -> bool {
        let mut builder = tantivy::schema::Schema::builder();
        let field = builder.add_text_field("t", tantivy::schema::STRING);
        let index = tantivy::Index::create_in_ram(builder.build());
        let mut writer: tantivy::IndexWriter = index.writer_with_num_threads(1, 15_000_000).unwrap();
        writer.add_document(tantivy::doc!(field => t)).unwrap();
        writer.commit().unwrap();
        let searcher = index.reader().unwrap().searcher();
        let term = Term::from_field_text(field, &w.text);
        let query = if w.prefix {
            FuzzyTermQuery::new_prefix(term, w.distance, true)
        } else {
            FuzzyTermQuery::new(term, w.distance, true)
        };
        searcher.search(&query, &tantivy::collector::Count).unwrap() > 0
    }

    proptest! {
        /// Highlights match exactly the tokens the index matches.
        #[test]
        fn highlights_match_what_the_index_matches(
            q in "[abcü]{1,9}", t in "[abcü]{1,11}", distance in 0u8..3, prefix in any::<bool>()
        ) {
            let w = word(&q, distance, prefix);
            prop_assert_eq!(Matcher::new(std::slice::from_ref(&w)).matches(&t), index_matches(&w, &t));
        }

        /// The snippet is the one Tantivy's generator draws, highlights included.
        #[test]
        fn snippets_are_tantivys(body in "[abc ]{0,600}", q in "[abc]{1,4}") {
            let w = word(&q, 1, false);
            let m = Matcher::new(std::slice::from_ref(&w));
            let terms: BTreeMap<String, Score> = {
                let mut analyzer = schema::analyzer();
                let mut stream = analyzer.token_stream(&body);
                let mut terms = BTreeMap::new();
                while stream.advance() {
                    if m.matches(&stream.token().text) {
                        terms.insert(stream.token().text.clone(), 1.0);
                    }
                }
                terms
            };
            prop_assume!(!terms.is_empty());
            let mut schema = tantivy::schema::Schema::builder();
            let field = schema.add_text_field("body", tantivy::schema::TEXT);
            let theirs = SnippetGenerator::new(terms, schema::analyzer(), field, SNIPPET_BYTES).snippet(&body);
            let ours = snippet(&body, &m);
            prop_assert_eq!(ours.0.as_str(), theirs.fragment());
            prop_assert_eq!(ours.1.as_slice(), theirs.highlighted());
        }
    }

    fn word(text: &str, distance: u8, prefix: bool) -> Word {
        Word {
            text: text.into(),
            distance,
            prefix,
        }
    }

    #[test]
    fn typos_are_allowed_by_length_and_the_last_word_is_a_prefix() {
        assert_eq!(
            words("Invoce Müller ab"),
            vec![word("invoce", 1, false), word("muller", 1, false), word("ab", 0, true)]
        );
        assert_eq!(words("consultancy "), vec![word("consultancy", 2, false)]);
        assert!(words("  ,;  ").is_empty());
    }

    #[test]
    fn matching_mirrors_the_index() {
        let matches = |w: &Word, t: &str| {
            let by_automaton = Matcher::new(std::slice::from_ref(w)).matches(t);
            assert_eq!(by_automaton, index_matches(w, t), "{w:?} {t}");
            by_automaton
        };
        assert!(matches(&word("invoce", 1, false), "invoice"));
        assert!(!matches(&word("inv", 0, false), "invoice"));
        assert!(matches(&word("inv", 0, true), "invoice"));
        assert!(matches(&word("invoi", 1, true), "invocing"));
        assert!(matches(&word("acme", 1, false), "amce"));
        assert!(!matches(&word("acme", 1, false), "zebra"));
        assert!(matches(&word("müller", 1, false), "muller"));
    }
}
