use std::collections::HashMap;

use super::*;
use crate::exchange::AwsSigning;

/// A reader over texts kept in memory, counting the reads of each URL.
struct Files {
    texts: HashMap<String, String>,
    reads: HashMap<String, usize>,
}

impl Files {
    fn new(files: &[(&str, &str)]) -> Files {
        Files {
            texts: files
                .iter()
                .map(|(u, t)| (u.to_string(), t.to_string()))
                .collect(),
            reads: HashMap::new(),
        }
    }

    fn load(&mut self, url: &str) -> Result<Bundle, BundleError> {
        let text = self.texts[url].clone();
        Bundle::load(url, &text, &mut |u: &str| {
            *self.reads.entry(u.to_string()).or_default() += 1;
            self.texts
                .get(u)
                .cloned()
                .ok_or_else(|| "no such file".to_string())
        })
    }
}

const PETS: &str = r#"
openapi: 3.1.0
servers: [{url: "https://pets.example.com/v1/"}]
paths:
  /pets:
    get: {operationId: listPets}
    post: {operationId: addPet}
  /pets/{id}:
    get: {operationId: getPet}
"#;

const STORE: &str = r#"
openapi: 3.0.3
servers: [{url: /store}]
paths:
  /orders:
    post: {operationId: addPet}
  /inventory:
    get: {operationId: inventory}
"#;

fn arazzo(sources: &str, steps: &str) -> String {
    format!(
        "arazzo: 1.0.1\ninfo: {{title: t, version: '1'}}\nsourceDescriptions:\n{sources}\
         workflows:\n- workflowId: main\n  steps:\n{steps}"
    )
}

fn step(yaml: &str) -> Step {
    serde_json::from_value(parse_value(yaml).unwrap()).unwrap()
}

#[test]
fn sources_resolve_against_the_referring_document() {
    let root = arazzo(
        "- {name: pets, url: ../apis/pets.yaml, type: openapi}\n- {name: flows, url: sub/flows.yaml}\n",
        "  - {stepId: a, operationId: listPets}\n",
    );
    let flows = arazzo(
        "- {name: store, url: ../../apis/store.json}\n",
        "  - {stepId: b, operationId: inventory}\n",
    );
    let store_json = serde_json::to_string(&parse_value(STORE).unwrap()).unwrap();
    let mut files = Files::new(&[
        ("file:///w/docs/main.yaml", &root),
        ("file:///w/apis/pets.yaml", PETS),
        ("file:///w/docs/sub/flows.yaml", &flows),
        ("file:///w/apis/store.json", &store_json),
    ]);
    let bundle = files.load("file:///w/docs/main.yaml").unwrap();
    assert_eq!(bundle.documents.len(), 2);
    assert_eq!(bundle.apis.len(), 2);
    assert_eq!(bundle.root().sources["pets"], SourceRef::OpenApi(0));
    assert_eq!(bundle.root().sources["flows"], SourceRef::Arazzo(1));
    assert_eq!(bundle.documents[1].url, "file:///w/docs/sub/flows.yaml");
    assert_eq!(bundle.documents[1].sources["store"], SourceRef::OpenApi(1));
    assert_eq!(bundle.apis[1].url, "file:///w/apis/store.json");
}

#[test]
fn documents_that_name_each_other_are_read_once() {
    let a = arazzo(
        "- {name: b, url: b.yaml, type: arazzo}\n- {name: self, url: a.yaml}\n- {name: pets, url: pets.yaml}\n",
        "  - {stepId: s, workflowId: $sourceDescriptions.b.main}\n",
    );
    let b = arazzo(
        "- {name: a, url: ./a.yaml}\n- {name: pets, url: pets.yaml}\n",
        "  - {stepId: s, operationId: getPet}\n",
    );
    let mut files = Files::new(&[
        ("https://h/x/a.yaml", &a),
        ("https://h/x/b.yaml", &b),
        ("https://h/x/pets.yaml", PETS),
    ]);
    let bundle = files.load("https://h/x/a.yaml").unwrap();
    assert_eq!(bundle.documents.len(), 2);
    assert_eq!(bundle.apis.len(), 1);
    assert_eq!(bundle.root().sources["self"], SourceRef::Arazzo(0));
    assert_eq!(bundle.documents[1].sources["a"], SourceRef::Arazzo(0));
    assert_eq!(files.reads.get("https://h/x/a.yaml"), None);
    assert_eq!(files.reads["https://h/x/b.yaml"], 1);
    assert_eq!(files.reads["https://h/x/pets.yaml"], 1);

    let found = bundle.workflow(0, "$sourceDescriptions.b.main").unwrap();
    assert_eq!(found.document, 1);
    assert_eq!(
        found.workflow.steps[0].operation_id.as_deref(),
        Some("getPet")
    );
    assert_eq!(bundle.workflow(0, "main").unwrap().document, 0);
    assert_eq!(
        bundle
            .workflow(1, "$sourceDescriptions.a.main")
            .unwrap()
            .document,
        0
    );
    assert!(bundle.workflow(0, "$sourceDescriptions.b.nope").is_none());
    assert!(
        bundle
            .workflow(0, "$sourceDescriptions.pets.main")
            .is_none()
    );
    assert!(bundle.workflow(0, "$sourceDescriptions.zzz.main").is_none());
    assert!(bundle.workflow(0, "other").is_none());
}

