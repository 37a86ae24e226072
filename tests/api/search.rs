//! The search API over a firm's records: typo tolerance, prefixes as you type, filters, counts
//! per kind and highlight ranges; an edit seen by the next search; bad parameters a 400 with
//! nothing searched, any query text lenient; another firm's and another company's records never
//! found (the kill -9 case is in `tests/crash.rs`).

use reqwest::StatusCode;
use serde_json::{Value, json};

use crate::fixtures::{CUSTOMERS, Firm, INVOICES, ITEMS, STRONG_PASSWORD, USERS, id};
use crate::helpers::TestApp;
use crate::on_every_backend;

const SEARCH: &str = "/api/search/";

async fn search(f: &Firm, query: &str) -> Value {
    let r = f.get(&format!("{SEARCH}?{query}")).await;
    assert_eq!(r.status, StatusCode::OK, "{query}: {}", r.body);
    r.body
}

/// The titles found, in order.
fn titles(body: &Value) -> Vec<String> {
    body["groups"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|g| g["hits"].as_array().unwrap().iter())
        .map(|h| h["title"].as_str().unwrap().to_owned())
        .collect()
}

fn count(body: &Value, kind: &str) -> u64 {
    body["groups"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["kind"] == kind)
        .map_or(0, |g| g["count"].as_u64().unwrap())
}

async fn finds_what_was_written_with_typos_and_prefixes(app: TestApp) {
    let f = Firm::register(&app, "search@acme.test", "Acme Search").await;
    let zanzibar = f
        .create(
            CUSTOMERS,
            json!({"name": "Zanzibar Spice Traders", "tax_id": "TZ100200300", "emails": ["orders@zanzibar.test"]}),
        )
        .await;
    f.create(
        ITEMS,
        json!({"code": "CLOVE-1", "name": "Cloves, whole", "kind": "product", "sale_price": "12.50"}),
    )
    .await;
    let mut entry = f.entry(
        "2026-03-05",
        "RENT-03",
        &[("6100", "1500.00", ""), ("1010", "", "1500.00")],
    );
    entry["description"] = json!("Quarterly rent Kensington office");
    f.posted(entry).await;
    f.issued(
        INVOICES,
        json!({"contact": id(&zanzibar), "issue_date": "2026-03-01",
               "lines": [{"description": "Saffron threads, premium grade", "quantity": "2", "unit_price": "40.00",
                          "account": f.acct("4200")}]}),
    )
    .await;

    // Exact, with a typo, and a prefix as it is typed; the contact's name is highlighted.
    let body = search(&f, "q=zanzibar").await;
    assert_eq!(count(&body, "contact"), 1, "{body}");
    let contact = &body["groups"]
        .as_array()
        .unwrap()
        .iter()
        .find(|g| g["kind"] == "contact")
        .unwrap()["hits"][0];
    assert_eq!(contact["title"], "Zanzibar Spice Traders");
    assert_eq!(contact["title_highlights"], json!([{"start": 0, "end": 8}]));
    assert_eq!(contact["id"], zanzibar["id"]);
    assert!(titles(&search(&f, "q=zanzibr+spice").await).contains(&"Zanzibar Spice Traders".to_owned()));
    assert_eq!(count(&search(&f, "q=Kensing").await, "entry"), 1);
    assert_eq!(count(&search(&f, "q=quartrly+rent+").await, "entry"), 1);
    // An invoice by its lines' words and its customer's name; the snippet marks the word.
    let body = search(&f, "q=saffron").await;
    assert_eq!(count(&body, "invoice"), 1, "{body}");
    let hit = &body["groups"][0]["hits"][0];
    let snippet = hit["snippet"].as_str().unwrap();
    let mark = &hit["snippet_highlights"][0];
    let (s, e) = (
        mark["start"].as_u64().unwrap() as usize,
        mark["end"].as_u64().unwrap() as usize,
    );
    assert_eq!(&snippet[s..e], "Saffron", "{hit}");
    assert_eq!(count(&search(&f, "q=zanzibar&kind=invoice").await, "invoice"), 1);
    assert_eq!(count(&search(&f, "q=clove").await, "item"), 1);

    // Filters: kind, dates, amounts (minor units), contact.
    assert_eq!(search(&f, "q=kensington&kind=contact,invoice").await["total"], 0);
    assert_eq!(search(&f, "q=kensington&date_from=2026-03-06").await["total"], 0);
    assert_eq!(search(&f, "q=kensington&date_to=2026-03-05").await["total"], 1);
    assert_eq!(
        search(&f, "q=kensington&amount_min=150000&amount_max=150000").await["total"],
        1
    );
    assert_eq!(search(&f, "q=kensington&amount_min=150001").await["total"], 0);
    let by_contact = search(&f, &format!("q=zanzibar&contact={}", id(&zanzibar))).await;
    assert_eq!(by_contact["total"], 2, "the contact and its invoice: {by_contact}");

    // An edit is found by the next search; the old name is gone.
    let r = f
        .patch(
            &format!("{CUSTOMERS}{}/", id(&zanzibar)),
            json!({"name": "Pemba Clove Company"}),
        )
        .await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(count(&search(&f, "q=pemba").await, "contact"), 1);
    // Its invoice shows the new name too.
    assert_eq!(count(&search(&f, "q=pemba&kind=invoice").await, "invoice"), 1);
    assert_eq!(count(&search(&f, "q=spice+traders&kind=contact").await, "contact"), 0);

    // Any text is lenient; no words find nothing.
    for q in ["%22(((AND%3A*", "-", "%F0%9F%A6%80", "a+b+c+d+e+f+g+h+i+j+k"] {
        search(&f, &format!("q={q}")).await;
    }
    assert_eq!(search(&f, "q=").await["total"], 0);
    // Bad parameters: a 400 naming the parameter.
    let long = "x".repeat(201);
    for (query, field) in [
        ("q=a&page_size=0", "page_size"),
        ("q=a&page_size=51", "page_size"),
        ("q=a&page=0", "page"),
        ("q=a&date_from=03/05/2026", "date_from"),
        ("q=a&amount_min=12.50", "amount_min"),
        ("q=a&kind=invoices", "kind"),
        ("q=a&contact=nobody", "contact"),
        (&format!("q={long}") as &str, "q"),
    ] {
        let r = f.get(&format!("{SEARCH}?{query}")).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{query}: {}", r.body);
        assert!(r.body.get(field).is_some(), "{query}: {}", r.body);
    }
    let r = f.get(&format!("{SEARCH}?q=zanzibar")).await;
    assert_eq!(r.status, StatusCode::OK);
    let anonymous = app
        .client
        .get(format!("{}{SEARCH}?q=zanzibar", app.base))
        .send()
        .await
        .unwrap();
    assert_eq!(anonymous.status(), StatusCode::UNAUTHORIZED);
}
on_every_backend!(
    search_finds_what_was_written_with_typos_and_prefixes,
    finds_what_was_written_with_typos_and_prefixes
);

