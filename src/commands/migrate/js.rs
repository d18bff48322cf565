//! The JavaScript and TypeScript of a migrated package, edited through a real parser
//! (oxc) by span: only the call sites and module names below change, byte for byte
//! everything else (comments, strings, formatting) stays as it was.
//!
//! Shapes rewritten:
//! - `require(X.find(<pkg>))` -> `X.load(<pkg>)`, X being a node-pre-gyp module;
//! - `var p = X.find(<pkg>); ... require(p)` (p used nowhere else) -> `X.load(<pkg>)`;
//! - `require(find(<pkg>))`, `find` taken from node-pre-gyp by destructuring;
//! - other `X.find(...)` calls stay: pregyp's find() has the same contract;
//! - the module name `node-pre-gyp` (any scope) -> the name pregyp is installed under,
//!   also in the deep imports pregyp ships (`lib/pre-binding`, `lib/node-pre-gyp`);
//! - `require('bindings')('<module_name>')`, `bindings('<module_name>')` through a
//!   variable or an import, and `require('<relative>/<module_name>.node')` of the
//!   released build -> a load() of the package folder, which also looks in platform
//!   packages: CommonJS gets `require(...).load(...)`, an ES module gets `import`s and
//!   `import.meta.url`. A Debug build's path stays: it is a different lookup.
//! - where a rewritten load sits in a `try` whose `catch` tests the error's `code` against
//!   `'MODULE_NOT_FOUND'` (to fall back to a Debug build, as nodegit does), the test also
//!   accepts load()'s `'E_BINDING_MISSING'`, so that the fallback still runs.

use oxc_allocator::Allocator;
use oxc_ast::ast::{
    Argument, BinaryExpression, BinaryOperator, BindingPattern, CallExpression, CatchClause,
    Expression, ImportDeclaration, ImportDeclarationSpecifier, ImportExpression, Program,
    Statement, StaticMemberExpression, TryStatement, VariableDeclaration,
};
use oxc_ast_visit::{walk, Visit};
use oxc_parser::Parser;
use oxc_span::{GetSpan, SourceType, Span};
use std::collections::{HashMap, HashSet};

/// The deep paths of node-pre-gyp that pregyp ships too (lib/<path>.js), so that a deep
/// import keeps working under pregyp's name and under the old name (an npm alias): the
/// ones that are node-pre-gyp's module under another path (find, load, Run)...
pub const SHIMMED: &[&str] = &["lib/pre-binding", "lib/node-pre-gyp"];
/// ...and its helpers with exports of their own (`versioning.evaluate`, which tools that
/// re-implement find() call with `napi.get_best_napi_build_version`).
const SHIMMED_HELPERS: &[&str] = &["lib/util/versioning", "lib/util/napi"];

/// Whether `spec` names node-pre-gyp's module, or a deep path that is that module too.
fn is_npg_module(spec: &str, dep: &str) -> bool {
    npg_split(spec, dep).is_some_and(|(_, sub)| sub.is_empty() || SHIMMED.contains(&sub))
}

/// What pregyp's module (index.js) exports besides one function per command, and `usage`,
/// which its lib/pre-binding shim keeps from node-pre-gyp's.
const MODULE_EXPORTS: &[&str] = &["find", "load", "binding", "run", "reveal", "Run", "usage"];

/// Whether pregyp's module has `name`: code reaching for anything else of node-pre-gyp's
/// (node-pre-gyp 1.x's `mockS3Http`) breaks once the dependency is pregyp.
fn pregyp_exports(name: &str) -> bool {
    MODULE_EXPORTS.contains(&name) || crate::config::spec::COMMANDS.iter().any(|c| c.api == name)
}

/// What the rewriting needs to know of the package and the file.
pub struct Target<'a> {
    /// `binary.module_name`.
    pub module_name: &'a str,
    /// The name the rewritten code requires: `pregyp`, or the old name under `--keep-name`.
    pub dep_name: &'a str,
    /// The file's folder, relative to the package folder (`""`, `lib`); `None` where
    /// the file's place at run time is unknown (TypeScript compiles to an outDir).
    pub file_dir: Option<&'a str>,
    /// module_path as evaluated, relative to the package folder (`lib/binding`).
    pub module_dir: Option<&'a str>,
    /// package.json has `"type": "module"`.
    pub type_module: bool,
}

/// One file's result.
#[derive(Debug, Default)]
pub struct Rewritten {
    /// The new text (the old one when nothing changed).
    pub text: String,
    /// Sites left for a person: (line, code).
    pub manual: Vec<(usize, String)>,
    /// Load sites found (rewritten or already pregyp's): the file loads the binding.
    pub loads: usize,
}

/// Whether `spec` names node-pre-gyp (the original, a scoped fork) or pregyp itself.
fn npg_base(spec: &str, dep_name: &str) -> bool {
    if spec == "node-pre-gyp" || spec == "pregyp" || spec == dep_name {
        return true;
    }
    match spec.strip_prefix('@').and_then(|s| s.split_once('/')) {
        Some((_, name)) => name == "node-pre-gyp",
        None => false,
    }
}

/// A module specifier split as node-pre-gyp (base, deep path): `@mapbox/node-pre-gyp/lib/x.js`
/// -> (`@mapbox/node-pre-gyp`, `lib/x`).
fn npg_split<'s>(spec: &'s str, dep_name: &str) -> Option<(&'s str, &'s str)> {
    let parts = if spec.starts_with('@') { 2 } else { 1 };
    let mut n = 0;
    let cut = spec
        .char_indices()
        .find(|&(_, c)| {
            if c == '/' {
                n += 1;
            }
            n == parts
        })
        .map(|(i, _)| i);
    let (base, sub) = match cut {
        Some(i) => (&spec[..i], &spec[i + 1..]),
        None => (spec, ""),
    };
    if !npg_base(base, dep_name) {
        return None;
    }
    Some((base, sub.strip_suffix(".js").unwrap_or(sub)))
}

#[derive(Clone, Copy, PartialEq)]
enum Quote {
    Single,
    Double,
}

fn quote_of(text: &str, span: Span) -> Quote {
    if text[span.start as usize..].starts_with('"') {
        Quote::Double
    } else {
        Quote::Single
    }
}

fn quoted(s: &str, q: Quote) -> String {
    match q {
        Quote::Single => format!("'{s}'"),
        Quote::Double => format!("\"{s}\""),
    }
}

/// A string argument's value: a string literal or a template literal without `${}`.
fn literal_value<'b>(e: &'b Expression<'_>) -> Option<(&'b str, Span)> {
    match e {
        Expression::StringLiteral(s) => Some((s.value.as_str(), s.span)),
        Expression::TemplateLiteral(t) if t.expressions.is_empty() && t.quasis.len() == 1 => {
            Some((t.quasis[0].value.raw.as_str(), t.span))
        }
        _ => None,
    }
}

fn arg_expr<'b, 'a>(a: &'b Argument<'a>) -> Option<&'b Expression<'a>> {
    a.as_expression()
}

