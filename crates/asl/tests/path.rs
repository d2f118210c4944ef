//! Paths and reference paths, with expected values from the AWS Step Functions
//! documentation, the Amazon States Language specification and the Jayway JsonPath
//! README (the library Step Functions uses).

use serde_json::{Value, json};
use weft_asl::path::{
    NoVariables, Path, PathError, ReferencePath, Root, Scope, Segment, Variables,
};

fn select_in(path: &str, input: &Value) -> Option<Value> {
    let path = Path::parse(path).unwrap_or_else(|e| panic!("{path} should parse: {e}"));
    let context = json!({});
    let scope = Scope {
        input,
        context: &context,
        variables: &NoVariables,
    };
    path.select(&scope).map(|selected| selected.into_owned())
}

/// The state input of the AWS "Reference Paths" example.
fn reference_paths_input() -> Value {
    json!({ "foo": 123, "bar": ["a", "b", "c"], "car": { "cdr": true } })
}

/// The book store document of the Jayway JsonPath README.
fn store() -> Value {
    json!({
        "store": {
            "book": [
                { "category": "reference", "author": "Nigel Rees",
                  "title": "Sayings of the Century", "price": 8.95 },
                { "category": "fiction", "author": "Evelyn Waugh",
                  "title": "Sword of Honour", "price": 12.99 },
                { "category": "fiction", "author": "Herman Melville", "title": "Moby Dick",
                  "isbn": "0-553-21311-3", "price": 8.99 },
                { "category": "fiction", "author": "J. R. R. Tolkien",
                  "title": "The Lord of the Rings", "isbn": "0-395-19395-8", "price": 22.99 }
            ],
            "bicycle": { "color": "red", "price": 19.95 }
        },
        "expensive": 10
    })
}

fn book(index: usize) -> Value {
    store()["store"]["book"][index].clone()
}

#[test]
fn aws_reference_path_examples() {
    let input = reference_paths_input();
    assert_eq!(select_in("$.foo", &input), Some(json!(123)));
    assert_eq!(select_in("$.bar", &input), Some(json!(["a", "b", "c"])));
    assert_eq!(select_in("$.car.cdr", &input), Some(json!(true)));
}

#[test]
fn dollar_alone_selects_the_whole_input() {
    let input = reference_paths_input();
    assert_eq!(select_in("$", &input), Some(input.clone()));
}

#[test]
fn definite_selection_borrows_from_the_input() {
    let input = reference_paths_input();
    let context = json!({});
    let scope = Scope {
        input: &input,
        context: &context,
        variables: &NoVariables,
    };
    let path = Path::parse("$.car").expect("valid path");
    assert!(matches!(
        path.select(&scope),
        Some(std::borrow::Cow::Borrowed(_))
    ));
}

#[test]
fn bracket_notation_for_names_with_special_characters() {
    // AWS: "you must use bracket notation … For example, $.abc.['def ghi']".
    let input = json!({ "abc": { "def ghi": 1 }, "a b": 2, "x": 3, "my-field": 4 });
    assert_eq!(select_in("$.abc.['def ghi']", &input), Some(json!(1)));
    assert_eq!(select_in("$.abc['def ghi']", &input), Some(json!(1)));
    assert_eq!(select_in("$['a b']", &input), Some(json!(2)));
    assert_eq!(select_in("$[\"x\"]", &input), Some(json!(3)));
    assert_eq!(select_in("$.my-field", &input), Some(json!(4)));
}

#[test]
fn spec_parameters_example_with_index_and_slice() {
    // ASL specification, Parameters: "first.$": "$.vals[0]", "last3.$": "$.vals[3:]".
    let input = json!({ "flagged": 7, "vals": [0, 10, 20, 30, 40, 50] });
    assert_eq!(select_in("$.vals[0]", &input), Some(json!(0)));
    assert_eq!(select_in("$.vals[3:]", &input), Some(json!([30, 40, 50])));
}

