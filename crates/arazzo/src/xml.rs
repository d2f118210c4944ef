//! XML and XPath 3.1 (through `xee`): the condition of `xpath` criteria and payload
//! replacements whose target is an XPath expression.
//!
//! Behind the `xpath` Cargo feature (on by default): without it every function here
//! answers [`XmlError::Unavailable`].

/// Why an XML or XPath operation could not be done.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum XmlError {
    #[error("not well-formed XML: {0}")]
    Parse(String),
    #[error("XPath `{expression}`: {message}")]
    XPath { expression: String, message: String },
    #[error("XPath `{0}` selects nothing in the payload")]
    NoMatch(String),
    #[error("XPath `{expression}` selects {what}, which cannot take a value")]
    NotSettable { expression: String, what: String },
    #[error("weft was built without XPath support (the `xpath` feature of weft-arazzo)")]
    Unavailable,
}

/// Whether XPath support was built in.
pub const AVAILABLE: bool = cfg!(feature = "xpath");

/// The language an XPath expression is written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum XPathVersion {
    /// XPath 1.0: its own conversions of compared and computed values.
    V1,
    /// XPath 3.1, which also reads XPath 2.0 and 3.0.
    V3,
}

/// Evaluates `xpath` with the document `xml` as the context item and returns its
/// Effective Boolean Value (XPath 3.1 §2.4.3, the same as 1.0's `boolean()` for
/// every value 1.0 has): `true`, a non-empty string, a non-zero number, a sequence
/// that starts with a node pass; an empty sequence fails; other sequences (several
/// atomic values) are an error.
pub fn evaluate_boolean(xml: &str, xpath: &str, version: XPathVersion) -> Result<bool, XmlError> {
    imp::evaluate_boolean(xml, xpath, version)
}

/// Checks that `xpath` compiles.
pub fn check(xpath: &str, version: XPathVersion) -> Result<(), XmlError> {
    imp::check(xpath, version)
}

/// Sets the value of every node `target_xpath` selects in `xml` and writes the document
/// back: an element's content becomes the text `value` (its children are replaced), an
/// attribute's or text node's value becomes `value`. Selecting nothing, or something
/// that holds no value (the document node, a comment, an atomic value), is an error.
/// The XML declaration and the whitespace around the root element are kept.
///
/// Names are matched as XPath does: elements in a default namespace need a prefix-free
/// wildcard (`/*:Envelope/*:Body`) or an EQName (`/Q{urn:x}Envelope`).
pub fn replace(xml: &str, target_xpath: &str, value: &str) -> Result<String, XmlError> {
    imp::replace(xml, target_xpath, value)
}

pub mod budget;
#[cfg(feature = "xpath")]
mod xpath10;

#[cfg(feature = "xpath")]
mod imp {
    use std::borrow::Cow;

    use xee_xpath::{Documents, Queries, Query};

    use super::xpath10::Refusal;
    use super::{XPathVersion, XmlError, budget};

    fn xpath_error(expression: &str, error: impl std::fmt::Display) -> XmlError {
        XmlError::XPath {
            expression: expression.to_string(),
            message: error.to_string(),
        }
    }

    fn load(xml: &str) -> Result<(Documents, xee_xpath::DocumentHandle), XmlError> {
        let mut documents = Documents::new();
        let handle = documents
            .add_string_without_uri(xml)
            .map_err(|e| XmlError::Parse(e.to_string()))?;
        Ok((documents, handle))
    }

