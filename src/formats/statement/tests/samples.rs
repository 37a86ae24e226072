//! One fixed list of five transactions, written out in every statement format the way banks write
//! them (and shared with the benchmark's generator in spirit: plain string building).

use std::str::FromStr;

use jiff::civil::{Date, date};
use rust_decimal::Decimal;

/// One transaction of the sample account.
pub struct Tx {
    pub date: Date,
    pub amount: &'static str,
    pub text: &'static str,
    pub counterparty: &'static str,
    pub iban: &'static str,
    pub reference: &'static str,
    pub bank_id: &'static str,
}

impl Tx {
    pub fn amount(&self) -> Decimal {
        Decimal::from_str(self.amount).unwrap_or_default()
    }
}

pub const ACCOUNT: &str = "DE44500105175407324931";
pub const OPENING: &str = "1000.00";
pub const CLOSING: &str = "1090.59";

pub fn opening_date() -> Date {
    date(2026, 1, 1)
}

pub fn txs() -> Vec<Tx> {
    vec![
        Tx {
            date: date(2026, 1, 5),
            amount: "-45.90",
            text: "Office supplies January",
            counterparty: "Papier Müller GmbH",
            iban: "DE02120300000000202051",
            reference: "INV-2026-0042",
            bank_id: "B-0001",
        },
        Tx {
            date: date(2026, 1, 7),
            amount: "1250.00",
            text: "Invoice INV-2026-0007",
            counterparty: "Acme Trading Ltd",
            iban: "GB33BUKB20201555555555",
            reference: "E2E-7781",
            bank_id: "B-0002",
        },
        Tx {
            date: date(2026, 1, 7),
            amount: "-3.50",
            text: "Account fee",
            counterparty: "Hausbank",
            iban: "",
            reference: "",
            bank_id: "B-0003",
        },
        Tx {
            date: date(2026, 1, 12),
            amount: "-1200.00",
            text: "Rent February",
            counterparty: "Immo Verwaltung AG",
            iban: "DE89370400440532013000",
            reference: "RENT-02",
            bank_id: "B-0004",
        },
        Tx {
            date: date(2026, 1, 15),
            amount: "89.99",
            text: "Refund order 5531",
            counterparty: "Shop & Co",
            iban: "FR7630006000011234567890189",
            reference: "R-5531",
            bank_id: "B-0005",
        },
    ]
}

fn ymd(d: Date, sep: &str) -> String {
    format!("{:04}{sep}{:02}{sep}{:02}", d.year(), d.month(), d.day())
}

fn dmy(d: Date) -> String {
    format!("{:02}.{:02}.{:04}", d.day(), d.month(), d.year())
}

fn xml(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;")
}

/// `Date,Amount,…` in UTF-8 with a running balance, quoted where a field holds a comma.
pub fn csv_plain() -> Vec<u8> {
    let mut out = String::from("Date,Amount,Description,Payee,IBAN,Reference,Balance\r\n");
    let mut balance = Decimal::from_str(OPENING).unwrap_or_default();
    for t in txs() {
        balance += t.amount();
        out.push_str(&format!(
            "{},{},\"{}\",{},{},{},{}\r\n",
            ymd(t.date, "-"),
            t.amount,
            t.text,
            t.counterparty,
            t.iban,
            t.reference,
            balance
        ));
    }
    out.into_bytes()
}

/// A German bank's export: Windows-1252, `;`, two preamble lines, `dd.mm.yyyy`, decimal commas
/// with thousands dots, debit and credit columns, newest first.
pub fn csv_german() -> Vec<u8> {
    let mut out = format!("Kontoauszug;{ACCOUNT}\r\nZeitraum;01.01.2026 - 15.01.2026\r\n");
    out.push_str("Buchungstag;Valuta;Auftraggeber/Empfänger;IBAN;Verwendungszweck;Referenz;Soll;Haben\r\n");
    for t in txs().iter().rev() {
        let amount = t.amount();
        let german = |d: Decimal| {
            let s = format!("{:.2}", d.abs());
            let (int, frac) = s.split_once('.').unwrap_or((&s, "00"));
            let int = if int.len() > 3 {
                format!("{}.{}", &int[..int.len() - 3], &int[int.len() - 3..])
            } else {
                int.to_owned()
            };
            format!("{int},{frac}")
        };
        let (debit, credit) = if amount.is_sign_negative() {
            (german(amount), String::new())
        } else {
            (String::new(), german(amount))
        };
        out.push_str(&format!(
            "{};{};{};{};{};{};{debit};{credit}\r\n",
            dmy(t.date),
            dmy(t.date),
            t.counterparty,
            t.iban,
            t.text,
            t.reference
        ));
    }
    encoding_rs::WINDOWS_1252.encode(&out).0.into_owned()
}