#[test]
fn source_types_are_sniffed_or_checked() {
    let root = arazzo(
        "- {name: pets, url: pets.yaml, type: arazzo}\n",
        "  - {stepId: s, operationId: x}\n",
    );
    let mut files = Files::new(&[("file:///a.yaml", &root), ("file:///pets.yaml", PETS)]);
    let Err(BundleError::Parse { url, message }) = files.load("file:///a.yaml") else {
        panic!("a mismatched type must be refused");
    };
    assert_eq!(url, "file:///pets.yaml");
    assert!(message.contains("OpenAPI"), "{message}");

    let root = arazzo(
        "- {name: x, url: x.yaml}\n",
        "  - {stepId: s, operationId: x}\n",
    );
    let mut files = Files::new(&[
        ("file:///a.yaml", &root),
        ("file:///x.yaml", "hello: world\n"),
    ]);
    assert!(matches!(
        files.load("file:///a.yaml"),
        Err(BundleError::Parse { .. })
    ));
}

#[test]
fn unreadable_and_unparsable_sources_are_errors() {
    let root = arazzo(
        "- {name: pets, url: missing.yaml}\n",
        "  - {stepId: s, operationId: x}\n",
    );
    let mut files = Files::new(&[("file:///d/a.yaml", &root)]);
    assert_eq!(
        files.load("file:///d/a.yaml").unwrap_err(),
        BundleError::Read {
            url: "file:///d/missing.yaml".into(),
            message: "no such file".into()
        }
    );
    let mut files = Files::new(&[
        ("file:///d/a.yaml", &root),
        ("file:///d/missing.yaml", "a: ["),
    ]);
    assert!(matches!(
        files.load("file:///d/a.yaml"),
        Err(BundleError::Parse { .. })
    ));
    assert!(matches!(
        Bundle::load("a.yaml", &root, &mut |_| Err(String::new())),
        Err(BundleError::Parse { .. })
    ));
    assert!(matches!(
        Bundle::load("file:///a.yaml", "arazzo: 1.0.1\n", &mut |_| Err(
            String::new()
        )),
        Err(BundleError::Parse { .. })
    ));
}

fn two_apis(files_base: &str) -> Bundle {
    let root = arazzo(
        "- {name: pets, url: pets.yaml}\n- {name: store, url: store.yaml}\n",
        "  - {stepId: s, operationId: listPets}\n",
    );
    let root_url = format!("{files_base}/a.yaml");
    let pets_url = format!("{files_base}/pets.yaml");
    let store_url = format!("{files_base}/store.yaml");
    let mut files = Files::new(&[(&root_url, &root), (&pets_url, PETS), (&store_url, STORE)]);
    files.load(&root_url).unwrap()
}

#[test]
fn operation_ids_plain_and_qualified() {
    let bundle = two_apis("https://h/specs");
    let found = bundle
        .operation(0, &step("{stepId: s, operationId: listPets}"))
        .unwrap();
    assert_eq!((found.api, found.operation.path.as_str()), (0, "/pets"));
    assert_eq!(found.base_url, "https://pets.example.com/v1");

    let found = bundle
        .operation(
            0,
            &step("{stepId: s, operationId: $sourceDescriptions.store.addPet}"),
        )
        .unwrap();
    assert_eq!((found.api, found.operation.path.as_str()), (1, "/orders"));
    // A relative server resolves against the description's http URL.
    assert_eq!(found.base_url, "https://h/store");

    let braced = bundle
        .operation(
            0,
            &step("{stepId: s, operationId: '{$sourceDescriptions.pets.addPet}'}"),
        )
        .unwrap();
    assert_eq!(braced.operation.path, "/pets");

    let ambiguous = bundle
        .operation(0, &step("{stepId: s, operationId: addPet}"))
        .unwrap_err();
    assert!(
        ambiguous.0.contains("$sourceDescriptions.pets.addPet"),
        "{ambiguous}"
    );
    assert!(
        bundle
            .operation(0, &step("{stepId: s, operationId: nope}"))
            .is_err()
    );
    assert!(
        bundle
            .operation(
                0,
                &step("{stepId: s, operationId: $sourceDescriptions.pets.inventory}")
            )
            .is_err()
    );
    assert!(
        bundle
            .operation(
                0,
                &step("{stepId: s, operationId: $sourceDescriptions.nope.listPets}")
            )
            .is_err()
    );
}