    /// The expression as XPath 3.1 text, once it is known to be within its budget.
    fn xpath31(xpath: &str, version: XPathVersion) -> Result<Cow<'_, str>, XmlError> {
        within_budget(xpath)?;
        match version {
            XPathVersion::V3 => Ok(Cow::Borrowed(xpath)),
            XPathVersion::V1 => match super::xpath10::to_xpath31(xpath) {
                Ok(rewritten) => {
                    budget::check(
                        &rewritten,
                        budget::MAX_REWRITTEN_BYTES,
                        budget::MAX_REWRITTEN_NESTING,
                    )
                    .map_err(|why| {
                        xpath_error(
                            xpath,
                            format!("rewritten with XPath 1.0's conversions, {why}"),
                        )
                    })?;
                    Ok(Cow::Owned(rewritten))
                }
                Err(Refusal::Syntax) => Ok(Cow::Borrowed(xpath)),
                Err(Refusal::NotXPath10(why)) => Err(xpath_error(xpath, why)),
            },
        }
    }

    /// Refuses an expression whose length or nesting would make xee's parser slow
    /// (see `budget`).
    fn within_budget(xpath: &str) -> Result<(), XmlError> {
        budget::check(xpath, budget::MAX_XPATH_BYTES, budget::MAX_XPATH_NESTING)
            .map_err(|why| xpath_error(xpath, why))
    }

    pub(super) fn check(xpath: &str, version: XPathVersion) -> Result<(), XmlError> {
        Queries::default()
            .sequence(&xpath31(xpath, version)?)
            .map(drop)
            .map_err(|e| xpath_error(xpath, e))
    }

    pub(super) fn evaluate_boolean(
        xml: &str,
        xpath: &str,
        version: XPathVersion,
    ) -> Result<bool, XmlError> {
        let queries = Queries::default();
        let query = queries
            .sequence(&xpath31(xpath, version)?)
            .map_err(|e| xpath_error(xpath, e))?;
        let (mut documents, handle) = load(xml)?;
        let sequence = query
            .execute(&mut documents, handle)
            .map_err(|e| xpath_error(xpath, e))?;
        sequence
            .effective_boolean_value()
            .map_err(|e| xpath_error(xpath, e))
    }

    pub(super) fn replace(xml: &str, target: &str, value: &str) -> Result<String, XmlError> {
        within_budget(target)?;
        let queries = Queries::default();
        let query = queries
            .sequence(target)
            .map_err(|e| xpath_error(target, e))?;
        let (mut documents, handle) = load(xml)?;
        let root = documents
            .document_node(handle)
            .ok_or_else(|| XmlError::Parse("the document was not kept".into()))?;
        let sequence = query
            .execute(&mut documents, handle)
            .map_err(|e| xpath_error(target, e))?;
        let nodes = sequence
            .nodes()
            .collect::<Result<Vec<_>, _>>()
            .map_err(|_| XmlError::NotSettable {
                expression: target.to_string(),
                what: "an atomic value".into(),
            })?;
        if nodes.is_empty() {
            return Err(XmlError::NoMatch(target.to_string()));
        }
        let xot = documents.xot_mut();
        for node in nodes {
            if let Some(attribute) = xot.attribute_node_mut(node) {
                attribute.set_value(value);
            } else if let Some(text) = xot.text_mut(node) {
                text.set(value);
            } else if xot.is_element(node) {
                let children: Vec<_> = xot.children(node).collect();
                for child in children {
                    xot.remove(child)
                        .map_err(|e| XmlError::Parse(e.to_string()))?;
                }
                xot.append_text(node, value)
                    .map_err(|e| XmlError::Parse(e.to_string()))?;
            } else {
                return Err(XmlError::NotSettable {
                    expression: target.to_string(),
                    what: format!("{:?}", xot.value_type(node)).to_lowercase(),
                });
            }
        }
        let body = xot
            .to_string(root)
            .map_err(|e| XmlError::Parse(e.to_string()))?;
        // The tree keeps no XML declaration nor the whitespace around the root; put
        // them back as they were.
        let (prolog, epilog) = edges(xml);
        Ok(format!("{prolog}{body}{epilog}"))
    }

    /// The declaration (with the whitespace after it) and the trailing whitespace.
    fn edges(xml: &str) -> (&str, &str) {
        let trimmed = xml.trim_start();
        let lead = xml.len() - trimmed.len();
        let prolog = match trimmed
            .strip_prefix("<?xml")
            .and_then(|_| trimmed.find("?>"))
        {
            Some(end) => {
                let after = &trimmed[end + 2..];
                let gap = after.len() - after.trim_start().len();
                &xml[..lead + end + 2 + gap]
            }
            None => "",
        };
        (prolog, &xml[xml.trim_end().len()..])
    }
}

#[cfg(not(feature = "xpath"))]
mod imp {
    use super::{XPathVersion, XmlError};

    pub(super) fn check(_: &str, _: XPathVersion) -> Result<(), XmlError> {
        Err(XmlError::Unavailable)
    }

