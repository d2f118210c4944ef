//! An Arazzo document together with every source description it names, loaded and
//! indexed. Reading is the caller's job: [`Bundle::load`] takes a reader for URLs, so
//! this crate stays free of I/O.

use std::collections::HashMap;

use indexmap::IndexMap;
use serde_json::Value;
use url::Url;

use crate::document::{Document, SourceType, Step, Workflow, from_value, parse_value};
use crate::openapi::{OpenApi, Operation, percent_decode};

mod location;

/// The prefix of a reference through a source description.
const SOURCES_PREFIX: &str = "$sourceDescriptions.";

/// An Arazzo document of the bundle (index 0 is the one that was run).
#[derive(Debug, Clone)]
pub struct LoadedDocument {
    /// Absolute URL (`file:///…` for files), against which relative URLs resolve.
    pub url: String,
    pub document: Document,
    /// Source description name → what it loaded.
    pub sources: IndexMap<String, SourceRef>,
}

#[derive(Debug, Clone)]
pub struct LoadedApi {
    pub url: String,
    pub api: OpenApi,
    /// A base URL that replaces the description's servers (`--server NAME=URL`).
    pub server_override: Option<String>,
    /// The base URL of each operation (same order as `api.operations`), resolved when
    /// the description was loaded, without a trailing slash. `None`: the server is
    /// relative and the description is a local file, so only an override can tell.
    pub base_urls: Vec<Option<String>>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SourceRef {
    OpenApi(usize),
    Arazzo(usize),
}

#[derive(Debug, Clone)]
pub struct Bundle {
    pub documents: Vec<LoadedDocument>,
    pub apis: Vec<LoadedApi>,
}

/// A workflow found by reference: which document it is in, and the workflow.
#[derive(Debug, Clone, Copy)]
pub struct WorkflowRef<'a> {
    pub document: usize,
    pub workflow: &'a Workflow,
}