#[test]
fn operation_paths_by_source_name_or_url() {
    let bundle = two_apis("https://h/specs");
    let path = |p: &str| {
        bundle
            .operation(0, &step(&format!("{{stepId: s, operationPath: '{p}'}}")))
            .map(|o| (o.api, o.operation.operation_id.clone().unwrap()))
    };
    assert_eq!(
        path("{$sourceDescriptions.pets.url}#/paths/~1pets~1{id}/get"),
        Ok((0, "getPet".to_string()))
    );
    assert_eq!(
        path("{$sourceDescriptions.pets.url}#/paths/~1pets~1%7Bid%7D/get"),
        Ok((0, "getPet".to_string()))
    );
    assert_eq!(
        path("store.yaml#/paths/~1inventory/get"),
        Ok((1, "inventory".to_string()))
    );
    assert_eq!(
        path("https://h/specs/pets.yaml#/paths/~1pets/post"),
        Ok((0, "addPet".to_string()))
    );
    assert!(path("{$sourceDescriptions.pets.url}#/paths/~1nope/get").is_err());
    assert!(path("{$sourceDescriptions.nope.url}#/paths/~1pets/get").is_err());
    assert!(path("other.yaml#/paths/~1pets/get").is_err());
    assert!(path("/paths/~1pets/get").is_err());
}

#[test]
fn a_relative_server_of_a_file_needs_an_override() {
    let mut bundle = two_apis("file:///specs");
    let qualified = step("{stepId: s, operationId: $sourceDescriptions.store.inventory}");
    let error = bundle.operation(0, &qualified).unwrap_err();
    assert!(error.0.contains("--server store=URL"), "{error}");
    assert!(bundle.find_operation(0, &qualified).is_ok());

    assert!(bundle.set_server("store", "http://127.0.0.1:8000/"));
    assert!(!bundle.set_server("nope", "http://x"));
    let found = bundle.operation(0, &qualified).unwrap();
    assert_eq!(found.base_url, "http://127.0.0.1:8000");
    // Absolute servers need no override.
    let pets = bundle
        .operation(0, &step("{stepId: s, operationId: listPets}"))
        .unwrap();
    assert_eq!(pets.base_url, "https://pets.example.com/v1");
}

fn load_seed(name: &str) -> Bundle {
    let data = concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/arazzo");
    let url = Url::from_file_path(format!("{data}/arazzo/{name}")).unwrap();
    let text = std::fs::read_to_string(url.to_file_path().unwrap()).unwrap();
    Bundle::load(url.as_str(), &text, &mut |u: &str| {
        let path = Url::parse(u)
            .map_err(|e| e.to_string())?
            .to_file_path()
            .map_err(|_| u.to_string())?;
        std::fs::read_to_string(path).map_err(|e| e.to_string())
    })
    .unwrap()
}

fn steps_of(bundle: &Bundle) -> Vec<Step> {
    bundle.root().document.workflows[0].steps.clone()
}

#[test]
fn the_fargate_seed_resolves_to_signed_posts_to_the_root() {
    let bundle = load_seed("amazon-fargate-stop-task-and-confirm-workflow.yml");
    assert!(
        bundle.apis[0]
            .url
            .ends_with("/examples/arazzo/openapi/amazon-fargate-openapi.yml")
    );
    let expected = [
        ("listTasks", "/#ListTasks"),
        ("stopTask", "/#StopTask"),
        ("describeTasks", "/#DescribeTasks"),
    ];
    let steps = steps_of(&bundle);
    assert_eq!(steps.len(), expected.len());
    for (step, (id, key)) in steps.iter().zip(expected) {
        let found = bundle.operation(0, step).unwrap();
        assert_eq!(found.operation.operation_id.as_deref(), Some(id));
        assert_eq!(found.operation.method, "POST");
        assert_eq!(found.operation.path, "/");
        assert_eq!(found.operation.path_key, key);
        assert_eq!(found.base_url, "https://ecs.us-east-1.amazonaws.com");
        assert_eq!(
            found.operation.aws_signing,
            Some(AwsSigning {
                service: "ecs".into(),
                region: "us-east-1".into()
            })
        );
    }
}

