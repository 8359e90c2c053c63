// Internal to the manifest loader: [variables.NAME] declarations, their
// effective values (VariableInputs, manifest.h) and the substitution of
// `${var.NAME}` in the document tree, before any block is validated, so
// that a substituted value meets the same type checks and rules as a
// written one.
#pragma once

#include <set>
#include <string>
#include <vector>

#include "manifest/document.h"
#include "manifest/manifest.h"

namespace cph::manifest::detail {

// A value of the document tree as JSON, without positions: tables become
// objects (keys sorted), arrays arrays, a date/time its TOML text.
Json to_json(const doc::Node& node);

// The variable types, in documentation order.
const std::vector<std::string>& variable_types();

// Reads the [variables] table of one document into `vars` (duplicates
// across files are errors).
void declare_variables(const doc::Entry& entry, std::vector<Variable>& vars, std::vector<Diagnostic>& diags);

// Sets every variable's value and source, by the precedence of
// VariableInputs. A variable without a default and without a value is an
// error at its declaration, unless inputs.allow_unset.
void resolve_variables(std::vector<Variable>& vars, const VariableInputs& inputs, std::vector<Diagnostic>& diags);

// Replaces `${var.NAME}` in every string of `node` (recursively). A string
// that is exactly "${var.NAME}" becomes the typed value; other strings get
// the value as text and stay templates when they still refer to resources.
// Nodes that received a sensitive value are marked sensitive.
// `${terraform.workspace}` becomes `workspace`, the selected workspace's name.
void substitute_variables(doc::Node& node, const std::vector<Variable>& vars, const std::string& workspace,
                          std::vector<Diagnostic>& diags);

// Texts of the sensitive values (strings and scalars of 3 bytes or more),
// to scrub from diagnostics as a last line of defence.
std::vector<std::string> sensitive_texts(const std::vector<Variable>& vars);

// What the digest covers for the variables: names and values, the values
// of sensitive variables hashed.
std::string variables_digest_input(const std::vector<Variable>& vars);

}  // namespace cph::manifest::detail