/// `require(<literal>)`: the literal's value and span.
fn require_literal<'b>(
    call: &'b CallExpression<'_>,
    requires: &HashSet<String>,
) -> Option<(&'b str, Span)> {
    if is_require_call(call, requires) {
        literal_value(arg_expr(&call.arguments[0])?)
    } else {
        None
    }
}

/// A call of `require` with one argument: `require(...)`, `module.require(...)`, or a name
/// that stands for require in this file (see [`RequireNames`]).
fn is_require_call(call: &CallExpression<'_>, requires: &HashSet<String>) -> bool {
    call.arguments.len() == 1
        && match &call.callee {
            Expression::Identifier(id) => requires.contains(id.name.as_str()),
            Expression::StaticMemberExpression(m) => {
                m.property.name == "require"
                    && matches!(&m.object, Expression::Identifier(o) if o.name == "module")
            }
            _ => false,
        }
}

/// The names that stand for `require` in a file, which code hidden from bundlers uses
/// (realm: `const require_method = require; function nodeRequire(m) { return
/// require_method(m); }`): `require`, webpack's `__non_webpack_require__`, a variable
/// initialised with one of them, and a function whose body only returns one of them
/// called with its first parameter.
struct RequireNames(HashSet<String>);

impl RequireNames {
    fn of(program: &Program<'_>) -> HashSet<String> {
        let mut names = RequireNames(
            ["require", "__non_webpack_require__"]
                .into_iter()
                .map(String::from)
                .collect(),
        );
        // Until nothing is added: an alias may be declared after the function that uses it.
        loop {
            let before = names.0.len();
            names.visit_program(program);
            if names.0.len() == before {
                return names.0;
            }
        }
    }

    /// Whether a function of `params` returning `returned` is `param => <require>(param)`.
    fn wraps(
        &self,
        params: &oxc_ast::ast::FormalParameters<'_>,
        returned: Option<&Expression<'_>>,
    ) -> bool {
        let Some(param) = params
            .items
            .first()
            .and_then(|p| p.pattern.get_identifier_name())
        else {
            return false;
        };
        matches!(returned, Some(Expression::CallExpression(c))
            if is_require_call(c, &self.0)
                && matches!(arg_expr(&c.arguments[0]), Some(Expression::Identifier(a)) if a.name == param))
    }
}

/// What a function body does, when that is one expression: its only statement's
/// (`return <e>;` or `<e>;`).
fn only_expression<'b, 'a>(body: &'b oxc_ast::ast::FunctionBody<'a>) -> Option<&'b Expression<'a>> {
    match body.statements.as_slice() {
        [Statement::ReturnStatement(r)] => r.argument.as_ref(),
        [Statement::ExpressionStatement(e)] => Some(&e.expression),
        _ => None,
    }
}

impl<'a> Visit<'a> for RequireNames {
    fn visit_variable_declarator(&mut self, it: &oxc_ast::ast::VariableDeclarator<'a>) {
        if let (BindingPattern::BindingIdentifier(id), Some(init)) = (&it.id, &it.init) {
            let alias = match init {
                Expression::Identifier(r) => self.0.contains(r.name.as_str()),
                Expression::ArrowFunctionExpression(f) => {
                    let returned = match &f.body {
                        oxc_ast::ast::ArrowFunctionBody::FunctionBody(b) => only_expression(b),
                        e => e.as_expression(),
                    };
                    self.wraps(&f.params, returned)
                }
                Expression::FunctionExpression(f) => f
                    .body
                    .as_ref()
                    .is_some_and(|b| self.wraps(&f.params, only_expression(b))),
                _ => false,
            };
            if alias {
                self.0.insert(id.name.to_string());
            }
        }
        walk::walk_variable_declarator(self, it);
    }

    fn visit_statement(&mut self, it: &Statement<'a>) {
        if let Statement::FunctionDeclaration(f) = it {
            if let (Some(id), Some(body)) = (&f.id, &f.body) {
                if self.wraps(&f.params, only_expression(body)) {
                    self.0.insert(id.name.to_string());
                }
            }
        }
        walk::walk_statement(self, it);
    }
}

/// A text edit: replace `start..end` by `text`.
#[derive(Debug, Clone)]
struct Edit {
    start: usize,
    end: usize,
    text: String,
}

/// What the first pass learns of the file.
#[derive(Default)]
struct Facts {
    /// Identifiers bound to a node-pre-gyp module (`const pre = require('@mapbox/node-pre-gyp')`).
    npg: HashSet<String>,
    /// Identifiers bound to node-pre-gyp's find (`const { find } = require(...)`).
    find_fns: HashSet<String>,
    /// Identifiers bound to `bindings`, with the span of their declaration statement.
    bindings: HashMap<String, Span>,
    /// `var p = X.find(<one argument>)`: p -> (statement, X, argument).
    paths: HashMap<String, (Span, Span, Span)>,
    /// References to each identifier.
    refs: HashMap<String, usize>,
    /// Every name bound anywhere (for names the ES module rewrite adds).
    bound: HashSet<String>,
    /// The local name of `fileURLToPath` imported from `url` / `node:url`.
    file_url_to_path: Option<String>,
    /// The local name of `load` imported from the dependency.
    load_import: Option<String>,
    /// The names that stand for `require` ([`RequireNames`]).
    requires: HashSet<String>,
}

struct Collect<'t> {
    dep: &'t str,
    facts: Facts,
}

impl Facts {
    /// Whether `e` is node-pre-gyp's module (or a deep path pregyp ships): a name bound to
    /// it, or its `require`.
    fn is_npg(&self, e: &Expression<'_>, dep: &str) -> bool {
        match e {
            Expression::Identifier(id) => self.npg.contains(id.name.as_str()),
            Expression::CallExpression(c) => {
                require_literal(c, &self.requires).is_some_and(|(s, _)| is_npg_module(s, dep))
            }
            _ => false,
        }
    }
}