#[test]
fn the_windmill_seed_resolves_and_needs_a_server() {
    let mut bundle = load_seed("windmill-run-script-with-timeout-cancel-workflow.yml");
    let expected = [
        (
            "runScriptByPath",
            "POST",
            "/w/{workspace}/jobs/run/p/{path}",
        ),
        ("getJob", "GET", "/w/{workspace}/jobs_u/get/{id}"),
        (
            "getCompletedJob",
            "GET",
            "/w/{workspace}/jobs_u/completed/get/{id}",
        ),
        (
            "cancelQueuedJob",
            "POST",
            "/w/{workspace}/jobs_u/queue/cancel/{id}",
        ),
    ];
    let steps = steps_of(&bundle);
    for (step, (id, method, path)) in steps.iter().zip(expected) {
        let (_, operation) = bundle.find_operation(0, step).unwrap();
        assert_eq!(operation.operation_id.as_deref(), Some(id));
        assert_eq!(
            (operation.method.as_str(), operation.path.as_str()),
            (method, path)
        );
        assert_eq!(operation.aws_signing, None);
        let error = bundle.operation(0, step).unwrap_err();
        assert!(error.0.contains("--server windmillApi=URL"), "{error}");
    }
    let run = bundle.find_operation(0, &steps[0]).unwrap().1;
    let required: Vec<&str> = run
        .parameters
        .iter()
        .filter(|p| p.required)
        .map(|p| p.name.as_str())
        .collect();
    assert_eq!(required, vec!["workspace", "path"]);
    assert_eq!(run.request_content_types, vec!["application/json"]);

    assert!(bundle.set_server("windmillApi", "http://localhost:8000/api"));
    for step in &steps {
        assert_eq!(
            bundle.operation(0, step).unwrap().base_url,
            "http://localhost:8000/api"
        );
    }
}

/// Loads, validates and resolves everything in a text; panics only if the code does.
fn exercise(root: &str, source: &str) {
    let mut read = |_: &str| Ok(source.to_string());
    let Ok(mut bundle) = Bundle::load("file:///d/a/root.yaml", root, &mut read) else {
        return;
    };
    let _ = crate::document::validate(&bundle);
    for (index, loaded) in bundle.documents.iter().enumerate() {
        for workflow in &loaded.document.workflows {
            for step in &workflow.steps {
                let _ = bundle.operation(index, step);
                let _ = bundle.workflow(index, step.workflow_id.as_deref().unwrap_or_default());
            }
        }
    }
    let names: Vec<String> = bundle.root().sources.keys().cloned().collect();
    for name in names {
        bundle.set_server(&name, "http://localhost");
    }
}

#[test]
fn damaged_seeds_are_errors_not_panics() {
    let data = concat!(env!("CARGO_MANIFEST_DIR"), "/../../examples/arazzo");
    let seed = std::fs::read_to_string(format!(
        "{data}/arazzo/amazon-fargate-stop-task-and-confirm-workflow.yml"
    ))
    .unwrap();
    let api =
        std::fs::read_to_string(format!("{data}/openapi/amazon-fargate-openapi.yml")).unwrap();
    let lines: Vec<&str> = seed.lines().collect();
    for cut in (0..seed.len())
        .step_by(29)
        .filter(|i| seed.is_char_boundary(*i))
    {
        exercise(&seed[..cut], &api);
    }
    for skip in 0..lines.len() {
        let without: Vec<&str> = lines
            .iter()
            .enumerate()
            .filter(|(i, _)| *i != skip)
            .map(|(_, l)| *l)
            .collect();
        exercise(&without.join("\n"), &api);
        let mut swapped = lines.clone();
        swapped[skip] = "  - x: [$steps.{";
        exercise(&swapped.join("\n"), &api);
    }
    // The description damaged, the document whole.
    for cut in (0..api.len())
        .step_by(211)
        .filter(|i| api.is_char_boundary(*i))
    {
        exercise(&seed, &api[..cut]);
    }
    // A source that is the document itself, and one that is an Arazzo document
    // naming itself.
    exercise(&seed, &seed);
}