#[test]
fn spec_reference_path_forms() {
    // Reference paths listed in the ASL specification.
    let input = json!({
        "ledgers": { "branch": [ { "pending": { "count": 5 } } ] },
        "store": { "book": "b" }
    });
    assert_eq!(
        select_in("$.ledgers.branch[0].pending.count", &input),
        Some(json!(5))
    );
    assert_eq!(
        select_in("$.ledgers.branch[0]", &input),
        Some(json!({ "pending": { "count": 5 } }))
    );
    assert_eq!(select_in("$['store']['book']", &input), Some(json!("b")));
}

#[test]
fn missing_definite_paths_select_nothing() {
    let input = reference_paths_input();
    assert_eq!(select_in("$.nope", &input), None);
    assert_eq!(select_in("$.foo.bar", &input), None);
    assert_eq!(select_in("$.bar[3]", &input), None);
    assert_eq!(select_in("$.car[0]", &input), None);
    assert_eq!(select_in("$.bar[-4]", &input), None);
}

#[test]
fn present_null_is_selected() {
    let input = json!({ "a": null });
    assert_eq!(select_in("$.a", &input), Some(Value::Null));
}

#[test]
fn jayway_negative_index_is_from_the_end() {
    let input = json!({ "items": [1, 2, 3] });
    assert_eq!(select_in("$.items[-1]", &input), Some(json!(3)));
    assert_eq!(select_in("$.items[-3]", &input), Some(json!(1)));
    assert!(Path::parse("$.items[-1]").expect("valid").is_definite());
}

#[test]
fn jayway_readme_examples() {
    let store = store();
    let authors = json!([
        "Nigel Rees",
        "Evelyn Waugh",
        "Herman Melville",
        "J. R. R. Tolkien"
    ]);
    assert_eq!(
        select_in("$.store.book[*].author", &store),
        Some(authors.clone())
    );
    assert_eq!(select_in("$..author", &store), Some(authors));
    assert_eq!(
        select_in("$.store.*", &store),
        Some(json!([store["store"]["book"], store["store"]["bicycle"]]))
    );
    assert_eq!(
        select_in("$.store..price", &store),
        Some(json!([8.95, 12.99, 8.99, 22.99, 19.95]))
    );
    assert_eq!(select_in("$..book[2]", &store), Some(json!([book(2)])));
    assert_eq!(select_in("$..book[-2]", &store), Some(json!([book(2)])));
    assert_eq!(
        select_in("$..book[0,1]", &store),
        Some(json!([book(0), book(1)]))
    );
    assert_eq!(
        select_in("$..book[:2]", &store),
        Some(json!([book(0), book(1)]))
    );
    assert_eq!(select_in("$..book[1:2]", &store), Some(json!([book(1)])));
    assert_eq!(
        select_in("$..book[-2:]", &store),
        Some(json!([book(2), book(3)]))
    );
    assert_eq!(
        select_in("$..book[2:]", &store),
        Some(json!([book(2), book(3)]))
    );
    assert_eq!(
        select_in("$..book[?(@.isbn)]", &store),
        Some(json!([book(2), book(3)]))
    );
    assert_eq!(
        select_in("$.store.book[?(@.price < 10)]", &store),
        Some(json!([book(0), book(2)]))
    );
    assert_eq!(
        select_in("$..book[?(@.price <= $['expensive'])]", &store),
        Some(json!([book(0), book(2)]))
    );
    assert_eq!(
        select_in("$..book[?(@.author =~ /.*REES/i)]", &store),
        Some(json!([book(0)]))
    );
}

