#include <gtest/gtest.h>

#include <cctype>

#include "config/schema.h"

namespace rivven::config {
namespace {

/// A strict RFC 8259 recognizer: enough to prove the generated text is valid JSON.
class JsonChecker {
 public:
  explicit JsonChecker(const std::string& text) : s_(text) {}
  bool Valid() {
    SkipSpace();
    if (!Value()) return false;
    SkipSpace();
    return i_ == s_.size();
  }

 private:
  void SkipSpace() {
    while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\n' || s_[i_] == '\t' || s_[i_] == '\r'))
      ++i_;
  }
  bool Eat(char c) {
    SkipSpace();
    if (i_ < s_.size() && s_[i_] == c) {
      ++i_;
      return true;
    }
    return false;
  }
  bool Literal(const char* word) {
    const std::string w(word);
    if (s_.compare(i_, w.size(), w) != 0) return false;
    i_ += w.size();
    return true;
  }
  bool String() {
    if (!Eat('"')) return false;
    while (i_ < s_.size()) {
      const unsigned char c = static_cast<unsigned char>(s_[i_++]);
      if (c == '"') return true;
      if (c < 0x20) return false;
      if (c == '\\') {
        if (i_ >= s_.size()) return false;
        const char e = s_[i_++];
        if (e == 'u') {
          for (int k = 0; k < 4; ++k) {
            if (i_ >= s_.size() || !std::isxdigit(static_cast<unsigned char>(s_[i_++])))
              return false;
          }
        } else if (std::string("\"\\/bfnrt").find(e) == std::string::npos) {
          return false;
        }
      }
    }
    return false;
  }
  bool Number() {
    const size_t start = i_;
    if (i_ < s_.size() && s_[i_] == '-') ++i_;
    if (i_ >= s_.size() || !std::isdigit(static_cast<unsigned char>(s_[i_]))) return false;
    if (s_[i_] == '0') {
      ++i_;
    } else {
      while (i_ < s_.size() && std::isdigit(static_cast<unsigned char>(s_[i_]))) ++i_;
    }
    if (i_ < s_.size() && s_[i_] == '.') {
      ++i_;
      if (i_ >= s_.size() || !std::isdigit(static_cast<unsigned char>(s_[i_]))) return false;
      while (i_ < s_.size() && std::isdigit(static_cast<unsigned char>(s_[i_]))) ++i_;
    }
    if (i_ < s_.size() && (s_[i_] == 'e' || s_[i_] == 'E')) {
      ++i_;
      if (i_ < s_.size() && (s_[i_] == '+' || s_[i_] == '-')) ++i_;
      if (i_ >= s_.size() || !std::isdigit(static_cast<unsigned char>(s_[i_]))) return false;
      while (i_ < s_.size() && std::isdigit(static_cast<unsigned char>(s_[i_]))) ++i_;
    }
    return i_ > start;
  }
  bool Value() {
    SkipSpace();
    if (i_ >= s_.size()) return false;
    const char c = s_[i_];
    if (c == '{') {
      ++i_;
      if (Eat('}')) return true;
      do {
        if (!String() || !Eat(':') || !Value()) return false;
      } while (Eat(','));
      return Eat('}');
    }
    if (c == '[') {
      ++i_;
      if (Eat(']')) return true;
      do {
        if (!Value()) return false;
      } while (Eat(','));
      return Eat(']');
    }
    if (c == '"') return String();
    if (c == 't') return Literal("true");
    if (c == 'f') return Literal("false");
    if (c == 'n') return Literal("null");
    return Number();
  }