impl<'a> Visit<'a> for Collect<'_> {
    fn visit_identifier_reference(&mut self, it: &oxc_ast::ast::IdentifierReference<'a>) {
        *self.facts.refs.entry(it.name.to_string()).or_default() += 1;
    }

    fn visit_binding_identifier(&mut self, it: &oxc_ast::ast::BindingIdentifier<'a>) {
        self.facts.bound.insert(it.name.to_string());
    }

    fn visit_variable_declaration(&mut self, it: &VariableDeclaration<'a>) {
        for d in &it.declarations {
            let Some(init) = &d.init else { continue };
            let single = it.declarations.len() == 1;
            match (&d.id, init) {
                (BindingPattern::BindingIdentifier(id), Expression::CallExpression(c)) => {
                    if let Some((spec, _)) = require_literal(c, &self.facts.requires) {
                        if spec == "bindings" && single {
                            self.facts.bindings.insert(id.name.to_string(), it.span);
                        } else if is_npg_module(spec, self.dep) {
                            self.facts.npg.insert(id.name.to_string());
                        }
                    } else if let Expression::StaticMemberExpression(m) = &c.callee {
                        let found = m.property.name == "find"
                            && c.arguments.len() == 1
                            && single
                            && self.facts.is_npg(&m.object, self.dep);
                        if let Some(a) = c.arguments.first().filter(|_| found).and_then(arg_expr) {
                            self.facts
                                .paths
                                .insert(id.name.to_string(), (it.span, m.object.span(), a.span()));
                        }
                    }
                }
                (BindingPattern::ObjectPattern(o), Expression::CallExpression(c))
                    if require_literal(c, &self.facts.requires).is_some_and(|(s, _)| {
                        npg_split(s, self.dep).is_some_and(|(_, sub)| sub.is_empty())
                    }) =>
                {
                    for p in &o.properties {
                        if p.key.static_name().is_some_and(|k| k == "find") {
                            if let BindingPattern::BindingIdentifier(local) = &p.value {
                                self.facts.find_fns.insert(local.name.to_string());
                            }
                        }
                    }
                }
                _ => {}
            }
        }
        walk::walk_variable_declaration(self, it);
    }

    fn visit_import_declaration(&mut self, it: &ImportDeclaration<'a>) {
        let spec = it.source.value.as_str();
        for s in it.specifiers.iter().flatten() {
            let (local, imported) = match s {
                ImportDeclarationSpecifier::ImportSpecifier(s) => {
                    (s.local.name.as_str(), Some(s.imported.name().to_string()))
                }
                ImportDeclarationSpecifier::ImportDefaultSpecifier(s) => {
                    (s.local.name.as_str(), None)
                }
                ImportDeclarationSpecifier::ImportNamespaceSpecifier(s) => {
                    (s.local.name.as_str(), None)
                }
            };
            match (spec, imported.as_deref()) {
                ("bindings", None) if it.specifiers.as_ref().is_some_and(|v| v.len() == 1) => {
                    self.facts.bindings.insert(local.to_string(), it.span);
                }
                ("url" | "node:url", Some("fileURLToPath")) => {
                    self.facts.file_url_to_path = Some(local.to_string());
                }
                (s, Some("load")) if s == self.dep => {
                    self.facts.load_import = Some(local.to_string())
                }
                (s, Some("find"))
                    if npg_split(s, self.dep).is_some_and(|(_, sub)| sub.is_empty()) =>
                {
                    self.facts.find_fns.insert(local.to_string());
                }
                (s, None) if is_npg_module(s, self.dep) => {
                    self.facts.npg.insert(local.to_string());
                }
                _ => {}
            }
        }
        walk::walk_import_declaration(self, it);
    }
}

/// The second pass: the edits.
struct Rewrite<'t> {
    text: &'t str,
    t: &'t Target<'t>,
    facts: &'t Facts,
    esm: bool,
    /// Module-name edits (inside anything).
    names: Vec<Edit>,
    /// Call-site edits (they may hold module-name edits, applied to their pieces).
    sites: Vec<Edit>,
    /// Sites that stay for a person unless a call-site edit covers them: (span, line).
    leftovers: Vec<Span>,
    /// `bindings` identifiers: calls rewritten.
    bindings_calls: HashMap<String, usize>,
    /// The path variables whose `require(p)` was rewritten.
    paths_used: Vec<String>,
    /// ES module: the import of load() and of fileURLToPath are needed.
    needs_load_import: bool,
    needs_url_import: bool,
    loads: usize,
}

impl Rewrite<'_> {
    /// Replaces the code at `span` with `text`.
    fn replace(&mut self, span: Span, text: String) {
        self.sites.push(Edit {
            start: span.start as usize,
            end: span.end as usize,
            text,
        });
    }

    /// The text of `span` with the module-name edits inside it applied.
    fn render(&self, span: Span) -> String {
        let (s, e) = (span.start as usize, span.end as usize);
        let mut out = String::new();
        let mut at = s;
        let mut inner: Vec<&Edit> = self
            .names
            .iter()
            .filter(|x| x.start >= s && x.end <= e)
            .collect();
        inner.sort_by_key(|x| x.start);
        for x in inner {
            out.push_str(&self.text[at..x.start]);
            out.push_str(&x.text);
            at = x.end;
        }
        out.push_str(&self.text[at..e]);
        out
    }

    fn load_name(&self) -> String {
        if let Some(n) = &self.facts.load_import {
            return n.clone();
        }
        ["load", "loadBinding", "pregypLoad"]
            .iter()
            .find(|n| !self.facts.bound.contains(**n))
            .map_or_else(|| "pregypLoadBinding".into(), |n| n.to_string())
    }

    fn url_name(&self) -> String {
        self.facts
            .file_url_to_path
            .clone()
            .unwrap_or_else(|| "fileURLToPath".into())
    }

    /// The expression that loads the binding from the package folder.
    fn load_expr(&mut self) -> Option<String> {
        let dir = self.t.file_dir?;
        let depth = if dir.is_empty() {
            0
        } else {
            dir.matches('/').count() + 1
        };
        let up = vec![".."; depth].join("/");
        self.loads += 1;
        if self.esm {
            self.needs_load_import = true;
            self.needs_url_import = true;
            let rel = if depth == 0 { ".".to_string() } else { up };
            return Some(format!(
                "{}({}(new URL('{rel}', import.meta.url)))",
                self.load_name(),
                self.url_name()
            ));
        }
        let root = if depth == 0 {
            "__dirname".to_string()
        } else {
            format!("require('path').join(__dirname, '{up}')")
        };
        Some(format!("require('{}').load({root})", self.t.dep_name))
    }

    /// A module specifier of node-pre-gyp: the name-edit, or a leftover.
    fn module_name_site(&mut self, spec: &str, lit: Span, site: Span) {
        let Some((base, sub)) = npg_split(spec, self.t.dep_name) else {
            return;
        };
        if !(sub.is_empty() || SHIMMED.contains(&sub) || SHIMMED_HELPERS.contains(&sub)) {
            self.leftovers.push(site);
            return;
        }
        if base == self.t.dep_name {
            return;
        }
        // The deep path as written: an ES module's import needs its `.js`.
        let new = match spec.get(base.len() + 1..) {
            Some(written) if !sub.is_empty() => format!("{}/{written}", self.t.dep_name),
            _ => self.t.dep_name.to_string(),
        };
        let q = quote_of(self.text, lit);
        self.names.push(Edit {
            start: lit.start as usize,
            end: lit.end as usize,
            text: quoted(&new, q),
        });
    }

    /// `require('<relative>/<module_name>.node')`: the package's own build.
    fn direct_node(&mut self, spec: &str, call: Span) {
        let Some(stem) = spec
            .rsplit('/')
            .next()
            .and_then(|f| f.strip_suffix(".node"))
        else {
            return;
        };
        if !spec.starts_with('.') {
            return;
        }
        let own = stem == self.t.module_name;
        // Where the file is, relative to the package folder: unknown for a file whose place
        // at run time is unknown, or for a path that climbs out of the package.
        let Some(resolved) = self
            .t
            .file_dir
            .and_then(|dir| normalize(&format!("{dir}/{spec}")))
        else {
            if own {
                self.leftovers.push(call);
            }
            return;
        };
        let parent = resolved.rsplit_once('/').map_or("", |(p, _)| p);
        if !own {
            // Another file of module_path (canvas-prebuilt's canvas.node, its module_name
            // being canvas-prebuilt): load() does not load it, and a platform package takes
            // it out of this package. For a person.
            if Some(parent) == self.t.module_dir {
                self.leftovers.push(call);
            }
            return;
        }
        if parent.split('/').any(|c| c == "Debug") {
            // A Debug build tried first (wrtc): a different lookup, kept.
            return;
        }
        let released = parent == "build/Release" || Some(parent) == self.t.module_dir;
        if !released {
            self.leftovers.push(call);
            return;
        }
        if let Some(load) = self.load_expr() {
            self.replace(call, load);
        }
    }

    /// In the `catch` of a `try` whose binding load became load(): each
    /// `<err>.code !== 'MODULE_NOT_FOUND'` also lets load()'s E_BINDING_MISSING through
    /// (`=== ` likewise), so that a fallback behind it (a Debug build) still runs. A catch
    /// that already names E_BINDING_MISSING is left as it is (a second run).
    fn not_found_tests(&mut self, handler: &CatchClause<'_>) {
        let Some(err) = handler
            .param
            .as_ref()
            .and_then(|p| p.pattern.get_identifier_name())
        else {
            return;
        };
        let body = handler.body.span;
        if self.text[body.start as usize..body.end as usize].contains("E_BINDING_MISSING") {
            return;
        }
        let mut found = NotFoundTests {
            err: err.as_str(),
            tests: Vec::new(),
        };
        found.visit_block_statement(&handler.body);
        for (span, lit, op) in found.tests {
            let (joiner, op_text) = match op {
                BinaryOperator::StrictInequality => ("&&", "!=="),
                BinaryOperator::Inequality => ("&&", "!="),
                BinaryOperator::StrictEquality => ("||", "==="),
                _ => ("||", "=="),
            };
            let (start, end) = (span.start as usize, span.end as usize);
            let original = &self.text[start..end];
            let mut text = format!(
                "{original} {joiner} {err}.code {op_text} {}",
                quoted("E_BINDING_MISSING", quote_of(self.text, lit))
            );
            // Parenthesized unless the test already is (`if (...)`).
            let enclosed = self.text[..start].trim_end().ends_with('(')
                && self.text[end..].trim_start().starts_with(')');
            if !enclosed {
                text = format!("({text})");
            }
            self.replace(span, text);
        }
    }

    fn is_npg_callee(&self, e: &Expression<'_>) -> bool {
        self.facts.is_npg(e, self.t.dep_name)
    }

    fn is_module_arg(&self, call: &CallExpression<'_>) -> bool {
        call.arguments.len() == 1
            && arg_expr(&call.arguments[0])
                .and_then(literal_value)
                .is_some_and(|(v, _)| {
                    v == self.t.module_name || v.strip_suffix(".node") == Some(self.t.module_name)
                })
    }
}