#[test]
fn filters_with_string_comparison_and_logic() {
    let store = store();
    assert_eq!(
        select_in("$.store.book[?(@.category == 'reference')].title", &store),
        Some(json!(["Sayings of the Century"]))
    );
    assert_eq!(
        select_in(
            "$.store.book[?(@.category == \"fiction\" && @.price > 20)].title",
            &store
        ),
        Some(json!(["The Lord of the Rings"]))
    );
    assert_eq!(
        select_in("$.store.book[?(!@.isbn)].title", &store),
        Some(json!(["Sayings of the Century", "Sword of Honour"]))
    );
    assert_eq!(
        select_in("$.store.book[?(@.price < 9 || @.price > 20)].price", &store),
        Some(json!([8.95, 8.99, 22.99]))
    );
}

#[test]
fn aws_flatten_array_of_arrays() {
    // AWS "Flattening an array of arrays": "flattenArray.$": "$[*][*]".
    let input = json!([[1, 2, 3], [4, 5, 6], [7, 8, 9]]);
    assert_eq!(
        select_in("$[*][*]", &input),
        Some(json!([1, 2, 3, 4, 5, 6, 7, 8, 9]))
    );
}

#[test]
fn indefinite_paths_give_empty_lists_when_nothing_matches() {
    let store = store();
    assert_eq!(
        select_in("$.store.book[?(@.price > 100)]", &store),
        Some(json!([]))
    );
    assert_eq!(select_in("$..nothing", &store), Some(json!([])));
    assert!(!Path::parse("$..nothing").expect("valid").is_definite());
}

#[test]
fn indefinite_path_with_missing_definite_prefix_is_not_found() {
    // Jayway: "Missing property in path $['no']" for a property before the wildcard.
    let store = store();
    assert_eq!(select_in("$.no.such[*]", &store), None);
    assert_eq!(select_in("$.store.nope[*]", &store), None);
}

#[test]
fn unions() {
    let input = json!({ "a": 1, "b": 2, "c": 3, "list": [10, 20, 30] });
    assert_eq!(select_in("$.list[0,2]", &input), Some(json!([10, 30])));
    // Jayway merges several properties at the end of a path into one object.
    assert_eq!(
        select_in("$['a','c']", &input),
        Some(json!({ "a": 1, "c": 3 }))
    );
    assert!(Path::parse("$['a','c']").expect("valid").is_definite());
}

#[test]
fn wildcard_over_object_values() {
    let input = json!({ "a": { "x": 1, "y": 2 } });
    assert_eq!(select_in("$.a.*", &input), Some(json!([1, 2])));
    assert_eq!(select_in("$.a[*]", &input), Some(json!([1, 2])));
}

#[test]
fn context_object_paths() {
    let input = json!({ "ignored": true });
    let context = json!({
        "Execution": { "Id": "arn:aws:states:us-east-1:123456789012:execution:sm:name" },
        "Map": { "Item": { "Index": 0, "Value": { "k": "v" } } }
    });
    let scope = Scope {
        input: &input,
        context: &context,
        variables: &NoVariables,
    };
    let id = Path::parse("$$.Execution.Id").expect("valid");
    assert_eq!(id.root(), &Root::Context);
    assert_eq!(
        id.select(&scope).map(|v| v.into_owned()),
        Some(json!(
            "arn:aws:states:us-east-1:123456789012:execution:sm:name"
        ))
    );
    let value = Path::parse("$$.Map.Item.Value").expect("valid");
    assert_eq!(
        value.select(&scope).map(|v| v.into_owned()),
        Some(json!({ "k": "v" }))
    );
    let whole = Path::parse("$$").expect("valid");
    assert_eq!(
        whole.select(&scope).map(|v| v.into_owned()),
        Some(context.clone())
    );
    let all_ids = Path::parse("$$..Id").expect("valid");
    assert_eq!(
        all_ids.select(&scope).map(|v| v.into_owned()),
        Some(json!([
            "arn:aws:states:us-east-1:123456789012:execution:sm:name"
        ]))
    );
}

struct Vars(Value);

impl Variables for Vars {
    fn get(&self, name: &str) -> Option<&Value> {
        self.0.get(name)
    }
}