async fn only_what_the_caller_may_see(app: TestApp) {
    let a = Firm::register(&app, "search-a@acme.test", "Firm A").await;
    a.create(CUSTOMERS, json!({"name": "Obsidian Works"})).await;
    let sub = a.new_company("Sub Ltd", "EUR").await;
    sub.create(CUSTOMERS, json!({"name": "Obsidian Mining"})).await;
    let b = Firm::register(&app, "search-b@acme.test", "Firm B").await;
    b.create(CUSTOMERS, json!({"name": "Basalt Partners"})).await;

    // The owner sees both companies; a company filter narrows it.
    assert_eq!(search(&a, "q=obsidian").await["total"], 2);
    let company = sub.company.clone().unwrap();
    let only_sub = search(&a, &format!("q=obsidian&company={company}")).await;
    assert_eq!(titles(&only_sub), ["Obsidian Mining"]);

    // Firm B never sees firm A's records, nor names its company.
    assert_eq!(search(&b, "q=obsidian").await["total"], 0);
    assert_eq!(search(&a, "q=basalt").await["total"], 0);
    let r = b.get(&format!("{SEARCH}?q=obsidian&company={company}")).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);

    // A user limited to the first company never sees the second's records.
    let first = a.get("/api/tenants/companies/").await.body["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["name"] != "Sub Ltd")
        .unwrap()["id"]
        .clone();
    let created = a
        .post(
            USERS,
            json!({"email": "search-lim@acme.test", "role": "accountant", "password": STRONG_PASSWORD,
                   "companies": [first], "all_companies": false}),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let limited = Firm {
        token: app.sign_in("search-lim@acme.test").await,
        company: None,
        ..a.clone()
    };
    assert_eq!(titles(&search(&limited, "q=obsidian").await), ["Obsidian Works"]);
    let r = limited.get(&format!("{SEARCH}?q=obsidian&company={company}")).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);
}
on_every_backend!(search_finds_only_what_the_caller_may_see, only_what_the_caller_may_see);