    pub(super) fn evaluate_boolean(_: &str, _: &str, _: XPathVersion) -> Result<bool, XmlError> {
        Err(XmlError::Unavailable)
    }

    pub(super) fn replace(_: &str, _: &str, _: &str) -> Result<String, XmlError> {
        Err(XmlError::Unavailable)
    }
}

#[cfg(all(test, feature = "xpath"))]
mod tests {
    use super::*;

    const PETS: &str =
        "<root><pets><pet id=\"1\">Rex</pet><pet id=\"2\">Tom</pet></pets><count>2</count></root>";

    #[test]
    fn effective_boolean_value() {
        let cases: &[(&str, bool)] = &[
            // 1.1's examples: "Pass if count of pets is greater than 0 (returns boolean)"
            // and "Pass if pets node exists (returns node-set)".
            ("count(/root/pets/*) > 0", true),
            ("/root/pets", true),
            ("/root/cats", false),
            // Booleans, numbers and strings by their EBV.
            ("/root/count = 2", true),
            ("/root/count = 3", false),
            ("number(/root/count)", true),
            ("number(/root/count) - 2", false),
            ("string(/root/pets/pet[1])", true),
            ("string(/root/nothing)", false),
            ("/root/pets/pet[@id = '2'] = 'Tom'", true),
            // XPath 3.1 functions.
            ("matches(/root/pets/pet[1], '^R')", true),
            ("string-join(/root/pets/pet, ',') = 'Rex,Tom'", true),
        ];
        for (xpath, expected) in cases {
            assert_eq!(
                evaluate_boolean(PETS, xpath, XPathVersion::V3).unwrap(),
                *expected,
                "{xpath}"
            );
        }
    }

    /// XPath 1.0's conversions (XPath 1.0 §3.4 comparisons, §3.5 numbers, §4 core
    /// functions). Each case's comment says what 1.0 does; most are errors or the
    /// opposite answer in 3.1.
    #[test]
    fn xpath10_conversions() {
        const DOC: &str = "<r><n>10</n><n>9</n><s>abc</s><e/><b>true</b></r>";
        let cases: &[(&str, bool)] = &[
            // Two strings compared with `<` become numbers: 10 < 9.
            ("'10' < '9'", false),
            // Operands that are themselves arithmetic or unions.
            ("/r/n[1] + 1 = 11", true),
            ("/r/n[2] * 2 > /r/n[1] + 7", true),
            ("/r/n[1] | /r/n[2] = 9", true),
            ("-/r/n[2] = -9 and /r/n[1] != 9", true),
            // Node-sets with `<` compare their nodes' numbers.
            ("/r/n[1] < /r/n[2]", false),
            ("/r/n > 9.5", true),
            ("/r/s < 1", false),
            // `=` with a number: some node's number equals it; with a string: its
            // string-value.
            ("/r/n = 9", true),
            ("/r/n = '9'", true),
            ("/r/n != 10", true),
            // Two node-sets: some pair of string-values differs.
            ("/r/n != /r/n", true),
            ("/r/n[1] != /r/n[1]", false),
            // A boolean on either side: both become booleans.
            ("/r/s = true()", true),
            ("/r/missing = false()", true),
            ("'abc' = true()", true),
            ("'' = false()", true),
            ("/r/b = true()", true),
            ("/r/b = 'true'", true),
            // Neither a node-set nor a boolean, one number: numbers.
            ("1 = '1.0'", true),
            ("number('abc') = number('abc')", false),
            // A node-set against a boolean with `<`: its boolean, as a number.
            ("/r/s < true()", false),
            // Otherwise `<` compares numbers: 0 < 1.
            ("'0' < true()", true),
            ("true() > false()", true),
            ("/r/e = ''", true),
            // Arithmetic on numbers; a node-set gives its first node's number.
            ("'1' + 1 = 2", true),
            ("/r/n + 1 = 11", true),
            ("-/r/n[2] = -9", true),
            ("/r/n[2] mod 2 = 1", true),
            ("1 div 0 > 1000", true),
            ("-1 div 0 < -1000", true),
            // Core functions take the first node of a node-set, and convert.
            ("string(/r/n) = '10'", true),
            ("contains(/r/n, '1')", true),
            ("concat(/r/n, /r/s) = '10abc'", true),
            ("string-length(/r/s) = 3", true),
            ("substring('12345', '2', '3') = '234'", true),
            ("round('2.5') = 3", true),
            ("floor(/r/n) = 10", true),
            ("name(/r/*) = 'n'", true),
            ("number(/r/n) = 10", true),
            // sum() adds every node's number; a non-number makes it NaN.
            ("sum(/r/n) = 19", true),
            ("sum(/r/*) = sum(/r/*)", false),
            // Predicates, unions and nesting.
            ("count(/r/n[. > 9]) = 1", true),
            ("(/r/n | /r/s) = 'abc'", true),
            ("(/r/n[1] > /r/n[2]) = (1 < 2)", true),
            ("/r/n[2] * 2 + 1 = 19", true),
            // The result's boolean: a node-set is true when not empty.
            ("/r/n[@missing]", false),
            ("/r/n[2]", true),
        ];
        for (xpath, expected) in cases {
            assert_eq!(
                evaluate_boolean(DOC, xpath, XPathVersion::V1),
                Ok(*expected),
                "{xpath} as XPath 1.0 is {expected}"
            );
        }
    }