#[test]
fn variable_paths() {
    let input = json!({});
    let context = json!({});
    let variables = Vars(json!({ "name": { "field": [7, 8] }, "_x1": "u" }));
    let scope = Scope {
        input: &input,
        context: &context,
        variables: &variables,
    };
    let path = Path::parse("$name.field[0]").expect("valid");
    assert_eq!(path.root(), &Root::Variable("name".to_string()));
    assert_eq!(path.select(&scope).map(|v| v.into_owned()), Some(json!(7)));
    let whole = Path::parse("$_x1").expect("valid");
    assert_eq!(
        whole.select(&scope).map(|v| v.into_owned()),
        Some(json!("u"))
    );
    let all = Path::parse("$name.field[*]").expect("valid");
    assert_eq!(
        all.select(&scope).map(|v| v.into_owned()),
        Some(json!([7, 8]))
    );
    let unknown = Path::parse("$other.field").expect("valid");
    assert_eq!(unknown.select(&scope), None);
}

#[test]
fn text_is_kept_as_written() {
    for text in [
        "$",
        "$.a.b",
        "$['a b'][0]",
        "$..x",
        "$$.Execution.Id",
        "$v.f",
    ] {
        assert_eq!(Path::parse(text).expect("valid").text(), text);
    }
}

fn parse_error(text: &str) -> PathError {
    match Path::parse(text) {
        Ok(_) => panic!("{text:?} should not parse"),
        Err(error) => error,
    }
}

#[test]
fn invalid_paths_are_rejected_with_a_reason() {
    for text in [
        "",
        "a",
        "foo.$",
        " $.a",
        "$.a ",
        "$.",
        "$..",
        "$.a.",
        "$a-b",
        "$1",
        "$[",
        "$['a'",
        "$[a]",
        "$.a[1",
        "$.length()",
        "$.a b",
        "$.a[?(@.b == 1]",
        "$.a[?(@.b in ['x'])]",
        "$[1.5]",
        "$-",
        "$.a..",
    ] {
        let error = parse_error(text);
        assert!(
            error
                .message
                .starts_with(&format!("Invalid path '{text}': ")),
            "{text:?}: {}",
            error.message
        );
    }
    assert!(parse_error("a").message.contains("must start with '$'"));
    assert!(parse_error(" $").message.contains("blank"));
}

#[test]
fn reference_path_parses_fields_and_indexes() {
    let path = ReferencePath::parse("$.a['b c'][2].d").expect("valid");
    assert_eq!(
        path.segments(),
        &[
            Segment::Field("a".to_string()),
            Segment::Field("b c".to_string()),
            Segment::Index(2),
            Segment::Field("d".to_string()),
        ]
    );
    assert_eq!(path.text(), "$.a['b c'][2].d");
    assert!(
        ReferencePath::parse("$")
            .expect("valid")
            .segments()
            .is_empty()
    );
}

#[test]
fn reference_path_rejects_everything_else() {
    for text in [
        "$$.Execution.Id",
        "$var.x",
        "$.a[*]",
        "$.a.*",
        "$..a",
        "$.a[0:1]",
        "$['a','b']",
        "$[0,1]",
        "$.a[?(@.b)]",
        "$.a[-1]",
        "a",
        "",
    ] {
        let error = ReferencePath::parse(text).expect_err(text);
        assert!(
            error
                .message
                .starts_with(&format!("Invalid reference path '{text}'")),
            "{text:?}: {}",
            error.message
        );
    }
}

fn write(path: &str, target: Value, value: Value) -> Result<Value, String> {
    ReferencePath::parse(path)
        .expect("valid reference path")
        .write(target, value)
        .map_err(|e| e.message)
}

#[test]
fn aws_result_path_examples() {
    let input = json!({
        "comment": "This is a test",
        "details": "Default example",
        "who": "Step Functions"
    });
    // "ResultPath": "$" replaces the input with the result.
    assert_eq!(
        write("$", input.clone(), json!("Hello, Step Functions!")),
        Ok(json!("Hello, Step Functions!"))
    );
    // "ResultPath": "$.taskresult" adds the result to the input.
    assert_eq!(
        write("$.taskresult", input, json!("Hello, Step Functions!")),
        Ok(json!({
            "comment": "This is a test",
            "details": "Default example",
            "who": "Step Functions",
            "taskresult": "Hello, Step Functions!"
        }))
    );
}