impl<'a> Visit<'a> for Rewrite<'_> {
    fn visit_call_expression(&mut self, call: &CallExpression<'a>) {
        if let Some((spec, lit)) = require_literal(call, &self.facts.requires) {
            if spec == "bindings" {
                self.leftovers.push(call.span);
            } else if spec.ends_with(".node") {
                self.direct_node(spec, call.span);
            } else {
                self.module_name_site(spec, lit, call.span);
            }
        } else if call.arguments.len() == 1
            && arg_expr(&call.arguments[0])
                .and_then(literal_value)
                .and_then(|(v, _)| npg_split(v, self.t.dep_name))
                .is_some_and(|(base, _)| base != self.t.dep_name)
        {
            // node-pre-gyp's name handed to a loader this file does not show to be
            // require (`eval('require')`, an import hook): it must become pregyp's name, or
            // the load breaks once the dependency is gone. For a person.
            self.leftovers.push(call.span);
        }
        let is_require = is_require_call(call, &self.facts.requires);
        if is_require {
            match arg_expr(&call.arguments[0]) {
                // require(X.find(a)) and require(find(a))
                Some(Expression::CallExpression(inner)) if inner.arguments.len() == 1 => {
                    let a = arg_expr(&inner.arguments[0]).map(GetSpan::span);
                    match (&inner.callee, a) {
                        (Expression::StaticMemberExpression(m), Some(a))
                            if m.property.name == "find" && self.is_npg_callee(&m.object) =>
                        {
                            // The module-name edits inside are collected first.
                            walk::walk_call_expression(self, call);
                            let text = format!(
                                "{}.load({})",
                                self.render(m.object.span()),
                                self.render(a)
                            );
                            self.loads += 1;
                            self.replace(call.span, text);
                            return;
                        }
                        (Expression::Identifier(f), Some(a))
                            if self.facts.find_fns.contains(f.name.as_str()) && !self.esm =>
                        {
                            walk::walk_call_expression(self, call);
                            let text =
                                format!("require('{}').load({})", self.t.dep_name, self.render(a));
                            self.loads += 1;
                            self.replace(call.span, text);
                            return;
                        }
                        _ => {}
                    }
                }
                // var p = X.find(a); ... require(p)
                Some(Expression::Identifier(p)) => {
                    let name = p.name.as_str();
                    if let Some(&(_, callee, a)) = self.facts.paths.get(name) {
                        if self.facts.refs.get(name) == Some(&1) {
                            let text = format!("{}.load({})", self.render(callee), self.render(a));
                            self.loads += 1;
                            self.paths_used.push(name.to_string());
                            self.replace(call.span, text);
                            return;
                        }
                    }
                }
                // require('./v6'): module_path itself, its binding being index.node;
                // or a path built at run time that names the binding: for a person.
                Some(e) => {
                    let src = &self.text[e.span().start as usize..e.span().end as usize];
                    if let Some((spec, _)) = literal_value(e) {
                        let dir = self
                            .t
                            .file_dir
                            .and_then(|d| normalize(&format!("{d}/{spec}")));
                        let own = spec.starts_with('.')
                            && dir.is_some()
                            && (dir.as_deref()
                                == self
                                    .t
                                    .module_dir
                                    .map(|m| format!("{m}/{}", self.t.module_name))
                                    .as_deref()
                                || (self.t.module_name == "index"
                                    && dir.as_deref() == self.t.module_dir));
                        if own {
                            if let Some(load) = self.load_expr() {
                                self.replace(call.span, load);
                                return;
                            }
                        }
                    } else if src.contains(self.t.module_name)
                        && !matches!(e, Expression::Identifier(_))
                    {
                        self.leftovers.push(call.span);
                    }
                }
                _ => {}
            }
        }
        // bindings('<module_name>'), directly or through a variable
        let bindings_id = match &call.callee {
            Expression::Identifier(id) if self.facts.bindings.contains_key(id.name.as_str()) => {
                Some(id.name.to_string())
            }
            _ => None,
        };
        let direct_bindings = matches!(&call.callee, Expression::CallExpression(c)
            if require_literal(c, &self.facts.requires).is_some_and(|(s, _)| s == "bindings"));
        if (bindings_id.is_some() || direct_bindings) && self.is_module_arg(call) {
            if let Some(load) = self.load_expr() {
                if let Some(id) = bindings_id {
                    *self.bindings_calls.entry(id).or_default() += 1;
                }
                self.replace(call.span, load);
                return;
            }
        }
        // Already pregyp's load(): counted as a load site.
        if let Expression::StaticMemberExpression(m) = &call.callee {
            if m.property.name == "load" && self.is_npg_callee(&m.object) {
                self.loads += 1;
            }
        }
        walk::walk_call_expression(self, call);
    }

    fn visit_try_statement(&mut self, it: &TryStatement<'a>) {
        let before = self.loads;
        self.visit_block_statement(&it.block);
        if let Some(handler) = &it.handler {
            if self.loads > before {
                self.not_found_tests(handler);
            }
            self.visit_catch_clause(handler);
        }
        if let Some(finalizer) = &it.finalizer {
            self.visit_block_statement(finalizer);
        }
    }

    fn visit_static_member_expression(&mut self, it: &StaticMemberExpression<'a>) {
        if self.is_npg_callee(&it.object) && !pregyp_exports(it.property.name.as_str()) {
            // A member of node-pre-gyp's module that pregyp's lacks (node-pre-gyp 1.x's
            // `mockS3Http`): the code breaks once the dependency is pregyp. For a person.
            self.leftovers.push(it.span);
        }
        walk::walk_static_member_expression(self, it);
    }

    fn visit_import_declaration(&mut self, it: &ImportDeclaration<'a>) {
        let spec = it.source.value.as_str();
        if spec == "bindings" {
            self.leftovers.push(it.span);
        } else {
            self.module_name_site(spec, it.source.span, it.span);
        }
    }

    fn visit_import_expression(&mut self, it: &ImportExpression<'a>) {
        if let Some((spec, lit)) = literal_value(&it.source) {
            self.module_name_site(spec, lit, it.span);
        }
        walk::walk_import_expression(self, it);
    }
}