    #[test]
    fn errors() {
        use XPathVersion::{V1, V3};
        assert!(matches!(
            evaluate_boolean("<a>", "/a", V3),
            Err(XmlError::Parse(_))
        ));
        assert!(matches!(
            evaluate_boolean(PETS, "/root/[[", V3),
            Err(XmlError::XPath { .. })
        ));
        // EBV of two numbers is a type error (err:FORG0006).
        assert!(evaluate_boolean(PETS, "(1, 2)", V3).is_err());
        assert!(check("count(/a) > 0", V3).is_ok());
        assert!(check("count(/a) >", V3).is_err());
        // 3.1 syntax is not 1.0, and the error names the expression as written.
        assert!(check("count(/a) > 0", V1).is_ok());
        assert_eq!(
            check("let $a := 1 return $a", V1),
            Err(XmlError::XPath {
                expression: "let $a := 1 return $a".into(),
                message: "`let` is not XPath 1.0".into()
            })
        );
    }

    #[test]
    fn replacements() {
        let order = "<petOrder><petId>0</petId><quantity unit=\"x\">1</quantity></petOrder>";
        assert_eq!(
            replace(order, "/petOrder/petId", "42").unwrap(),
            "<petOrder><petId>42</petId><quantity unit=\"x\">1</quantity></petOrder>"
        );
        assert_eq!(
            replace(order, "/petOrder/quantity/@unit", "kg").unwrap(),
            "<petOrder><petId>0</petId><quantity unit=\"kg\">1</quantity></petOrder>"
        );
        assert_eq!(
            replace(order, "//text()", "a<b").unwrap(),
            "<petOrder><petId>a&lt;b</petId><quantity unit=\"x\">a&lt;b</quantity></petOrder>"
        );
        // Every selected node, and children replaced by the text.
        assert_eq!(
            replace("<a><b><c/></b><b>x</b></a>", "/a/b", "y").unwrap(),
            "<a><b>y</b><b>y</b></a>"
        );
        // The declaration and surrounding whitespace stay; namespaces are kept.
        assert_eq!(
            replace(
                "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<a xmlns=\"urn:x\"><b>1</b></a>\n",
                "/*:a/*:b",
                "2"
            )
            .unwrap(),
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<a xmlns=\"urn:x\"><b>2</b></a>\n"
        );
        assert!(matches!(
            replace("<a xmlns=\"urn:x\"><b>1</b></a>", "/a/b", "2"),
            Err(XmlError::NoMatch(_))
        ));
        // An empty element takes the text.
        assert_eq!(
            replace("<a><b/></a>", "/a/b", "1").unwrap(),
            "<a><b>1</b></a>"
        );
        assert!(matches!(
            replace(order, "/petOrder/missing", "1"),
            Err(XmlError::NoMatch(_))
        ));
        assert!(matches!(
            replace(order, "count(/petOrder)", "1"),
            Err(XmlError::NotSettable { .. })
        ));
        assert!(matches!(
            replace(order, "/", "1"),
            Err(XmlError::NotSettable { .. })
        ));
    }
}