/// An operation found for a step.
#[derive(Debug, Clone, Copy)]
pub struct OperationRef<'a> {
    pub api: usize,
    pub operation: &'a Operation,
    /// The base URL requests go to (override, else the operation's or description's
    /// first server, resolved against the description's URL), without a trailing
    /// slash.
    pub base_url: &'a str,
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum BundleError {
    #[error("cannot read {url}: {message}")]
    Read { url: String, message: String },
    #[error("{url}: {message}")]
    Parse { url: String, message: String },
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{0}")]
pub struct ResolveError(pub String);

impl Bundle {
    /// Loads the document at `url` (whose text is `text`) and, through `read`, every
    /// source description it names, recursively for Arazzo sources.
    ///
    /// `url` must be absolute (`file:///abs/path.yaml`, `https://…`). Each source URL
    /// is resolved against the URL of the document that names it and read once, so
    /// documents that name each other load without looping.
    pub fn load(
        url: &str,
        text: &str,
        read: &mut dyn FnMut(&str) -> Result<String, String>,
    ) -> Result<Bundle, BundleError> {
        let root_url = Url::parse(url).map_err(|e| BundleError::Parse {
            url: url.to_string(),
            message: format!("not an absolute URL: {e}"),
        })?;
        let value = parse_value(text).map_err(|e| parse_error(&root_url, e))?;
        let document = from_value(&value).map_err(|e| parse_error(&root_url, e))?;
        let mut loader = Loader {
            bundle: Bundle {
                documents: Vec::new(),
                apis: Vec::new(),
            },
            loaded: HashMap::new(),
        };
        loader.add_document(root_url, document);
        // Documents are appended as they are found; each is visited once, in order.
        let mut next = 0;
        while next < loader.bundle.documents.len() {
            loader.load_sources(next, read)?;
            next += 1;
        }
        Ok(loader.bundle)
    }

    pub fn root(&self) -> &LoadedDocument {
        &self.documents[0]
    }

    /// Replaces the base URL of the root document's source `name`. Returns false when
    /// there is no OpenAPI source of that name.
    pub fn set_server(&mut self, name: &str, url: &str) -> bool {
        match self.root().sources.get(name).copied() {
            Some(SourceRef::OpenApi(api)) => {
                self.apis[api].server_override = Some(location::trim_slash(url).to_string());
                true
            }
            _ => false,
        }
    }

    /// Finds a workflow referenced from document `document`: a plain workflowId of
    /// that document, or `$sourceDescriptions.<name>.<workflowId>`.
    pub fn workflow(&self, document: usize, reference: &str) -> Option<WorkflowRef<'_>> {
        let loaded = self.documents.get(document)?;
        let (target, id) = match self.through_source(document, reference) {
            Some((SourceRef::Arazzo(target), id)) => (target, id),
            Some((SourceRef::OpenApi(_), _)) => return None,
            None => (document, reference),
        };
        let workflow = if target == document {
            loaded.document.workflow(id)?
        } else {
            self.documents.get(target)?.document.workflow(id)?
        };
        Some(WorkflowRef {
            document: target,
            workflow,
        })
    }

    /// Finds the operation an operation step of document `document` calls.
    pub fn operation(
        &self,
        document: usize,
        step: &Step,
    ) -> Result<OperationRef<'_>, ResolveError> {
        let (api, index) = self.locate_operation(document, step)?;
        let loaded = &self.apis[api];
        let base_url = match (&loaded.server_override, &loaded.base_urls[index]) {
            (Some(url), _) => url.as_str(),
            (None, Some(url)) => url.as_str(),
            (None, None) => return Err(self.needs_server(document, api, index)),
        };
        Ok(OperationRef {
            api,
            operation: &loaded.api.operations[index],
            base_url,
        })
    }

    /// Finds the operation a step calls without asking where it is served: what
    /// validation checks, since a missing server is only needed to run.
    pub fn find_operation(
        &self,
        document: usize,
        step: &Step,
    ) -> Result<(usize, &Operation), ResolveError> {
        let (api, index) = self.locate_operation(document, step)?;
        Ok((api, &self.apis[api].api.operations[index]))
    }

    /// The OpenAPI sources of a document, by name.
    pub fn openapi_sources(&self, document: usize) -> impl Iterator<Item = (&str, usize)> {
        self.documents
            .get(document)
            .into_iter()
            .flat_map(|d| d.sources.iter())
            .filter_map(|(name, source)| match source {
                SourceRef::OpenApi(api) => Some((name.as_str(), *api)),
                SourceRef::Arazzo(_) => None,
            })
    }

    fn locate_operation(
        &self,
        document: usize,
        step: &Step,
    ) -> Result<(usize, usize), ResolveError> {
        match (&step.operation_id, &step.operation_path) {
            (Some(id), None) => self.by_operation_id(document, id),
            (None, Some(path)) => self.by_operation_path(document, path),
            _ => Err(ResolveError(format!(
                "step `{}` must have exactly one of operationId, operationPath and workflowId",
                step.step_id
            ))),
        }
    }

    fn by_operation_id(&self, document: usize, id: &str) -> Result<(usize, usize), ResolveError> {
        let reference = strip_braces(id);
        if let Some((source, operation_id)) = self.through_source(document, reference) {
            let SourceRef::OpenApi(api) = source else {
                return Err(ResolveError(format!(
                    "`{id}` names an Arazzo source; an operationId needs an OpenAPI source"
                )));
            };
            return self
                .index_by_id(api, operation_id)
                .map(|index| (api, index))
                .ok_or_else(|| {
                    ResolveError(format!(
                        "no operation `{operation_id}` in {}",
                        self.apis[api].url
                    ))
                });
        }
        if reference.starts_with(SOURCES_PREFIX) {
            return Err(ResolveError(format!("`{id}` names no source description")));
        }
        let mut found = self
            .openapi_sources(document)
            .filter_map(|(name, api)| self.index_by_id(api, id).map(|index| (name, api, index)));
        let Some((first_name, api, index)) = found.next() else {
            return Err(ResolveError(format!(
                "no operation `{id}` in the OpenAPI sources ({})",
                self.openapi_sources(document)
                    .map(|(name, _)| name)
                    .collect::<Vec<_>>()
                    .join(", ")
            )));
        };
        if let Some((second_name, _, _)) = found.next() {
            return Err(ResolveError(format!(
                "operation `{id}` is in both `{first_name}` and `{second_name}`: write \
                 `$sourceDescriptions.{first_name}.{id}`"
            )));
        }
        Ok((api, index))
    }

    fn by_operation_path(
        &self,
        document: usize,
        path: &str,
    ) -> Result<(usize, usize), ResolveError> {
        let malformed = || {
            ResolveError(format!(
                "operationPath `{path}` is not `{{$sourceDescriptions.<name>.url}}#<JSON Pointer>`"
            ))
        };
        let (source, pointer) = split_operation_path(path).ok_or_else(malformed)?;
        let api = match source {
            PathSource::Name(name) => match self.documents[document].sources.get(name) {
                Some(SourceRef::OpenApi(api)) => *api,
                Some(SourceRef::Arazzo(_)) => {
                    return Err(ResolveError(format!(
                        "operationPath `{path}` names `{name}`, an Arazzo source"
                    )));
                }
                None => {
                    return Err(ResolveError(format!(
                        "operationPath `{path}` names no source description `{name}`"
                    )));
                }
            },
            PathSource::Url(url) => self.api_by_url(document, url).ok_or_else(|| {
                ResolveError(format!(
                    "operationPath `{path}`: `{url}` is not the URL of an OpenAPI source"
                ))
            })?,
        };
        let operations = &self.apis[api].api;
        let operation = operations
            .operation_by_pointer(pointer)
            .or_else(|| operations.operation_by_pointer(&percent_decode(pointer)))
            .ok_or_else(|| {
                ResolveError(format!(
                    "operationPath `{path}`: no operation at `{pointer}` in {}",
                    self.apis[api].url
                ))
            })?;
        let index = operations
            .operations
            .iter()
            .position(|o| std::ptr::eq(o, operation))
            .ok_or_else(malformed)?;
        Ok((api, index))
    }

    fn index_by_id(&self, api: usize, id: &str) -> Option<usize> {
        self.apis[api]
            .api
            .operations
            .iter()
            .position(|o| o.operation_id.as_deref() == Some(id))
    }

    /// The OpenAPI source whose resolved URL is `url` (resolved against the document).
    fn api_by_url(&self, document: usize, url: &str) -> Option<usize> {
        let base = Url::parse(&self.documents[document].url).ok()?;
        let wanted = location::resolve(&base, url).ok()?;
        let wanted = wanted.as_str();
        self.openapi_sources(document)
            .map(|(_, api)| api)
            .chain(0..self.apis.len())
            .find(|api| self.apis[*api].url == wanted)
    }

    /// `$sourceDescriptions.<name>.<rest>` → the named source of `document` and `rest`.
    /// Source names may contain dots, so the longest name that fits wins.
    fn through_source<'r>(
        &self,
        document: usize,
        reference: &'r str,
    ) -> Option<(SourceRef, &'r str)> {
        let rest = reference.strip_prefix(SOURCES_PREFIX)?;
        self.documents
            .get(document)?
            .sources
            .iter()
            .filter_map(|(name, source)| {
                let tail = rest.strip_prefix(name.as_str())?.strip_prefix('.')?;
                Some((name.len(), *source, tail))
            })
            .max_by_key(|(len, _, _)| *len)
            .map(|(_, source, tail)| (source, tail))
    }

    fn needs_server(&self, document: usize, api: usize, index: usize) -> ResolveError {
        let loaded = &self.apis[api];
        let name = self
            .openapi_sources(document)
            .find(|(_, a)| *a == api)
            .map(|(name, _)| name)
            .unwrap_or("NAME");
        let operation = &loaded.api.operations[index];
        let server = operation
            .servers
            .first()
            .or(loaded.api.servers.first())
            .map_or("/".to_string(), |s| s.clone());
        ResolveError(format!(
            "the server of `{name}` is relative (`{server}`) and its description is the \
             local file {}, so the API's address is unknown: pass --server {name}=URL",
            loaded.url
        ))
    }
}