/// OFX 1.0.2 SGML, CHARSET:1252, leaf elements unclosed, as Quicken-era banks write it.
pub fn ofx_sgml() -> Vec<u8> {
    let mut out = String::from(
        "OFXHEADER:100\r\nDATA:OFXSGML\r\nVERSION:102\r\nSECURITY:NONE\r\nENCODING:USASCII\r\n\
         CHARSET:1252\r\nCOMPRESSION:NONE\r\nOLDFILEUID:NONE\r\nNEWFILEUID:NONE\r\n\r\n\
         <OFX>\r\n<SIGNONMSGSRSV1><SONRS><STATUS><CODE>0<SEVERITY>INFO</STATUS>\
         <DTSERVER>20260116120000<LANGUAGE>ENG</SONRS></SIGNONMSGSRSV1>\r\n\
         <BANKMSGSRSV1><STMTTRNRS><TRNUID>1<STATUS><CODE>0<SEVERITY>INFO</STATUS>\r\n<STMTRS>\
         <CURDEF>EUR<BANKACCTFROM><BANKID>50010517<ACCTID>",
    );
    out.push_str(ACCOUNT);
    out.push_str("<ACCTTYPE>CHECKING</BANKACCTFROM>\r\n<BANKTRANLIST><DTSTART>20260101<DTEND>20260115\r\n");
    for t in txs() {
        out.push_str(&format!(
            "<STMTTRN>\r\n<TRNTYPE>{}\r\n<DTPOSTED>{}120000.000[-5:EST]\r\n<TRNAMT>{}\r\n<FITID>{}\r\n<NAME>{}\r\n{}<MEMO>{}\r\n</STMTTRN>\r\n",
            if t.amount.starts_with('-') { "DEBIT" } else { "CREDIT" },
            ymd(t.date, ""),
            t.amount,
            t.bank_id,
            xml(t.counterparty),
            if t.reference.is_empty() { String::new() } else { format!("<REFNUM>{}\r\n", t.reference) },
            xml(t.text),
        ));
    }
    out.push_str(&format!(
        "</BANKTRANLIST>\r\n<LEDGERBAL><BALAMT>{CLOSING}<DTASOF>20260115</LEDGERBAL>\r\n</STMTRS></STMTTRNRS></BANKMSGSRSV1>\r\n</OFX>\r\n"
    ));
    encoding_rs::WINDOWS_1252.encode(&out).0.into_owned()
}

/// OFX 2.2 XML.
pub fn ofx_xml() -> Vec<u8> {
    let mut out = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"no\"?>\n\
         <?OFX OFXHEADER=\"200\" VERSION=\"220\" SECURITY=\"NONE\" OLDFILEUID=\"NONE\" NEWFILEUID=\"NONE\"?>\n\
         <OFX><SIGNONMSGSRSV1><SONRS><STATUS><CODE>0</CODE><SEVERITY>INFO</SEVERITY></STATUS>\
         <DTSERVER>20260116120000</DTSERVER><LANGUAGE>ENG</LANGUAGE></SONRS></SIGNONMSGSRSV1>\n\
         <BANKMSGSRSV1><STMTTRNRS><TRNUID>1</TRNUID><STATUS><CODE>0</CODE><SEVERITY>INFO</SEVERITY></STATUS>\
         <STMTRS><CURDEF>EUR</CURDEF><BANKACCTFROM><BANKID>50010517</BANKID><ACCTID>",
    );
    out.push_str(ACCOUNT);
    out.push_str("</ACCTID><ACCTTYPE>CHECKING</ACCTTYPE></BANKACCTFROM>\n<BANKTRANLIST><DTSTART>20260101</DTSTART><DTEND>20260115</DTEND>\n");
    for t in txs() {
        out.push_str(&format!(
            "<STMTTRN><TRNTYPE>{}</TRNTYPE><DTPOSTED>{}</DTPOSTED><TRNAMT>{}</TRNAMT><FITID>{}</FITID>{}<NAME>{}</NAME><MEMO>{}</MEMO></STMTTRN>\n",
            if t.amount.starts_with('-') { "DEBIT" } else { "CREDIT" },
            ymd(t.date, ""),
            t.amount,
            t.bank_id,
            if t.reference.is_empty() { String::new() } else { format!("<REFNUM>{}</REFNUM>", t.reference) },
            xml(t.counterparty),
            xml(t.text),
        ));
    }
    out.push_str(&format!(
        "</BANKTRANLIST><LEDGERBAL><BALAMT>{CLOSING}</BALAMT><DTASOF>20260115</DTASOF></LEDGERBAL></STMTRS></STMTTRNRS></BANKMSGSRSV1></OFX>\n"
    ));
    out.into_bytes()
}

/// QIF as Quicken writes it: US dates with `'` before the year, an opening-balance record.
pub fn qif() -> Vec<u8> {
    let mut out = format!("!Type:Bank\nD1/ 1'26\nT{OPENING}\nCX\nPOpening Balance\nL[Checking]\n^\n");
    for t in txs() {
        out.push_str(&format!(
            "D{}/{:>2}'{:02}\nT{}\nP{}\nM{}\n{}^\n",
            t.date.month(),
            t.date.day(),
            t.date.year() % 100,
            t.amount,
            t.counterparty,
            t.text,
            if t.reference.is_empty() {
                String::new()
            } else {
                format!("N{}\n", t.reference)
            },
        ));
    }
    out.into_bytes()
}