/// The `<err>.code` tests against 'MODULE_NOT_FOUND' in a catch body (not inside nested
/// functions, whose `err` may be another): (the test, the string literal, the operator).
struct NotFoundTests<'e> {
    err: &'e str,
    tests: Vec<(Span, Span, BinaryOperator)>,
}

impl<'a> Visit<'a> for NotFoundTests<'_> {
    fn visit_binary_expression(&mut self, it: &BinaryExpression<'a>) {
        let is_code = |e: &Expression<'_>| {
            matches!(e, Expression::StaticMemberExpression(m)
                if m.property.name == "code"
                    && matches!(&m.object, Expression::Identifier(id) if id.name == self.err))
        };
        let literal = |e: &Expression<'_>| match e {
            Expression::StringLiteral(l) if l.value == "MODULE_NOT_FOUND" => Some(l.span),
            _ => None,
        };
        let equality = matches!(
            it.operator,
            BinaryOperator::StrictInequality
                | BinaryOperator::Inequality
                | BinaryOperator::StrictEquality
                | BinaryOperator::Equality
        );
        let lit = if is_code(&it.left) {
            literal(&it.right)
        } else if is_code(&it.right) {
            literal(&it.left)
        } else {
            None
        };
        match lit {
            Some(lit) if equality => self.tests.push((it.span, lit, it.operator)),
            _ => walk::walk_binary_expression(self, it),
        }
    }

    // Functions and arrows inside the catch: not entered.
    fn visit_function_body(&mut self, _: &oxc_ast::ast::FunctionBody<'a>) {}
}

/// `a/./b/../c` -> `a/c`; `None` when it climbs out of the package.
fn normalize(p: &str) -> Option<String> {
    let mut out: Vec<&str> = Vec::new();
    for c in p.split('/') {
        match c {
            "" | "." => {}
            ".." => {
                out.pop()?;
            }
            c => out.push(c),
        }
    }
    Some(out.join("/"))
}

/// The span of a statement to delete: its whole line when it stands alone on it.
fn whole_line(text: &str, start: usize, end: usize) -> (usize, usize) {
    let line_start = text[..start].rfind('\n').map_or(0, |i| i + 1);
    let line_end = text[end..].find('\n').map_or(text.len(), |i| end + i + 1);
    if text[line_start..start].trim().is_empty() && text[end..line_end].trim().is_empty() {
        (line_start, line_end)
    } else {
        (start, end)
    }
}

fn line_of(s: &str, at: usize) -> usize {
    s[..at.min(s.len())].matches('\n').count() + 1
}

/// The parser's source type for a file: by extension, and for `.js` by package.json's
/// `type` (else as Node decides: CommonJS unless the file has module syntax).
fn source_type(rel: &str, type_module: bool) -> SourceType {
    let ext = rel.rsplit('.').next().unwrap_or("");
    match ext {
        "mjs" => SourceType::mjs(),
        "cjs" => SourceType::cjs(),
        "ts" | "mts" | "cts" | "tsx" => {
            SourceType::from_extension(ext).unwrap_or_else(|_| SourceType::ts())
        }
        _ if type_module => SourceType::mjs(),
        _ => SourceType::unambiguous(),
    }
}

/// Parses `text` (the file `rel`) and rewrites its load sites and module names; `Err`
/// carries the parser's message, with its line.
pub fn rewrite(rel: &str, text: &str, t: &Target<'_>) -> Result<Rewritten, String> {
    let allocator = Allocator::default();
    let st = source_type(rel, t.type_module);
    let mut ret = Parser::new(&allocator, text, st).parse();
    if (ret.panicked || ret.diagnostics.has_errors())
        && st.module_kind() == oxc_span::ModuleKind::Unambiguous
    {
        // A CommonJS file may use what a module may not (top-level return, `with`).
        let cjs = Parser::new(&allocator, text, SourceType::cjs()).parse();
        if !cjs.panicked && !cjs.diagnostics.has_errors() {
            ret = cjs;
        }
    }
    if (ret.panicked || ret.diagnostics.has_errors()) && !st.is_typescript() && !st.is_jsx() {
        // JSX in a .js file (React and React Native packages ship it so).
        let jsx = Parser::new(&allocator, text, st.with_jsx(true)).parse();
        if !jsx.panicked && !jsx.diagnostics.has_errors() {
            ret = jsx;
        }
    }
    if ret.panicked || ret.diagnostics.has_errors() {
        let e = ret.diagnostics.errors().next();
        let msg = e.map_or_else(
            || "the parser gave up".to_string(),
            |e| e.message.to_string(),
        );
        let at = e
            .and_then(|e| e.labels.first().map(|l| l.offset() as usize))
            .map(|o| format!("line {}: ", line_of(text, o)))
            .unwrap_or_default();
        return Err(format!("{at}{msg}"));
    }
    let program = &ret.program;
    let esm = program.source_type.is_module() && !st.is_typescript();
    Ok(apply(program, text, t, esm))
}