/// Builds the bundle: which URL became which document or API.
struct Loader {
    bundle: Bundle,
    loaded: HashMap<String, SourceRef>,
}

impl Loader {
    fn add_document(&mut self, url: Url, document: Document) -> SourceRef {
        let source = SourceRef::Arazzo(self.bundle.documents.len());
        self.loaded.insert(url.to_string(), source);
        self.bundle.documents.push(LoadedDocument {
            url: url.to_string(),
            document,
            sources: IndexMap::new(),
        });
        source
    }

    fn add_api(&mut self, url: Url, api: OpenApi) -> SourceRef {
        let source = SourceRef::OpenApi(self.bundle.apis.len());
        // OpenAPI: without servers, the server is `/`.
        let base_urls = api
            .operations
            .iter()
            .map(|o| {
                let server = o
                    .servers
                    .first()
                    .or(api.servers.first())
                    .map_or("/", String::as_str);
                location::server_base(server, &url)
            })
            .collect();
        self.loaded.insert(url.to_string(), source);
        self.bundle.apis.push(LoadedApi {
            url: url.to_string(),
            api,
            server_override: None,
            base_urls,
        });
        source
    }

    fn load_sources(
        &mut self,
        document: usize,
        read: &mut dyn FnMut(&str) -> Result<String, String>,
    ) -> Result<(), BundleError> {
        let base_text = self.bundle.documents[document].url.clone();
        let base = Url::parse(&base_text).map_err(|e| BundleError::Parse {
            url: base_text.clone(),
            message: e.to_string(),
        })?;
        let declared: Vec<(String, String, Option<SourceType>)> = self.bundle.documents[document]
            .document
            .source_descriptions
            .iter()
            .map(|s| (s.name.clone(), s.url.clone(), s.kind))
            .collect();
        for (index, (name, reference, kind)) in declared.into_iter().enumerate() {
            let url =
                location::resolve(&base, &reference).map_err(|message| BundleError::Parse {
                    url: base_text.clone(),
                    message: format!("/sourceDescriptions/{index}/url: {message}"),
                })?;
            let source = match self.loaded.get(url.as_str()) {
                Some(source) => *source,
                None => self.load_source(url, kind, read)?,
            };
            // The first of two sources with one name wins; validation reports the other.
            self.bundle.documents[document]
                .sources
                .entry(name)
                .or_insert(source);
        }
        Ok(())
    }