  const std::string& s_;
  size_t i_ = 0;
};

Schema SmallSchema() {
  Schema s;
  s.Add(Key("url", ValueType::kString, "Webhook URL.").Required())
      .Add(Key("method", ValueType::kString, "HTTP method.").Default("POST").OneOf({"POST", "PUT"}))
      .Add(Key("batch_size", ValueType::kInt, "Events per request.").Default("1").Min(1).Max(10000))
      .Add(Key("ratio", ValueType::kDouble, "Sampling.").Default("0.5"))
      .Add(Key("verbose", ValueType::kBool, "Log \"bodies\" | debug.").Default("false"))
      .Add(Key("tables", ValueType::kStringList, "Tables.").Default("[]"))
      .Add(Key("headers", ValueType::kStringMap, "Request headers."))
      .Add(Key("token", ValueType::kString, "Bearer token.").Secret())
      .Add(Key("extra", ValueType::kAny, "Passed through."))
      .Add(Key("retry", ValueType::kObject, "Retry policy.")
               .Child(Key("max_attempts", ValueType::kInt, "Retry count.").Default("3")));
  return s;
}

TEST(ConfigJsonSchema, GoldenOutput) {
  const std::string expected = R"({
  "$schema": "https://json-schema.org/draft/2020-12/schema",
  "title": "http-webhook",
  "description": "Send events to an HTTP endpoint.",
  "type": "object",
  "properties": {
    "url": {
      "type": "string",
      "description": "Webhook URL."
    },
    "method": {
      "type": "string",
      "description": "HTTP method.",
      "default": "POST",
      "enum": [
        "POST",
        "PUT"
      ]
    },
    "batch_size": {
      "type": "integer",
      "description": "Events per request.",
      "default": 1,
      "minimum": 1,
      "maximum": 10000
    },
    "ratio": {
      "type": "number",
      "description": "Sampling.",
      "default": 0.5
    },
    "verbose": {
      "type": "boolean",
      "description": "Log \"bodies\" | debug.",
      "default": false
    },
    "tables": {
      "type": "array",
      "items": {
        "type": "string"
      },
      "description": "Tables.",
      "default": []
    },
    "headers": {
      "type": "object",
      "additionalProperties": {
        "type": "string"
      },
      "description": "Request headers."
    },
    "token": {
      "type": "string",
      "description": "Bearer token.",
      "writeOnly": true
    },
    "extra": {
      "description": "Passed through."
    },
    "retry": {
      "type": "object",
      "description": "Retry policy.",
      "properties": {
        "max_attempts": {
          "type": "integer",
          "description": "Retry count.",
          "default": 3
        }
      },
      "additionalProperties": false
    }
  },
  "required": [
    "url"
  ],
  "additionalProperties": false
}
)";
  EXPECT_EQ(ToJsonSchema(SmallSchema(), "http-webhook", "Send events to an HTTP endpoint."),
            expected);
}

TEST(ConfigJsonSchema, OutputIsValidJsonWithAwkwardText) {
  Schema s;
  s.Add(Key("a\"b", ValueType::kString, "quote \" backslash \\ newline \n tab \t ctl \x01 é")
            .Default("x\"y"));
  const std::string json = ToJsonSchema(s, "t\"itle", "");
  EXPECT_TRUE(JsonChecker(json).Valid()) << json;
  EXPECT_NE(json.find(R"("a\"b")"), std::string::npos);
  EXPECT_NE(json.find(R"(\u0001)"), std::string::npos);
  EXPECT_TRUE(JsonChecker(ToJsonSchema(SmallSchema(), "x", "y")).Valid());
  EXPECT_TRUE(JsonChecker(ToJsonSchema(Schema(), "empty", "")).Valid());
  EXPECT_FALSE(JsonChecker("{\"a\": 1,}").Valid());  // the checker itself is strict
  EXPECT_FALSE(JsonChecker("{\"a\": \"1}").Valid());
}

TEST(ConfigJsonSchema, MarkdownTable) {
  const std::string table = ToMarkdownTable(SmallSchema());
  EXPECT_EQ(table.rfind("| Key | Type | Required | Default | Description |\n"
                        "|:----|:-----|:---------|:--------|:------------|\n",
                        0),
            0u);
  EXPECT_NE(table.find("| `url` | string | yes | - | Webhook URL. |\n"), std::string::npos);
  EXPECT_NE(table.find("| `method` | string | no | `POST` | HTTP method. One of: `POST`, `PUT`. |"),
            std::string::npos);
  EXPECT_NE(table.find("| `batch_size` | integer | no | `1` | Events per request. "
                       "Range: 1 to 10000. |"),
            std::string::npos);
  EXPECT_NE(table.find("| `verbose` | boolean | no | `false` | Log \"bodies\" \\| debug. |"),
            std::string::npos);
  EXPECT_NE(table.find("| `retry.max_attempts` | integer | no | `3` | Retry count. |"),
            std::string::npos);
  EXPECT_NE(table.find("| `token` | string | no | - | Bearer token. Secret: never printed. |"),
            std::string::npos);
  EXPECT_NE(table.find("| `tables` | list of strings | no | `[]` |"), std::string::npos);
}

}  // namespace
}  // namespace rivven::config