/// CAMT.053.001.08 (parties wrapped in `Pty`), or CAMT.052.001.02 (names directly under the party).
pub fn camt(report: bool) -> Vec<u8> {
    let (ns, root, stmt, pty_open, pty_close) = if report {
        (
            "urn:iso:std:iso:20022:tech:xsd:camt.052.001.02",
            "BkToCstmrAcctRpt",
            "Rpt",
            "",
            "",
        )
    } else {
        (
            "urn:iso:std:iso:20022:tech:xsd:camt.053.001.08",
            "BkToCstmrStmt",
            "Stmt",
            "<Pty>",
            "</Pty>",
        )
    };
    let mut out = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Document xmlns=\"{ns}\" xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\">\n\
         <{root}>\n<GrpHdr><MsgId>M1</MsgId><CreDtTm>2026-01-16T08:00:00</CreDtTm></GrpHdr>\n<{stmt}>\n<Id>S1</Id>\n\
         <Acct><Id><IBAN>{ACCOUNT}</IBAN></Id><Ccy>EUR</Ccy></Acct>\n\
         <Bal><Tp><CdOrPrtry><Cd>PRCD</Cd></CdOrPrtry></Tp><Amt Ccy=\"EUR\">{OPENING}</Amt><CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>2026-01-01</Dt></Dt></Bal>\n\
         <Bal><Tp><CdOrPrtry><Cd>CLBD</Cd></CdOrPrtry></Tp><Amt Ccy=\"EUR\">{CLOSING}</Amt><CdtDbtInd>CRDT</CdtDbtInd><Dt><Dt>2026-01-15</Dt></Dt></Bal>\n"
    );
    for t in txs() {
        let credit = !t.amount.starts_with('-');
        let party = if credit { "Dbtr" } else { "Cdtr" };
        let iban = if t.iban.is_empty() {
            String::new()
        } else {
            format!("<{party}Acct><Id><IBAN>{}</IBAN></Id></{party}Acct>", t.iban)
        };
        out.push_str(&format!(
            "<Ntry>\n  <Amt Ccy=\"EUR\">{}</Amt>\n  <CdtDbtInd>{}</CdtDbtInd>\n  <Sts><Cd>BOOK</Cd></Sts>\n  \
             <BookgDt><Dt>{}</Dt></BookgDt>\n  <ValDt><Dt>{}</Dt></ValDt>\n  <AcctSvcrRef>{}</AcctSvcrRef>\n  \
             <NtryDtls><TxDtls>\n    <Refs><EndToEndId>{}</EndToEndId></Refs>\n    \
             <RltdPties><{party}>{pty_open}<Nm>{}</Nm>{pty_close}</{party}>{iban}</RltdPties>\n    \
             <RmtInf><Ustrd>{}</Ustrd></RmtInf>\n  </TxDtls></NtryDtls>\n</Ntry>\n",
            t.amount.trim_start_matches('-'),
            if credit { "CRDT" } else { "DBIT" },
            ymd(t.date, "-"),
            ymd(t.date, "-"),
            t.bank_id,
            if t.reference.is_empty() {
                "NOTPROVIDED"
            } else {
                t.reference
            },
            xml(t.counterparty),
            xml(t.text),
        ));
    }
    out.push_str(&format!("</{stmt}>\n</{root}>\n</Document>\n"));
    out.into_bytes()
}

/// MT940 with German structured `:86:` (`?20 EREF+ … SVWZ+ …`, `?31` IBAN, `?32` name), in
/// Windows-1252 as German banks send it.
pub fn mt940() -> Vec<u8> {
    let mut out = format!(":20:STARTUMS\r\n:25:{ACCOUNT}\r\n:28C:1/1\r\n:60F:C260101EUR1000,00\r\n");
    for t in txs() {
        let d = format!("{:02}{:02}{:02}", t.date.year() % 100, t.date.month(), t.date.day());
        let md = &d[2..];
        let amount = t.amount.trim_start_matches('-').replace('.', ",");
        let mark = if t.amount.starts_with('-') { "D" } else { "C" };
        out.push_str(&format!(":61:{d}{md}{mark}{amount}NTRFNONREF//{}\r\n", t.bank_id));
        let mut info = String::from("166?00SEPA-UEBERWEISUNG?20");
        if !t.reference.is_empty() {
            info.push_str(&format!("EREF+{}", t.reference));
        }
        info.push_str(&format!("?21SVWZ+{}", t.text));
        if !t.iban.is_empty() {
            info.push_str(&format!("?31{}", t.iban));
        }
        info.push_str(&format!("?32{}", t.counterparty));
        // Lines of at most 65 characters, continued on the next line.
        let chars: Vec<char> = info.chars().collect();
        let wrapped: Vec<String> = chars.chunks(60).map(|c| c.iter().collect()).collect();
        out.push_str(&format!(":86:{}\r\n", wrapped.join("\r\n")));
    }
    out.push_str(&format!(":62F:C260115EUR{}\r\n-\r\n", CLOSING.replace('.', ",")));
    encoding_rs::WINDOWS_1252.encode(&out).0.into_owned()
}