fn apply(program: &Program<'_>, text: &str, t: &Target<'_>, esm: bool) -> Rewritten {
    let mut c = Collect {
        dep: t.dep_name,
        facts: Facts {
            requires: RequireNames::of(program),
            ..Facts::default()
        },
    };
    c.visit_program(program);
    let facts = c.facts;
    let mut r = Rewrite {
        text,
        t,
        facts: &facts,
        esm,
        names: Vec::new(),
        sites: Vec::new(),
        leftovers: Vec::new(),
        bindings_calls: HashMap::new(),
        paths_used: Vec::new(),
        needs_load_import: false,
        needs_url_import: false,
        loads: 0,
    };
    r.visit_program(program);
    let mut edits: Vec<Edit> = std::mem::take(&mut r.sites);
    // The path variables whose one use was rewritten: their declarations go.
    for name in &r.paths_used {
        let (stmt, _, _) = facts.paths[name];
        let (s, e) = whole_line(text, stmt.start as usize, stmt.end as usize);
        edits.push(Edit {
            start: s,
            end: e,
            text: String::new(),
        });
    }
    // `bindings` bound to a name whose every use was rewritten: the declaration goes.
    for (name, n) in &r.bindings_calls {
        if facts.refs.get(name) == Some(n) {
            let stmt = facts.bindings[name];
            let (s, e) = whole_line(text, stmt.start as usize, stmt.end as usize);
            edits.push(Edit {
                start: s,
                end: e,
                text: String::new(),
            });
        }
    }
    // ES module: the imports the load() calls need, after the last import (or before
    // the first statement).
    if r.needs_load_import || r.needs_url_import {
        let mut lines = String::new();
        if r.needs_load_import && facts.load_import.is_none() {
            let name = r.load_name();
            let what = if name == "load" {
                "load".to_string()
            } else {
                format!("load as {name}")
            };
            lines.push_str(&format!("import {{ {what} }} from '{}';\n", t.dep_name));
        }
        if r.needs_url_import && facts.file_url_to_path.is_none() {
            lines.push_str("import { fileURLToPath } from 'node:url';\n");
        }
        let last_import = program
            .body
            .iter()
            .filter(|s| matches!(s, Statement::ImportDeclaration(_)))
            .map(|s| s.span().end as usize)
            .max();
        let at = match last_import {
            Some(e) => text[e..].find('\n').map_or(text.len(), |i| e + i + 1),
            None => program.body.first().map_or(text.len(), |s| {
                let st = s.span().start as usize;
                text[..st].rfind('\n').map_or(0, |i| i + 1)
            }),
        };
        if at == text.len() && !text.ends_with('\n') && !text.is_empty() {
            lines.insert(0, '\n');
        }
        edits.push(Edit {
            start: at,
            end: at,
            text: lines,
        });
    }
    // Module-name edits outside every call-site edit.
    for n in std::mem::take(&mut r.names) {
        if !edits
            .iter()
            .any(|e| e.start <= n.start && n.end <= e.end && e.start < e.end)
        {
            edits.push(n);
        }
    }
    // Apply, last first; of overlapping edits the outer one wins.
    edits.sort_by(|a, b| a.start.cmp(&b.start).then(b.end.cmp(&a.end)));
    let mut kept: Vec<Edit> = Vec::new();
    for e in edits {
        if kept.last().is_some_and(|k| e.start < k.end) {
            continue;
        }
        kept.push(e);
    }
    let mut out = text.to_string();
    for e in kept.iter().rev() {
        out.replace_range(e.start..e.end, &e.text);
    }
    // What a person still has to change: sites no edit covers.
    let mut manual: Vec<(usize, String)> = Vec::new();
    for s in &r.leftovers {
        let (a, b) = (s.start as usize, s.end as usize);
        if kept
            .iter()
            .any(|e| e.start <= a && b <= e.end && e.start < e.end)
        {
            continue;
        }
        let line = line_of(text, a);
        if manual.iter().any(|(l, _)| *l == line) {
            continue;
        }
        let code = text.lines().nth(line - 1).unwrap_or("").trim().to_string();
        manual.push((line, code));
    }
    manual.sort();
    Rewritten {
        text: out,
        manual,
        loads: r.loads,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t<'a>(dir: &'a str, name: &'a str) -> Target<'a> {
        Target {
            module_name: name,
            dep_name: "pregyp",
            file_dir: Some(dir),
            module_dir: None,
            type_module: false,
        }
    }

    fn rw(rel: &str, src: &str, target: &Target<'_>) -> Rewritten {
        rewrite(rel, src, target).unwrap()
    }

    #[test]
    fn find_shapes_become_load() {
        // (file, its folder, module_name, source, expected)
        let cases = [
            // bcrypt 5.1.1's bcrypt.js
            (
                "bcrypt.js", "", "bcrypt_lib",
                "var nodePreGyp = require('@mapbox/node-pre-gyp');\nvar path = require('path');\nvar binding_path = nodePreGyp.find(path.resolve(path.join(__dirname, './package.json')));\nvar bindings = require(binding_path);\n",
                "var nodePreGyp = require('pregyp');\nvar path = require('path');\nvar bindings = nodePreGyp.load(path.resolve(path.join(__dirname, './package.json')));\n",
            ),
            // One expression.
            (
                "x.js", "", "x",
                "const b = require(require(\"@mapbox/node-pre-gyp\").find(require('path').join(__dirname, 'package.json')));\n",
                "const b = require(\"pregyp\").load(require('path').join(__dirname, 'package.json'));\n",
            ),
            // The path used elsewhere: find() stays, the module name follows.
            (
                "x.js", "", "x",
                "const pre = require('node-pre-gyp');\nconst p = pre.find(pj);\nconsole.log(p);\nmodule.exports = require(p);\n",
                "const pre = require('pregyp');\nconst p = pre.find(pj);\nconsole.log(p);\nmodule.exports = require(p);\n",
            ),
            // With options: kept.
            (
                "x.js", "", "x",
                "const pre = require('@mapbox/node-pre-gyp');\nmodule.exports = require(pre.find(pj, { debug: true }));\n",
                "const pre = require('pregyp');\nmodule.exports = require(pre.find(pj, { debug: true }));\n",
            ),
            // @discordjs/opus: find by destructuring.
            (
                "lib/index.js", "lib", "opus",
                "const { find } = require('@discordjs/node-pre-gyp');\nconst Opus = require(find(resolve(join(__dirname, '..', 'package.json'))));\n",
                "const { find } = require('pregyp');\nconst Opus = require('pregyp').load(resolve(join(__dirname, '..', 'package.json')));\n",
            ),
        ];
        for (rel, dir, name, src, expected) in cases {
            let r = rw(rel, src, &t(dir, name));
            assert_eq!(r.text, expected, "{rel}: {src}");
            assert!(r.manual.is_empty(), "{rel}: {:?}", r.manual);
        }
    }

    #[test]
    fn comments_and_strings_stay() {
        let src = "// require('bindings')('x')\nconst s = \"require('./build/Release/x.node')\";\n/* require('node-pre-gyp') */\nmodule.exports = require('bindings')('x');\n";
        let r = rw("index.js", src, &t("", "x"));
        assert_eq!(
            r.text,
            "// require('bindings')('x')\nconst s = \"require('./build/Release/x.node')\";\n/* require('node-pre-gyp') */\nmodule.exports = require('pregyp').load(__dirname);\n"
        );
    }

    #[test]
    fn es_modules_get_imports() {
        let src = "import bindings from 'bindings';\nexport default bindings('x.node');\n";
        let r = rw("lib/index.mjs", src, &t("lib", "x"));
        assert_eq!(
            r.text,
            "import { load } from 'pregyp';\nimport { fileURLToPath } from 'node:url';\nexport default load(fileURLToPath(new URL('..', import.meta.url)));\n"
        );
        // Idempotent.
        assert_eq!(rw("lib/index.mjs", &r.text, &t("lib", "x")).text, r.text);
        // "type": "module" makes a .js file a module.
        let mut tm = t("", "x");
        tm.type_module = true;
        let r = rw("index.js", "const load = 1;\nexport default (await import('bindings')).default('x');\nimport b from 'bindings';\nexport const y = b('x');\n", &tm);
        assert!(
            r.text
                .contains("import { load as loadBinding } from 'pregyp';"),
            "{}",
            r.text
        );
        assert!(
            r.text.contains(
                "export const y = loadBinding(fileURLToPath(new URL('.', import.meta.url)));"
            ),
            "{}",
            r.text
        );
    }

    #[test]
    fn names_that_stand_for_require_are_requires() {
        // realm 2.29.2's index.js, hiding require from bundlers.
        let src = "const require_method = require;\nfunction nodeRequire(module) {\n    return require_method(module);\n}\nswitch (context) {\n    case 'node.js':\n        var binary = nodeRequire('node-pre-gyp');\n        var path = nodeRequire('path');\n        var pkg = path.resolve(path.join(__dirname,'../package.json'));\n        var binding_path = binary.find(pkg);\n\n        realmConstructor = require_method(binding_path).Realm;\n        break;\n}\n";
        let r = rw("lib/index.js", src, &t("lib", "realm"));
        assert_eq!(r.text, "const require_method = require;\nfunction nodeRequire(module) {\n    return require_method(module);\n}\nswitch (context) {\n    case 'node.js':\n        var binary = nodeRequire('pregyp');\n        var path = nodeRequire('path');\n        var pkg = path.resolve(path.join(__dirname,'../package.json'));\n\n        realmConstructor = binary.load(pkg).Realm;\n        break;\n}\n");
        assert_eq!(r.loads, 1);
        // webpack's escape hatch, module.require, an arrow wrapper declared before the alias
        // it calls; a function that does more than require is not one.
        let src = "const a = __non_webpack_require__('@mapbox/node-pre-gyp');\nconst b = module.require('node-pre-gyp');\nconst w = (m) => r(m);\nconst r = require;\nconst c = w('node-pre-gyp');\nfunction log(m) { console.log(m); return require(m); }\nconst d = log('node-pre-gyp');\n";
        let r = rw("x.js", src, &t("", "x"));
        assert_eq!(r.text, "const a = __non_webpack_require__('pregyp');\nconst b = module.require('pregyp');\nconst w = (m) => r(m);\nconst r = require;\nconst c = w('pregyp');\nfunction log(m) { console.log(m); return require(m); }\nconst d = log('node-pre-gyp');\n");
        // The name handed to a loader that is not shown to be require: for a person, as a
        // load that would break; a command line (spawn) is not one.
        assert_eq!(
            r.manual,
            vec![(7, "const d = log('node-pre-gyp');".to_string())]
        );
        let src = "spawnSync('node-pre-gyp', ['install']);\nconst e = eval('require');\nconst f = e(\"@mapbox/node-pre-gyp\");\n";
        let r = rw("x.js", src, &t("", "x"));
        assert_eq!(r.text, src);
        assert_eq!(
            r.manual,
            vec![(3, "const f = e(\"@mapbox/node-pre-gyp\");".to_string())]
        );
    }

    #[test]
    fn another_file_of_module_path_is_for_a_person() {
        // canvas-prebuilt 1.6.11: module_name canvas-prebuilt, module_path
        // canvas/build/Release, and canvas/lib/bindings.js requires canvas.node from it.
        let target = Target {
            module_dir: Some("canvas/build/Release"),
            ..t("canvas/lib", "canvas-prebuilt")
        };
        let src = "'use strict';\n\nmodule.exports = require('../build/Release/canvas.node');\n";
        let r = rw("canvas/lib/bindings.js", src, &target);
        assert_eq!(r.text, src);
        assert_eq!(
            r.manual,
            vec![(
                3,
                "module.exports = require('../build/Release/canvas.node');".to_string()
            )]
        );
        // A .node file elsewhere is no binding of module_path.
        let src = "module.exports = require('../../vendor/other.node');\n";
        assert!(rw("canvas/lib/x.js", src, &target).manual.is_empty());
    }

    #[test]
    fn node_pre_gyp_api_pregyp_lacks_is_for_a_person() {
        // v8-debug 1.0.1's prepublish script drives node-pre-gyp's programmatic Run, which
        // pregyp has too; node-pre-gyp 1.x's mockS3Http it has not.
        let src = "const gyp = require('node-pre-gyp');\nconst install = t => new Promise((resolve, reject) => {\n  const prog = Object.assign(new gyp.Run(), {opts: t});\n  prog.commands.install([], e => e ? reject(e) : resolve());\n});\nconst p = gyp.find(pj);\ngyp.install({});\ngyp.mockS3Http('on');\n";
        let r = rw("tools/prepublish-to-npm.js", src, &t("tools", "v8_debug"));
        assert_eq!(r.text, src.replace("'node-pre-gyp'", "'pregyp'"));
        assert_eq!(r.manual, vec![(8, "gyp.mockS3Http('on');".to_string())]);
    }

    #[test]
    fn module_exports_are_index_js_exports() {
        // Every `exports.<name> =` of index.js, and nothing else, is what pregyp_exports knows.
        let index = include_str!("../../../index.js");
        let names: Vec<&str> = index
            .lines()
            .filter_map(|l| l.strip_prefix("exports.")?.split(' ').next())
            .collect();
        assert!(names.len() > 20, "{names:?}");
        for n in &names {
            assert!(
                pregyp_exports(n),
                "index.js exports {n}, which pregyp_exports does not know"
            );
        }
        for n in MODULE_EXPORTS.iter().filter(|n| **n != "usage") {
            assert!(
                names.contains(n),
                "MODULE_EXPORTS has {n}, which index.js does not export"
            );
        }
    }

    #[test]
    fn jsx_in_a_js_file_is_parsed() {
        // realm 2.29.2's react-native/listview.js has JSX in a .js file.
        let src = "const pre = require('node-pre-gyp');\nmodule.exports = () => <View style={s}>{pre.find(p)}</View>;\n";
        let r = rw("listview.js", src, &t("", "x"));
        assert_eq!(r.text, src.replace("'node-pre-gyp'", "'pregyp'"));
    }

    #[test]
    fn a_not_found_test_behind_a_rewritten_load_lets_its_error_through() {
        // nodegit 0.27's nodegit.js: Release, else (MODULE_NOT_FOUND only) Debug.
        let src = "try {\n  rawApi = require(\"../build/Release/nodegit.node\");\n}\ncatch (ex) {\n  /* istanbul ignore next */\n  if (ex.code !== \"MODULE_NOT_FOUND\") {\n    throw ex;\n  }\n\n  rawApi = require(\"../build/Debug/nodegit.node\");\n}\n";
        let r = rw("lib/nodegit.js", src, &t("lib", "nodegit"));
        assert_eq!(r.text, "try {\n  rawApi = require('pregyp').load(require('path').join(__dirname, '..'));\n}\ncatch (ex) {\n  /* istanbul ignore next */\n  if (ex.code !== \"MODULE_NOT_FOUND\" && ex.code !== \"E_BINDING_MISSING\") {\n    throw ex;\n  }\n\n  rawApi = require(\"../build/Debug/nodegit.node\");\n}\n");
        // A second run changes nothing.
        assert_eq!(
            rw("lib/nodegit.js", &r.text, &t("lib", "nodegit")).text,
            r.text
        );
        // `===` inside a larger test: parenthesized, joined with ||; a nested function's
        // `e` and a try without a rewritten load are left alone.
        let src = "try { b = require('./build/Release/x.node'); } catch (e) { if (!quiet && e.code === 'MODULE_NOT_FOUND') b = null; else throw e; setTimeout(function (e) { return e.code === 'MODULE_NOT_FOUND'; }); }\ntry { c = require('other'); } catch (e) { if (e.code === 'MODULE_NOT_FOUND') c = null; }\n";
        let r = rw("x.js", src, &t("", "x"));
        assert_eq!(r.text, "try { b = require('pregyp').load(__dirname); } catch (e) { if (!quiet && (e.code === 'MODULE_NOT_FOUND' || e.code === 'E_BINDING_MISSING')) b = null; else throw e; setTimeout(function (e) { return e.code === 'MODULE_NOT_FOUND'; }); }\ntry { c = require('other'); } catch (e) { if (e.code === 'MODULE_NOT_FOUND') c = null; }\n");
    }

    #[test]
    fn debug_then_release_stays_two_lookups() {
        let src = "try {\n  module.exports = require('../build/Debug/wrtc.node');\n} catch (error) {\n  module.exports = require('../build/Release/wrtc.node');\n}\n";
        let r = rw("lib/binding.js", src, &t("lib", "wrtc"));
        assert_eq!(r.text, "try {\n  module.exports = require('../build/Debug/wrtc.node');\n} catch (error) {\n  module.exports = require('pregyp').load(require('path').join(__dirname, '..'));\n}\n");
        assert!(r.manual.is_empty());
    }

    #[test]
    fn deep_imports_and_keep_name() {
        let src = "var binary = require('@mapbox/node-pre-gyp/lib/pre-binding');\nvar p = binary.find(path.resolve(path.join(__dirname, '../package.json')));\nvar binding = require(p);\nvar v = require('@mapbox/node-pre-gyp/lib/util/versioning.js');\nv.evaluate(pkg, {}).staged_tarball;\nvar n = require('@mapbox/node-pre-gyp/lib/util/napi');\nvar s3 = require('@mapbox/node-pre-gyp/lib/util/s3_setup');\n";
        let r = rw("src/grpc_extension.js", src, &t("src", "grpc_node"));
        // pregyp ships lib/util/versioning and lib/util/napi too (their functions are no
        // members of pregyp's module); node-pre-gyp's other helpers it does not.
        assert_eq!(r.text, "var binary = require('pregyp/lib/pre-binding');\nvar binding = binary.load(path.resolve(path.join(__dirname, '../package.json')));\nvar v = require('pregyp/lib/util/versioning.js');\nv.evaluate(pkg, {}).staged_tarball;\nvar n = require('pregyp/lib/util/napi');\nvar s3 = require('@mapbox/node-pre-gyp/lib/util/s3_setup');\n");
        assert_eq!(
            r.manual,
            vec![(
                7,
                "var s3 = require('@mapbox/node-pre-gyp/lib/util/s3_setup');".into()
            )]
        );
        // An ES module's deep import keeps its extension, which ES modules need.
        let src = "import v from '@mapbox/node-pre-gyp/lib/util/versioning.js';\n";
        let r = rw("scripts/copy.mjs", src, &t("scripts", "grpc_node"));
        assert_eq!(r.text, src.replace("@mapbox/node-pre-gyp", "pregyp"));
        // --keep-name: every rewritten site requires the installed (old) name.
        let mut k = t("lib", "node_libcurl");
        k.dep_name = "@mapbox/node-pre-gyp";
        k.module_dir = Some("lib/binding");
        let r = rw("dist/Curl.js", "const bindings = require('../lib/binding/node_libcurl.node');\nconst x = require('node-pre-gyp');\n", &Target { file_dir: Some("dist"), ..k });
        assert_eq!(r.text, "const bindings = require('@mapbox/node-pre-gyp').load(require('path').join(__dirname, '..'));\nconst x = require('@mapbox/node-pre-gyp');\n");
    }

    #[test]
    fn non_load_sites_are_not_listed_and_broken_files_are_named() {
        let src = "const { spawnSync } = require('child_process');\nspawnSync('node-pre-gyp', ['install']);\n";
        let r = rw("scripts/x.js", src, &t("scripts", "x"));
        assert_eq!(r.text, src);
        assert!(r.manual.is_empty());
        let e = rewrite("lib/broken.js", "const pre = require('@mapbox/node-pre-gyp');\nmodule.exports = require(pre.find(path.join(__dirname, 'x')\n", &t("lib", "x")).unwrap_err();
        assert!(e.starts_with("line 3: "), "{e}");
    }

    #[test]
    fn bindings_through_a_variable() {
        let (out, m) = {
            let r = rw("dist/lib/bindings/index.js", "var getBindings = require(\"bindings\");\nvar bindings = getBindings(\"xmljs\");\n", &t("dist/lib/bindings", "xmljs"));
            (r.text, r.manual)
        };
        assert_eq!(
            out,
            "var bindings = require('pregyp').load(require('path').join(__dirname, '../../..'));\n"
        );
        assert!(m.is_empty());
        // Another addon's binding: listed, unchanged.
        let src = "var b = require('bindings');\nmodule.exports = b('other');\n";
        let r = rw("index.js", src, &t("", "xmljs"));
        assert_eq!(r.text, src);
        assert_eq!(
            r.manual,
            vec![(1, "var b = require('bindings');".to_string())]
        );
    }
}