    fn load_source(
        &mut self,
        url: Url,
        declared: Option<SourceType>,
        read: &mut dyn FnMut(&str) -> Result<String, String>,
    ) -> Result<SourceRef, BundleError> {
        let text = read(url.as_str()).map_err(|message| BundleError::Read {
            url: url.to_string(),
            message,
        })?;
        let value = parse_value(&text).map_err(|e| parse_error(&url, e))?;
        let found = sniff(&value);
        let kind = match (declared, found) {
            (Some(declared), Some(found)) if declared != found => {
                return Err(BundleError::Parse {
                    url: url.to_string(),
                    message: format!(
                        "declared as type `{}` but it is {} document",
                        type_name(declared),
                        match found {
                            SourceType::Openapi => "an OpenAPI",
                            SourceType::Arazzo => "an Arazzo",
                        }
                    ),
                });
            }
            (Some(kind), _) | (None, Some(kind)) => kind,
            (None, None) => {
                return Err(BundleError::Parse {
                    url: url.to_string(),
                    message: "neither an OpenAPI description (`openapi`) nor an Arazzo \
                              document (`arazzo`)"
                        .to_string(),
                });
            }
        };
        match kind {
            SourceType::Openapi => {
                let api = OpenApi::from_value(&value).map_err(|e| BundleError::Parse {
                    url: url.to_string(),
                    message: e.0,
                })?;
                Ok(self.add_api(url, api))
            }
            SourceType::Arazzo => {
                let document = from_value(&value).map_err(|e| parse_error(&url, e))?;
                Ok(self.add_document(url, document))
            }
        }
    }
}

fn parse_error(url: &Url, error: impl std::fmt::Display) -> BundleError {
    BundleError::Parse {
        url: url.to_string(),
        message: error.to_string(),
    }
}

/// What a document is, from its root keys.
fn sniff(value: &Value) -> Option<SourceType> {
    let object = value.as_object()?;
    if object.contains_key("arazzo") {
        Some(SourceType::Arazzo)
    } else if object.contains_key("openapi") || object.contains_key("swagger") {
        Some(SourceType::Openapi)
    } else {
        None
    }
}

fn type_name(kind: SourceType) -> &'static str {
    match kind {
        SourceType::Openapi => "openapi",
        SourceType::Arazzo => "arazzo",
    }
}

/// `{$x}` → `$x`: the embedded form, sometimes written where a bare expression is meant.
fn strip_braces(text: &str) -> &str {
    text.strip_prefix('{')
        .and_then(|t| t.strip_suffix('}'))
        .filter(|t| t.starts_with('$'))
        .unwrap_or(text)
}

enum PathSource<'a> {
    /// `{$sourceDescriptions.<name>.url}`
    Name(&'a str),
    /// A URL (relative or absolute) of the description.
    Url(&'a str),
}

/// Splits an operationPath into its source and JSON Pointer.
fn split_operation_path(path: &str) -> Option<(PathSource<'_>, &str)> {
    for (open, close) in [
        ("{$sourceDescriptions.", ".url}"),
        ("$sourceDescriptions.", ".url"),
    ] {
        if let Some(rest) = path.strip_prefix(open) {
            let end = rest.find(&format!("{close}#"))?;
            let name = &rest[..end];
            let pointer = &rest[end + close.len() + 1..];
            return Some((PathSource::Name(name), pointer));
        }
    }
    let (url, pointer) = path.split_once('#')?;
    Some((PathSource::Url(url), pointer))
}

#[cfg(test)]
mod tests;
