#pragma once

#include <memory>
#include <string_view>

#include "base/status.h"

namespace rivven::transforms {

class Predicate;
class TransformRegistry;

/// Registers the predicate types an entry's `predicate: {type, config}` can name:
///   TopicNameMatches {pattern}   the record's topic fully matches an RE2 pattern
///   HasHeaderKey {name}          the record has at least one header with that key
///   RecordIsTombstone            the record's value is null
///   Expression {expression}      an expression of the filter language is true
void RegisterPredicates(TransformRegistry& registry);

/// The predicate of an entry's `when: "<expression>"` shorthand. The error (a syntax error with
/// the expression and a caret under the bad column) is meant to be shown verbatim.
Result<std::unique_ptr<Predicate>> MakeExpressionPredicate(std::string_view expression);

}  // namespace rivven::transforms