/// A kept file's extracted text is searchable once its extraction is done (written here as the
/// extraction queue writes it: `file_texts` moved to `done`), and not before.
async fn finds_words_inside_kept_documents(app: TestApp) {
    use oasys::auth::scope::TenantScope;
    use oasys::store::{Store, StoreConfig, Value};

    let f = Firm::register(&app, "search-files@acme.test", "Files Firm").await;
    let me = f.get("/api/auth/me/").await.body;
    let tenant: uuid::Uuid = me["tenant"].as_str().unwrap().parse().unwrap();
    let company: uuid::Uuid = me["default_company"].as_str().unwrap().parse().unwrap();
    let config = match &app.backend {
        crate::helpers::Backend::Sqlite => StoreConfig::Sqlite {
            data_dir: app.data_dir().to_path_buf(),
            cache_size: 2,
        },
        crate::helpers::Backend::Postgres(url) => StoreConfig::Postgres {
            url: url.clone(),
            platform_schema: app.platform_schema.clone(),
            pool_size: 2,
        },
    };
    // The PostgreSQL client is synchronous: the store works off the test's runtime threads.
    let store = std::sync::Arc::new(
        tokio::task::spawn_blocking(move || Store::open(&config).unwrap())
            .await
            .unwrap(),
    );
    let scope = TenantScope::operator(tenant);
    let write = |sql: &'static str, params: Vec<Value>| {
        let (store, scope) = (std::sync::Arc::clone(&store), scope.clone());
        tokio::task::spawn_blocking(move || store.tenant_write(&scope, |tx| tx.execute(sql, &params)).unwrap())
    };
    let file = uuid::Uuid::now_v7();
    let now = "2026-03-07T10:00:00.000000Z";
    write(
        "INSERT INTO files (id, company_id, name, kind, current_version, inbox, created_at, updated_at) \
         VALUES ($1, $2, 'scan-0042.pdf', 'pdf', 1, 0, $3, $3)",
        vec![Value::Id(file), Value::Id(company), Value::Text(now.into())],
    )
    .await
    .unwrap();
    write(
        "INSERT INTO file_texts (file_id, version, state, text, updated_at) VALUES ($1, 1, 'pending', '', $2)",
        vec![Value::Id(file), Value::Text(now.into())],
    )
    .await
    .unwrap();
    // Found by its name; its text is not extracted yet.
    assert_eq!(count(&search(&f, "q=scan-0042").await, "document"), 1);
    assert_eq!(search(&f, "q=glockenspiel").await["total"], 0);
    write(
        "UPDATE file_texts SET state = 'done', method = 'pdf', \
         text = 'Rechnung 2026-118 from Glockenspiel Instruments GmbH, net 30 days' WHERE file_id = $1",
        vec![Value::Id(file)],
    )
    .await
    .unwrap();
    let body = search(&f, "q=glockenspeil&kind=document").await;
    assert_eq!(count(&body, "document"), 1, "{body}");
    let hit = &body["groups"][0]["hits"][0];
    assert_eq!(hit["id"], file.to_string());
    assert_eq!(hit["title"], "scan-0042.pdf");
    assert_eq!(hit["date"], "2026-03-07");
    assert!(hit["snippet"].as_str().unwrap().contains("Glockenspiel"), "{hit}");
    // Deleted: gone from the index.
    write("DELETE FROM files WHERE id = $1", vec![Value::Id(file)])
        .await
        .unwrap();
    assert_eq!(search(&f, "q=glockenspiel").await["total"], 0);
    // The store goes down off the runtime too (the PostgreSQL pool blocks when dropped).
    let _ = tokio::task::spawn_blocking(move || drop(store)).await;
}
on_every_backend!(
    search_finds_words_inside_kept_documents,
    finds_words_inside_kept_documents
);