#[test]
fn write_creates_missing_objects_and_replaces_existing_values() {
    assert_eq!(
        write("$.a.b.c", json!({ "x": 1 }), json!(2)),
        Ok(json!({ "x": 1, "a": { "b": { "c": 2 } } }))
    );
    assert_eq!(
        write("$.a.b", json!({ "a": { "b": 1, "k": 0 } }), json!([9])),
        Ok(json!({ "a": { "b": [9], "k": 0 } }))
    );
    assert_eq!(
        write("$.list[1].v", json!({ "list": [{}, { "w": 1 }] }), json!(3)),
        Ok(json!({ "list": [{}, { "w": 1, "v": 3 }] }))
    );
    assert_eq!(
        write("$[0]", json!([1, 2]), json!("x")),
        Ok(json!(["x", 2]))
    );
}

#[test]
fn write_into_non_objects_fails_like_result_path_match_failure() {
    assert_eq!(
        write("$.x.y", json!("foo"), json!(1)),
        Err("Unable to apply ReferencePath $.x.y to input \"foo\"".to_string())
    );
    assert_eq!(
        write("$.x", json!([1, 2]), json!(1)),
        Err("Unable to apply ReferencePath $.x to input [1,2]".to_string())
    );
    assert_eq!(
        write("$.a.b", json!({ "a": 5 }), json!(1)),
        Err("Unable to apply ReferencePath $.a.b to input {\"a\":5}".to_string())
    );
    assert!(write("$.x", Value::Null, json!(1)).is_err());
    assert!(write("$.list[2]", json!({ "list": [1, 2] }), json!(1)).is_err());
    assert!(write("$.list[0]", json!({ "list": { "0": 1 } }), json!(1)).is_err());
    assert!(write("$.new[0]", json!({}), json!(1)).is_err());
}

#[test]
fn deeply_nested_filters_are_rejected_without_overflowing() {
    let parens = format!("$[?({}@.a{})]", "(".repeat(5000), ")".repeat(5000));
    let nested = format!("${}@.a{}", "[?(@".repeat(2000), ")]".repeat(2000));
    let negations = format!("$[?({}@.a)]", "!".repeat(5000));
    for text in [parens, nested, negations] {
        let _ = Path::parse(&text);
    }
}

#[test]
fn the_deepest_accepted_filter_nesting_still_compiles() {
    let mut inner = "@.a == 1".to_string();
    // With the outermost one, sixteen filters deep: the most that is accepted.
    for _ in 0..15 {
        inner = format!("{}@[?({})]{}", "(".repeat(30), inner, ")".repeat(30));
    }
    let text = format!("$[?({inner})]");
    let parsed = Path::parse(&text);
    assert!(parsed.is_ok(), "{:?}", parsed.err());
}

/// `[0,0]` n times selects 2ⁿ copies of one node and each `..` multiplies the nodes
/// visited by the document's depth, so such paths are refused when they are parsed.
#[test]
fn paths_whose_evaluation_would_explode_are_refused() {
    use weft_asl::path::Path;
    let unions = format!("${}", "[0,0]".repeat(11));
    let error = Path::parse(&unions).expect_err("2048 copies");
    assert!(
        error.message.contains("more than 1024 copies"),
        "{}",
        error.message
    );
    assert!(Path::parse(&format!("${}", "[0,0]".repeat(10))).is_ok());
    let error = Path::parse("$..a..b..c").expect_err("three descendant steps");
    assert!(
        error.message.contains("descendant steps"),
        "{}",
        error.message
    );
    assert!(Path::parse("$..a..b").is_ok());
}
