#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

// Just enough XML for S3's responses (Error, InitiateMultipartUploadResult, ListBucketResult,
// CompleteMultipartUploadResult): find elements by name and decode their text. Not a general
// parser: no DTDs, and namespace prefixes are not resolved (S3 uses a default namespace only).
namespace rivven::s3 {

/// The raw content of every element named `name` directly or deeply inside `xml`, outermost
/// matches only, in document order (`<Contents>...</Contents>` gives "..."). Attributes on the
/// start tag are skipped; `<name/>` gives "". Comments, CDATA sections and processing
/// instructions are not searched. An unterminated element ends the search.
std::vector<std::string_view> XmlElements(std::string_view xml, std::string_view name);

/// The decoded text of the first element named `name` in `xml`, if there is one.
std::optional<std::string> XmlText(std::string_view xml, std::string_view name);

/// `text` with the five predefined entities, numeric character references (&#233; &#xE9;,
/// written out as UTF-8) and CDATA sections decoded. Anything unrecognised stays as it is.
std::string XmlDecode(std::string_view text);

/// `text` with & < > " ' escaped, for request bodies.
std::string XmlEscape(std::string_view text);

}  // namespace rivven::s3
