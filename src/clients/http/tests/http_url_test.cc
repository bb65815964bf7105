#include "clients/http/http_url.h"

#include <gtest/gtest.h>

namespace rivven::http {
namespace {

TEST(HttpUrlTest, QueryParametersAreSetOnceAndEncoded) {
  EXPECT_EQ(WithQueryParam("http://h/x", "page", "2"), "http://h/x?page=2");
  EXPECT_EQ(WithQueryParam("http://h/x?a=1", "page", "2"), "http://h/x?a=1&page=2");
  EXPECT_EQ(WithQueryParam("http://h/x?page=1&a=1", "page", "2"), "http://h/x?page=2&a=1");
  EXPECT_EQ(WithQueryParam("http://h/x?page=1&page=3", "page", "2"), "http://h/x?page=2");
  EXPECT_EQ(WithQueryParam("http://h/x#top", "since", "2024-01-01T00:00:00Z"),
            "http://h/x?since=2024-01-01T00%3A00%3A00Z#top");
  EXPECT_EQ(WithQueryParam("http://h/x?", "q", "a b&c"), "http://h/x?q=a%20b%26c");
  EXPECT_EQ(UrlEncode("é/~"), "%C3%A9%2F~");
}

TEST(HttpUrlTest, RelativeLinksResolveAgainstTheRequest) {
  const std::string base = "https://api.example.com/v1/items?page=1";
  EXPECT_EQ(ResolveUrl(base, "https://other/x"), "https://other/x");
  EXPECT_EQ(ResolveUrl(base, "//cdn.example.com/y"), "https://cdn.example.com/y");
  EXPECT_EQ(ResolveUrl(base, "/v1/items?page=2"), "https://api.example.com/v1/items?page=2");
  EXPECT_EQ(ResolveUrl(base, "?page=3"), "https://api.example.com/v1/items?page=3");
  EXPECT_EQ(ResolveUrl(base, "more?page=4"), "https://api.example.com/v1/more?page=4");
  EXPECT_EQ(ResolveUrl("http://h:8080", "/a"), "http://h:8080/a");
}

TEST(HttpUrlTest, NextLinkOfALinkHeader) {
  EXPECT_EQ(NextLink(R"(<https://api/x?page=2>; rel="next", <https://api/x?page=9>; rel="last")"),
            "https://api/x?page=2");
  EXPECT_EQ(NextLink(R"(<https://api/x?page=1>; rel="prev", <https://api/x?page=3>; rel=next)"),
            "https://api/x?page=3");
  EXPECT_EQ(NextLink(R"(</p/2>; title="x"; rel="prefetch next")"), "/p/2");
  EXPECT_FALSE(NextLink(R"(<https://api/x?page=9>; rel="last")").has_value());
  EXPECT_FALSE(NextLink("").has_value());
}

}  // namespace
}  // namespace rivven::http
